"""Chinese line breaking for Kivy labels.

Kivy breaks lines only at ASCII spaces. A Chinese paragraph has none, so Kivy treats it as
one long "word" and cuts it wherever the width runs out: a line may then start with "，" or
"。", and the cut is found by measuring ever longer prefixes, one character more each time
(for a 130-character paragraph in 600 px that is ~2,200 characters measured).

This module breaks the way Chinese typesetting does (the "kinsoku" rules): between any
two CJK characters, and at spaces, but never before closing punctuation (。，、；：？！）」』】》
…) nor after opening punctuation (（「『【《 …); Latin words and numbers (0371-68665010,
ZZ-EQ-0001) stay whole. :func:`wrap` measures each piece once and each finished line
once, and :class:`CJKLabel` hands Kivy the text with the line ends already in it, so
Kivy's own wrapping finds every line fits.

Use ``CJKLabel`` in kv wherever a Label wraps Chinese text (``text_size: self.width, None``);
everything else about it is a plain Label. Markup labels are left to Kivy.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.factory import Factory
from kivy.uix.label import Label

#: Never at the start of a line.
CLOSING = frozenset("。，、；：？！）」』】》〉〕］｝”’…‥·．,.;:?!)]}%％°℃")
#: Never at the end of a line.
OPENING = frozenset("（「『【《〈〔［｛“‘([{")


def is_cjk(ch: str) -> bool:
    """Ideographs, kana, CJK symbols and punctuation, full-width forms."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF)


def may_break(before: str, after: str) -> bool:
    """Whether a line may end after ``before`` and go on with ``after``."""
    if after in CLOSING or before in OPENING or after == " ":
        return False
    if before == " ":
        return True
    return is_cjk(before) or is_cjk(after)


def break_positions(text: str) -> list[int]:
    """Every ``i`` (0 < i < len) where a line may break before ``text[i]`` (one paragraph)."""
    out = []
    for i in range(1, len(text)):
        if may_break(text[i - 1], text[i]):
            if text[i - 1] == " " and text[:i].rstrip(" ")[-1:] in OPENING:
                continue  # "《 书名": the space does not free the bracket
            out.append(i)
    return out


def pieces(text: str) -> list[str]:
    """``text`` cut at every break position: the units a line is filled with."""
    cuts = [0, *break_positions(text), len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:])]


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (as ``measure`` says), broken only where
    :func:`may_break` allows; a piece wider than a whole line starts a line and is cut
    between characters.
    Newlines are kept; spaces at the ends of lines are dropped."""
    widths: dict[str, float] = {}

    def w(s: str) -> float:
        if s not in widths:
            widths[s] = measure(s)
        return widths[s]

    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_fill(paragraph, width, measure, w))
    return lines


def _fill(paragraph: str, width: float, measure, w) -> list[str]:
    units: list[tuple[str, bool]] = []  # (unit, must start a line)
    for piece in pieces(paragraph):
        if w(piece.strip(" ")) > width:  # too long for any line: on a line of its own, in chars
            units.extend((ch, i == 0) for i, ch in enumerate(piece))
        else:
            units.append((piece, False))
    lines: list[list[str]] = [[]]
    used = 0.0
    for unit, fresh in units:
        if lines[-1] and (fresh or used + w(unit.rstrip(" ")) > width):
            lines.append([])
            used = 0.0
        if not lines[-1]:
            unit = unit.lstrip(" ")
            if not unit:
                continue
        lines[-1].append(unit)
        used += w(unit)
    out: list[str] = []
    for i, line in enumerate(lines):
        # the pieces were measured one by one; the line as a whole may come out a pixel or
        # two wider (rounding, kerning): move pieces on until the whole line fits
        while len(line) > 1 and measure("".join(line).rstrip(" ")) > width:
            carried = line.pop()
            if i + 1 == len(lines):
                lines.append([])
            lines[i + 1].insert(0, carried)
        out.append("".join(line).rstrip(" "))
    return out


class CJKLabel(Label):
    """A Label that breaks Chinese text by :func:`wrap` when its width is bounded
    (``text_size: self.width, None``). ``text`` stays what was set; only the rendered
    text gets the line ends."""

    _wrapped_for: tuple | None = None
    _wrapped: str = ""

    def texture_update(self, *largs):
        core = self._label
        width = self.text_size[0]
        if not self.markup and width is not None and self.text:
            core.resolve_font_name()
            pad = core.options["padding"]
            room = width - pad[0] - pad[2]
            key = (self.text, room, core.options["font_name_r"], core.options["font_size"],
                   core.options["bold"], core.options["italic"],
                   core.options["outline_width"])
            if key != self._wrapped_for:
                measure = core.get_cached_extents()
                self._wrapped = "\n".join(wrap(self.text, room, lambda s: measure(s)[0]))
                self._wrapped_for = key
            core.text = self._wrapped
        elif not self.markup:
            core.text = self.text
            if not self.text:  # emptied: keep nothing of what it showed
                self._wrapped_for, self._wrapped = None, ""
        super().texture_update(*largs)


Factory.register("CJKLabel", cls=CJKLabel)
