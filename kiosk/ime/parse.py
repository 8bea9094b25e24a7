"""Cutting typed pinyin into syllables: every way the letters can be read.

The input is lowercase letters as typed, unsplit (``shenfenzheng``), perhaps with apostrophes
where the citizen marked a syllable boundary (``xi'an``), perhaps ending in the first letters
of a syllable not yet finished (``shenfenzh``). A reading is a path of tokens from the start;
each token is one syllable's worth of letters and allows a set of syllables:

- ``FULL``: a whole syllable (``shen`` → {shen});
- ``ABBR``: an initial standing for a syllable (``s`` → every s… syllable, ``zh`` → every zh…),
  allowed only where no whole syllable starts, as in ``sfz`` for 身份证; and a, e, o standing
  for the syllables they begin (``e`` → e, ei, en, eng, er: ``eqq`` for 二七区);
- ``PART``: the unfinished last syllable (``zh`` at the end → every zh… syllable; ``xian`` at
  the end also reads as the start of ``xiang``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FULL, ABBR, PART = "full", "abbr", "part"
INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q",
            "x", "r", "z", "c", "s", "y", "w")
MAX_INPUT = 48  # letters and apostrophes; more is refused (no form field needs it)
_ALLOWED = re.compile(r"^[a-z']*$")


class PinyinInputError(ValueError):
    """The typed text is not pinyin the keyboard can make: uppercase, digits, symbols, too long."""


@dataclass(frozen=True)
class Token:
    start: int  # letter positions (apostrophes removed)
    end: int
    kind: str
    text: str


@dataclass(frozen=True)
class Typed:
    """The input with apostrophes taken out: ``letters``, the boundaries the citizen marked
    (``cuts``), and where each letter position falls in the original string (``raw_end``)."""

    raw: str
    letters: str
    cuts: frozenset[int]
    raw_end: tuple[int, ...]  # raw_end[i] = chars of raw to consume to cover i letters


def read_input(raw: str) -> Typed:
    if not isinstance(raw, str):
        raise PinyinInputError("pinyin must be text")
    if len(raw) > MAX_INPUT:
        raise PinyinInputError(f"pinyin longer than {MAX_INPUT} characters")
    if not _ALLOWED.match(raw):
        raise PinyinInputError("pinyin is lowercase letters a-z and apostrophes only")
    letters, cuts, raw_end = [], set(), [0]
    for n, ch in enumerate(raw):
        if ch == "'":
            cuts.add(len(letters))
            raw_end[-1] = n + 1  # a consumed syllable takes the apostrophe after it along
        else:
            letters.append(ch)
            raw_end.append(n + 1)
    return Typed(raw, "".join(letters), frozenset(cuts), tuple(raw_end))


class Parser:
    """Tokens at each position of a typed string, for a given syllable table."""

    def __init__(self, syllables: list[str]):
        self.syllables = frozenset(syllables)
        self.longest = max(map(len, syllables))
        self.prefixes = frozenset(s[:n] for s in syllables for n in range(1, len(s) + 1))

    def tokens_at(self, typed: Typed, i: int) -> list[Token]:
        """Every token that can start at letter ``i``; whole syllables longest first."""
        s, n = typed.letters, len(typed.letters)
        limit = min(n, i + self.longest)
        for cut in sorted(typed.cuts):
            if i < cut < limit:
                limit = cut
                break
        out = []
        for end in range(limit, i, -1):
            text = s[i:end]
            if text in self.syllables:
                out.append(Token(i, end, FULL, text))
        if limit == n and s[i:n] in self.prefixes:
            out.append(Token(i, n, PART, s[i:n]))
        if not any(t.kind == FULL for t in out):
            for initial in INITIALS:
                end = i + len(initial)
                if end < n and end <= limit and s.startswith(initial, i):
                    out.append(Token(i, end, ABBR, initial))
        elif s[i] in "aeo" and i + 1 < n and i + 1 <= limit:
            out.append(Token(i, i + 1, ABBR, s[i]))  # e for er in eqq (二七区)
        return out
