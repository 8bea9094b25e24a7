"""How often the pinyin keyboard offers the wanted word first, and in its first five.

    .venv/bin/python bench/ime_quality.py            # the figures by category
    .venv/bin/python bench/ime_quality.py --misses   # plus the words not in the first five

The list is tests/ime/words.txt (313 words and phrases the forms need). "full": the whole
pinyin typed unsplit (shenfenzheng); "initials": one letter a syllable (sfz), for words of two
syllables or more. Words that are also in assets/ime/gov_words.txt (the boost list) are
counted apart, so that the figures for the rest show the general dictionary's own quality.
Last, the personal names typed as a name field asks for them (name mode: full names first).

Figures (tests/ime/test_quality.py floors them): full pinyin 82.4% first, 85.3% in the first
five over all 313 words in normal mode; the 50 personal names in name mode 92.0% first,
100% in the first five (initials: 28.0%, 62.0%), against 18.0% / 20.0% in normal mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.ime import PinyinEngine  # noqa: E402
from kiosk.ime.build_words import GOV_WORDS, read_word_list  # noqa: E402
from kiosk.ime.quality import measure, read_words  # noqa: E402


def table(title: str, tallies: dict, show_misses: bool) -> None:
    print(f"\n{title}")
    print(f"  {'category':14s} {'n':>4s} {'first':>7s} {'top 5':>7s}")
    for key in sorted(tallies, key=lambda k: (k == "all", k)):
        tally = tallies[key]
        first, top5 = tally.shares()
        print(f"  {key:14s} {tally.total:4d} {first:7.1%} {top5:7.1%}")
        if show_misses and key != "all" and tally.misses:
            print("      not in top 5:", " ".join(tally.misses))


def main() -> None:
    show = "--misses" in sys.argv
    engine = PinyinEngine()
    words = read_words()
    boosted = set(read_word_list(GOV_WORDS))
    in_boost = [w for w in words if w[1] in boosted]
    rest = [w for w in words if w[1] not in boosted]
    print(f"{len(words)} words: {len(in_boost)} in the boost list, {len(rest)} not")
    for label, subset in (("all words", words), ("in the boost list", in_boost),
                          ("not in the boost list", rest)):
        result = measure(engine, subset)
        table(f"{label} — full pinyin", result["full"], show and label == "all words")
        table(f"{label} — initials", result["initials"], show and label == "all words")
    names = [w for w in words if w[0] == "names"]
    result = measure(engine, names, names=True)
    table("personal names in name mode — full pinyin", result["full"], show)
    table("personal names in name mode — initials", result["initials"], show)


if __name__ == "__main__":
    main()
