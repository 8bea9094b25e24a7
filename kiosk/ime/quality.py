"""How well the engine finds the words the forms need: the share found first and in the top five.

Used by ``bench/ime_quality.py`` (prints the figures) and ``tests/ime/test_quality.py``
(asserts floors). A word counts as found when a candidate that uses every typed letter is
exactly the word; the list is ``tests/ime/words.txt`` (word, then its syllables).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk.ime.engine import PinyinEngine

WORDS_FILE = Path(__file__).resolve().parents[2] / "tests" / "ime" / "words.txt"


@dataclass
class Tally:
    total: int = 0
    first: int = 0
    top5: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, rank: int | None, word: str) -> None:
        self.total += 1
        self.first += rank == 0
        self.top5 += rank is not None and rank < 5
        if rank is None or rank >= 5:
            self.misses.append(word)

    def shares(self) -> tuple[float, float]:
        return (self.first / self.total, self.top5 / self.total) if self.total else (0.0, 0.0)


def read_words(path: Path = WORDS_FILE) -> list[tuple[str, str, tuple[str, ...]]]:
    """(category, word, syllables) for each line of the list."""
    out, category = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#"):
            category = line[1:].strip() if " " not in line[1:].strip() else category
        elif line:
            word, *syllables = line.split()
            out.append((category, word, tuple(syllables)))
    return out


def rank_of(engine: PinyinEngine, typed: str, word: str, names: bool = False) -> int | None:
    """Position of ``word`` among the first five candidates using all of ``typed``, or None;
    ``names``: as a name field asks (name mode)."""
    page = engine.candidates(typed, per_page=5, names=names)
    for n, cand in enumerate(page.items):
        if cand.text == word and cand.consumed == len(typed):
            return n
    return None


def measure(engine: PinyinEngine, words=None, names: bool = False) -> dict[str, dict[str, Tally]]:
    """{"full" | "initials": {category | "all": Tally}}. Initials: one letter a syllable
    (身份证 → sfz), measured for words of two syllables or more. ``names``: in name mode."""
    words = read_words() if words is None else words
    result: dict[str, dict[str, Tally]] = {"full": {}, "initials": {}}
    for category, word, syllables in words:
        modes = [("full", "".join(syllables))]
        if len(syllables) >= 2:
            modes.append(("initials", "".join(s[0] for s in syllables)))
        for mode, typed in modes:
            rank = rank_of(engine, typed, word, names)
            for key in (category, "all"):
                result[mode].setdefault(key, Tally()).add(rank, word)
    return result
