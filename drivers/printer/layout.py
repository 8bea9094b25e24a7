"""Column arithmetic and line wrapping for a receipt, pure and printer-true.

In Chinese mode a printer draws every multi-byte GB18030 character in a 24-dot cell, two
columns of font A, whatever Unicode calls its width ('·', '：', '𠮷' alike); ASCII takes one.
Wrapping breaks Chinese text between any two characters, keeps closing punctuation off the
start of a line (、。，：）…), and breaks ASCII at spaces and hyphens before it splits a
word, so a receipt number stays readable.
"""

from __future__ import annotations

import unicodedata

#: Punctuation that must not start a line (a light 禁则: it stays with the character before).
NO_LINE_START = set("、。，．：；！？）］｝》」』】〕〉…—’”%)]},.:;!?")


def char_width(ch: str) -> int:
    return 1 if ch < "\x80" else 2


def text_width(text: str) -> int:
    """Columns ``text`` takes on paper (font A, Chinese mode)."""
    return sum(char_width(ch) for ch in text)


def clean(text: str) -> str:
    """Printable text only: control characters (which would be ESC/POS commands) become
    spaces, so nothing in a citizen's data can drive the printer."""
    out = []
    for ch in str(text):
        cat = unicodedata.category(ch)
        if cat == "Cc" or cat == "Cs" or ch in "\u2028\u2029":
            out.append(" ")
        elif cat == "Cf" or (cat == "Mn" and "\u0300" <= ch < "\u0370"):
            continue  # zero-width marks would otherwise take a full cell
        else:
            out.append(ch)
    return "".join(out)


def _units(text: str) -> list[str]:
    """Unbreakable pieces: ASCII words (with the space or hyphen that ends them), single
    non-ASCII characters, and closing punctuation glued to the piece before it."""
    units: list[str] = []
    word = ""

    def push(piece: str) -> None:
        if units and piece[0] in NO_LINE_START and piece.rstrip(" ") in NO_LINE_START:
            units[-1] += piece
        else:
            units.append(piece)

    for ch in text:
        if ch < "\x80":
            word += ch
            if ch in " -/":
                push(word)
                word = ""
            continue
        if word:
            push(word)
            word = ""
        push(ch)
    if word:
        push(word)
    return units


def wrap(text: str, width: int, first_width: int | None = None) -> list[str]:
    """Lines of at most ``width`` columns, the first at most ``first_width`` (the room
    beside a label). When nothing fits beside the label the first line is ``""``."""
    if width < 2:
        raise ValueError("width must be at least 2 columns")
    lines: list[str] = []
    limit = width if first_width is None else min(first_width, width)
    if limit < 2:
        lines.append("")
        limit = width
    line = ""
    for unit in _units(clean(text)):
        if text_width(line + unit.rstrip(" ")) <= limit:
            line += unit
            continue
        if line.strip(" "):  # the piece goes to a new line
            lines.append(line.rstrip(" "))
            line, limit, unit = "", width, unit.lstrip(" ")
            if text_width(unit.rstrip(" ")) <= limit:
                line = unit
                continue
        elif not lines and limit < width and text_width(unit.rstrip(" ")) <= width:
            lines.append("")  # too long beside the label, fits on a line of its own
            line, limit = unit, width
            continue
        for ch in unit.rstrip(" "):  # wider than a whole line: split by characters
            if line and text_width(line + ch) > limit:
                lines.append(line.rstrip(" "))
                line, limit = "", width
            line += ch
    lines.append(line.rstrip(" "))
    return lines
