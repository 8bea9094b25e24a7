"""A county's own place words, added to the engine at start without rebuilding the dictionary.

The shipped dictionary knows 二七区's streets (gov_words.txt). A kiosk elsewhere names a plain
word list in its config (``[ime] extra_words``): its streets, communities and villages, one a
line, UTF-8, ``#`` starts a comment::

    # 某县 streets and villages
    城关镇
    东关社区

At start each word gets every reading its characters have in the dictionary itself (so
pypinyin is not needed on the kiosk; 长 gives both chang and zhang, up to ``MAX_READINGS``
readings a word) and is lifted like a shipped gov word: above every word of the same reading,
and to at least GOV_FLOOR. A bad file is refused whole (:class:`ExtraWordsError`, naming the
line); the keyboard then goes on with the shipped words.
"""

from __future__ import annotations

import re
from itertools import product
from pathlib import Path

from kiosk.ime.build_index import GOV_FLOOR
from kiosk.ime.engine import PinyinEngine

MAX_WORDS = 5000
MAX_BYTES = 1 << 20
MAX_CHARS = 16  # the engine reads at most 16 syllables
MAX_READINGS = 16
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,%d}$" % MAX_CHARS)


class ExtraWordsError(Exception):
    """The extra word list cannot be used: unreadable, not UTF-8, or a line not a word."""


def read_extra_words(path: Path) -> list[str]:
    """The words of the list, in order, each once. Raises ExtraWordsError."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ExtraWordsError(f"{path}: larger than {MAX_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ExtraWordsError(f"{path}: cannot read: {err}") from None
    words: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if not _HAN.match(word):
            raise ExtraWordsError(f"{path}:{number}: not a word of 2-{MAX_CHARS} Chinese characters")
        words[word] = None
        if len(words) > MAX_WORDS:
            raise ExtraWordsError(f"{path}: more than {MAX_WORDS} words")
    return list(words)


def readings(word: str, known: dict[str, list[tuple[str, int]]]) -> list[tuple[str, ...]]:
    """The readings of ``word`` from its characters' (most frequent first), at most
    MAX_READINGS: a character's rarest readings are dropped first. [] if a character has none."""
    options = [[s for s, _ in known.get(char, ())] for char in word]
    if not all(options):
        return []
    freq = {(n, s): f for n, char in enumerate(word) for s, f in known[char]}
    while _count(options) > MAX_READINGS:
        n = min((n for n, o in enumerate(options) if len(o) > 1),
                key=lambda n: (freq[n, options[n][-1]], n))
        options[n].pop()
    return list(product(*options))


def _count(options: list[list[str]]) -> int:
    total = 1
    for option in options:
        total *= len(option)
    return total


def add_extra_words(engine: PinyinEngine, words: list[str]) -> int:
    """Put ``words`` in the engine's dictionary, first for their readings; how many were
    added. Raises ExtraWordsError, before changing anything, if a word has a character the
    dictionary cannot read."""
    index = engine.index
    known = index.char_readings()
    rows = []
    for word in words:
        found = readings(word, known)
        if not found:
            char = next(c for c in word if c not in known)
            raise ExtraWordsError(f"{word}: the keyboard has no reading for {char}")
        for syllables in found:
            initials = "".join(s[0] for s in syllables)
            codes = tuple(index.code[s] for s in syllables)
            top = index.lookup(initials, codes, 1)
            rows.append((syllables, word, max(GOV_FLOOR, top[0][1] + 1 if top else 0)))
    index.add(rows)
    return len(words)
