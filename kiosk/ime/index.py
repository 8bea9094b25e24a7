"""The shipped dictionary in memory: one string per bucket, searched by regular expression.

A bucket holds every word whose syllables start with the same letters (``sfz``: 身份证, 是否在…),
one line each, ``<codes>\\t<word>\\t<frequency>``, most frequent first; a syllable is one code
character. A query is the bucket's letters plus, for each syllable, the set of codes allowed;
its regular expression walks the bucket in C and stops after ``limit`` matches, so a lookup
reads the most frequent words first and no more of them than it needs. The whole dictionary
is about 7 MB of strings in memory.

Besides the words (table ``""``), two tables of the same shape serve name mode: ``surname``
(张, 欧阳 …) and ``given`` (characters of given names: 伟, 芳 …). ``add`` puts a county's own
words in at start (extra.py).
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

INDEX_FILE = Path(__file__).resolve().parents[2] / "assets" / "ime" / "pinyin_index.txt.gz"
FORMAT = "#kiosk-ime 2"  # the file's first line; build_index.py writes it
TABLES = ("surname", "given")  # the name tables, after the words
CODE_BASE = 0x100  # syllable n is the character chr(CODE_BASE + n)


class DictionaryError(Exception):
    """The dictionary file is missing or not in the expected format."""


_FREQ = re.compile(r"\t([0-9]+)$", re.M)
_SINGLE = re.compile(r"^(.)\t([^\t\n])\t([0-9]+)$", re.M)


class WordIndex:
    def __init__(self, path: Path = INDEX_FILE):
        try:
            data = gzip.decompress(Path(path).read_bytes())
            chunks = data.split(b"\n@")  # bytes, not one big str: half the peak memory
            del data
            head = chunks[0].decode("utf-8").split("\n")
            if head[0] != FORMAT or not head[1].startswith("#syllables ") or len(chunks) < 2:
                raise DictionaryError(f"{path} is not a pinyin dictionary ({FORMAT})")
            self.syllables: list[str] = head[1].split()[1:]
            self.tables: dict[str, dict[str, str]] = {t: {} for t in ("",) + TABLES}
            totals = dict.fromkeys(self.tables, 0)
            for n in range(1, len(chunks)):
                key, _, rows = chunks[n].decode("utf-8").partition("\n")
                chunks[n] = b""
                table, _, initials = key.rpartition(":")
                if table not in self.tables or not initials.isalpha():
                    raise DictionaryError(f"{path}: unknown bucket {key!r}")
                self.tables[table][initials] = rows if rows.endswith("\n") else rows + "\n"
                totals[table] += sum(map(int, _FREQ.findall(rows)))
        except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile, IndexError) as err:
            raise DictionaryError(f"cannot read pinyin dictionary {path}: {err}") from err
        if not all(self.tables.values()):
            raise DictionaryError(f"{path}: the words or a name table ({', '.join(TABLES)}) is missing")
        self.buckets = self.tables[""]
        self.code = {s: chr(CODE_BASE + n) for n, s in enumerate(self.syllables)}
        self._index_keys()
        self.totals = {t: max(n, 1) for t, n in totals.items()}
        self.total = self.totals[""]

    def _index_keys(self) -> None:
        self.key_prefixes = frozenset(k[:n] for k in self.buckets for n in range(1, len(k) + 1))

    def lookup(self, initials: str, classes: tuple[str, ...], limit: int,
               table: str = "") -> list[tuple[str, int]]:
        """(word, frequency) for words of len(classes) syllables, syllable k's code in
        classes[k] (one code, or a class body such as 'a-f'); most frequent first, at most
        ``limit``. ``table``: "" the words, or a name table."""
        rows = self.tables[table].get(initials)
        if rows is None or limit <= 0:
            return []
        out = []
        for m in _pattern(classes).finditer(rows):
            out.append((m.group(1), int(m.group(2))))
            if len(out) >= limit:
                break
        return out


    def char_readings(self) -> dict[str, list[tuple[str, int]]]:
        """Character → its readings (syllable, frequency), most frequent first: the
        single-character lines of the words."""
        out: dict[str, list[tuple[str, int]]] = {}
        for initials, rows in self.buckets.items():
            if len(initials) == 1:
                for m in _SINGLE.finditer(rows):
                    syllable = self.syllables[ord(m.group(1)) - CODE_BASE]
                    out.setdefault(m.group(2), []).append((syllable, int(m.group(3))))
        for readings in out.values():
            readings.sort(key=lambda sf: (-sf[1], sf[0]))
        return out

    def add(self, rows: list[tuple[tuple[str, ...], str, int]]) -> None:
        """Put (syllables, word, frequency) rows into the words, in frequency order; a word
        already there under the same reading takes the new frequency."""
        by_bucket: dict[str, dict[tuple[str, str], int]] = {}
        for syllables, word, freq in rows:
            codes = "".join(self.code[s] for s in syllables)
            by_bucket.setdefault("".join(s[0] for s in syllables), {})[codes, word] = freq
        for initials, new in by_bucket.items():
            lines = [line.split("\t") for line in self.buckets.get(initials, "").splitlines()]
            kept = [(-int(f), w, c) for c, w, f in lines if (c, w) not in new]
            merged = sorted(kept + [(-f, w, c) for (c, w), f in new.items()])
            self.buckets[initials] = "".join(f"{c}\t{w}\t{-f}\n" for f, w, c in merged)
        self._index_keys()


def forget_typing() -> None:
    """Drop the compiled search patterns (ours and ``re``'s own cache): they are made from
    what a citizen typed, so the kiosk forgets them when a visit ends."""
    _pattern.cache_clear()
    re.purge()


@lru_cache(maxsize=8192)
def _pattern(classes: tuple[str, ...]) -> re.Pattern:
    parts = (c if len(c) == 1 else "[" + c + "]" for c in classes)
    return re.compile("^" + "".join(parts) + "\t([^\t\n]*)\t([0-9]+)$", re.M)
