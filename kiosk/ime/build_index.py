"""Build ``assets/ime/pinyin_index.txt.gz``, the pinyin keyboard's dictionary.

    .venv/bin/python -m kiosk.ime.build_index          # rewrite the file (~20 s)
    .venv/bin/python -m kiosk.ime.build_index --check  # exit 1 if the file is stale

Sources (from PyPI, pinned by the installed version; the output is deterministic for
given versions):

- jieba's ``dict.txt``: about 349,000 words with their corpus frequency;
- pypinyin: the toneless reading of every word (its phrase dictionary picks the reading of
  characters with several, e.g. 银行 → yin hang), every reading of every single character
  (行 → xing, hang, heng), and the words of its phrase dictionary that jieba lacks (frequency 1);
- ``assets/ime/gov_words.txt``: place names and government vocabulary. Each such word is
  lifted above every general word of the same reading, and to at least ``GOV_FLOOR``;
- for name mode, two tables (build_names.py): surnames (``assets/ime/surnames.txt``) and
  given-name characters (ngender's counts, PyPI, pinned).

Single characters: every character of GBK (the national character set that citizens' names
are written in) that pypinyin knows, under each of its readings; the character's jieba
frequency is shared among its readings in proportion to how often jieba's words read it so
(长 in 校长 and 长期), so that archaic readings (省 xian, 见 xian) fall to the bottom. Readings outside the syllable table (嗯 n, 呣 m, 欸 ê) are
dropped.

File format (UTF-8, gzip with a zero timestamp so that the bytes are reproducible)::

    #kiosk-ime 2
    #syllables a ai an ang ao ba ...        syllable id = position in this list
    @<initials>                              a bucket: the first letter of each syllable
    <codes>\t<word>\t<frequency>             codes = one character chr(0x100 + id) a syllable
    ...
    @surname:<initials>                      the name tables' buckets, after the words'
    @given:<initials>

Buckets are sorted by table, then initials, lines within a bucket by frequency (high first),
then word.
The engine loads each bucket as one string and searches it with a regular expression.
"""

from __future__ import annotations

import gzip
import io
import re
import sys
from collections import defaultdict
from pathlib import Path

from kiosk.ime.build_names import given_entries, surname_entries
from kiosk.ime.build_words import GOV_WORDS, ROOT, read_word_list
from kiosk.ime.index import CODE_BASE, FORMAT, INDEX_FILE, TABLES

GOV_FLOOR = 2000
MAX_WORD = 16
_SYLLABLE = re.compile(r"^[a-z]*[aeiouv][a-z]*$")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def _jieba_words() -> dict[str, int]:
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    out: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and _HAN.match(parts[0]) and len(parts[0]) <= MAX_WORD:
            out[parts[0]] = max(out.get(parts[0], 0), int(parts[1]))
    return out


def _reading(word: str) -> tuple[str, ...] | None:
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
    if len(syllables) != len(word) or not all(_SYLLABLE.match(s) for s in syllables):
        return None
    return tuple(syllables)


def _char_readings() -> dict[str, list[str]]:
    from pypinyin import Style, pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    out = {}
    for code in sorted(pinyin_dict):
        char = chr(code)
        if not 0x4E00 <= code <= 0x9FFF:
            continue
        try:
            char.encode("gbk")
        except UnicodeEncodeError:
            continue
        readings = []
        for s in pinyin(char, style=Style.NORMAL, heteronym=True)[0]:
            if _SYLLABLE.match(s) and s not in readings:
                readings.append(s)
        if readings:
            out[char] = readings
    return out


Entries = dict[tuple[tuple[str, ...], str], int]  # (reading, word) → frequency


def collect() -> dict[str, Entries]:
    """Each table's entries, from every source, before writing: "" (the words), then
    "surname" and "given" (name mode)."""
    from pypinyin.phrases_dict import phrases_dict

    entries: Entries = {}

    def put(reading, word, freq):
        key = (reading, word)
        entries[key] = max(entries.get(key, 0), freq)

    jieba_freq = _jieba_words()
    in_words: dict[tuple[str, str], int] = defaultdict(int)  # (char, syllable) → use in words
    for word, freq in jieba_freq.items():
        if len(word) > 1 and (reading := _reading(word)):
            put(reading, word, freq)
            for char, syllable in zip(word, reading):
                in_words[char, syllable] += freq
    char_readings = _char_readings()
    shares: dict[str, list[tuple[str, int]]] = {}
    for char, readings in char_readings.items():
        freq = jieba_freq.get(char, 0)
        uses = [in_words[char, s] + (2 if n == 0 else 0) for n, s in enumerate(readings)]
        shares[char] = list(zip(readings, uses))
        for syllable, use in zip(readings, uses):
            put((syllable,), char, freq * use // sum(uses))
    for word in sorted(phrases_dict):
        if len(word) > 1 and _HAN.match(word) and len(word) <= MAX_WORD and word not in jieba_freq:
            if reading := _reading(word):
                put(reading, word, 1)

    best_by_reading: dict[tuple[str, ...], int] = defaultdict(int)
    for (reading, _word), freq in entries.items():
        best_by_reading[reading] = max(best_by_reading[reading], freq)
    for word in read_word_list(GOV_WORDS):
        reading = _reading(word)
        if reading is None:
            continue
        lifted = max(entries.get((reading, word), 0), best_by_reading[reading] + 1, GOV_FLOOR)
        entries[(reading, word)] = lifted
    return {"": entries, "surname": surname_entries(char_readings), "given": given_entries(shares)}


def render(tables: dict[str, Entries]) -> bytes:
    assert list(tables) == ["", *TABLES], "the words, then the name tables"
    syllables = sorted({s for entries in tables.values() for reading, _ in entries for s in reading})
    ids = {s: n for n, s in enumerate(syllables)}
    out = io.StringIO()
    out.write(FORMAT + "\n#syllables " + " ".join(syllables) + "\n")
    for table, entries in tables.items():
        buckets: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for (reading, word), freq in entries.items():
            codes = "".join(chr(CODE_BASE + ids[s]) for s in reading)
            buckets["".join(s[0] for s in reading)].append((-freq, word, codes))
        for initials in sorted(buckets):
            out.write("@" + (f"{table}:" if table else "") + initials + "\n")
            for neg_freq, word, codes in sorted(buckets[initials]):
                out.write(f"{codes}\t{word}\t{-neg_freq}\n")
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(out.getvalue().encode("utf-8"))
    return raw.getvalue()


def build() -> bytes:
    return render(collect())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    data = build()
    if "--check" in argv:
        if not INDEX_FILE.exists() or INDEX_FILE.read_bytes() != data:
            print("assets/ime/pinyin_index.txt.gz is stale: run python -m kiosk.ime.build_index",
                  file=sys.stderr)
            return 1
        return 0
    INDEX_FILE.write_bytes(data)
    print(f"{INDEX_FILE.relative_to(ROOT)}: {len(data) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
