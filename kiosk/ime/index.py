"""The shipped dictionary in memory: one string per bucket, searched by regular expression.

A bucket holds every word whose syllables start with the same letters (``sfz``: 身份证, 是否在…),
one line each, ``<codes>\\t<word>\\t<frequency>``, most frequent first; a syllable is one code
character. A query is the bucket's letters plus, for each syllable, the set of codes allowed;
its regular expression walks the bucket in C and stops after ``limit`` matches, so a lookup
reads the most frequent words first and no more of them than it needs. The whole dictionary
is about 7 MB of strings in memory.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

INDEX_FILE = Path(__file__).resolve().parents[2] / "assets" / "ime" / "pinyin_index.txt.gz"
FORMAT = "#kiosk-ime 1"  # the file's first line; build_index.py writes it
CODE_BASE = 0x100  # syllable n is the character chr(CODE_BASE + n)


class DictionaryError(Exception):
    """The dictionary file is missing or not in the expected format."""


_FREQ = re.compile(r"\t([0-9]+)$", re.M)


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
            self.buckets: dict[str, str] = {}
            total = 0
            for n in range(1, len(chunks)):
                initials, _, rows = chunks[n].decode("utf-8").partition("\n")
                chunks[n] = b""
                self.buckets[initials] = rows if rows.endswith("\n") else rows + "\n"
                total += sum(map(int, _FREQ.findall(rows)))
        except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile, IndexError) as err:
            raise DictionaryError(f"cannot read pinyin dictionary {path}: {err}") from err
        self.code = {s: chr(CODE_BASE + n) for n, s in enumerate(self.syllables)}
        self.key_prefixes = frozenset(k[:n] for k in self.buckets for n in range(1, len(k) + 1))
        self.total = max(total, 1)

    def lookup(self, initials: str, classes: tuple[str, ...], limit: int) -> list[tuple[str, int]]:
        """(word, frequency) for words of len(classes) syllables, syllable k's code in
        classes[k] (one code, or a class body such as 'a-f'); most frequent first, at most
        ``limit``."""
        rows = self.buckets.get(initials)
        if rows is None or limit <= 0:
            return []
        out = []
        for m in _pattern(classes).finditer(rows):
            out.append((m.group(1), int(m.group(2))))
            if len(out) >= limit:
                break
        return out


def forget_typing() -> None:
    """Drop the compiled search patterns (ours and ``re``'s own cache): they are made from
    what a citizen typed, so the kiosk forgets them when a visit ends."""
    _pattern.cache_clear()
    re.purge()


@lru_cache(maxsize=8192)
def _pattern(classes: tuple[str, ...]) -> re.Pattern:
    parts = (c if len(c) == 1 else "[" + c + "]" for c in classes)
    return re.compile("^" + "".join(parts) + "\t([^\t\n]*)\t([0-9]+)$", re.M)
