"""The name tables of the pinyin dictionary: surnames and given-name characters (name mode).

Written into ``assets/ime/pinyin_index.txt.gz`` by build_index.py, beside the words:

- ``surname``: ``assets/ime/surnames.txt``, kept by hand, most common first; line n (from 1)
  weighs ``SURNAME_SCALE // (n + 5)``. Every reading there must be one pypinyin knows for the
  character (单 shan, 曾 zeng), so a typo fails the build;
- ``given``: how often each character appears in given names, from ``charfreq.csv`` of the
  PyPI package ngender (pinned; men's and women's counts added). A character read several
  ways (长 chang, zhang) shares its count among its readings in the proportion that jieba's
  words read it so, as the general dictionary does for single characters.
"""

from __future__ import annotations

import csv
from pathlib import Path

from kiosk.ime.build_words import ROOT, read_word_list

SURNAMES = ROOT / "assets" / "ime" / "surnames.txt"
SURNAME_SCALE = 10_000_000

Entries = dict[tuple[tuple[str, ...], str], int]


class NameListError(ValueError):
    """A line of surnames.txt is not a surname and its reading."""


def read_surnames(path: Path = SURNAMES) -> list[tuple[str, tuple[str, ...]]]:
    """(surname, syllables) for each line, in the file's order."""
    out = []
    for line in read_word_list(path):
        surname, *syllables = line.split()
        if not 1 <= len(surname) <= 2 or len(syllables) != len(surname):
            raise NameListError(f"{path.name}: {line!r} is not 'surname syllables…'")
        out.append((surname, tuple(syllables)))
    return out


def surname_entries(readings: dict[str, list[str]], path: Path = SURNAMES) -> Entries:
    """The surname table; ``readings`` is every reading of every character (build_index)."""
    entries: Entries = {}
    for n, (surname, syllables) in enumerate(read_surnames(path), start=1):
        for char, syllable in zip(surname, syllables):
            if syllable not in readings.get(char, ()):
                raise NameListError(f"{path.name}: {surname} read {' '.join(syllables)}: "
                                    f"{char} is not read {syllable}")
        key = (syllables, surname)
        entries[key] = max(entries.get(key, 0), SURNAME_SCALE // (n + 5))
    return entries


def given_counts() -> dict[str, int]:
    """Character → how many given names hold it (ngender's charfreq.csv)."""
    import ngender

    path = Path(ngender.__file__).parent / "charfreq.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {row["char"]: int(row["male"]) + int(row["female"]) for row in csv.DictReader(f)}


def given_entries(shares: dict[str, list[tuple[str, int]]]) -> Entries:
    """The given-name table; ``shares`` is, for each character, each reading and its weight."""
    entries: Entries = {}
    for char, count in sorted(given_counts().items()):
        uses = shares.get(char)
        if not uses:
            continue  # outside GBK, or no reading in the syllable table
        total = sum(use for _, use in uses)
        for syllable, use in uses:
            if freq := count * use // total:
                entries[(syllable,), char] = freq
    return entries
