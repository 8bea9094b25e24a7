"""Name mode: candidates that are a person's full name, for fields such as 配偶姓名.

``engine.candidates("zhangwei", names=True)`` offers first up to ``NAME_FIRST`` full names:
a surname of one or two syllables (张, 欧阳) then one or two given-name characters, ranked by
log P(surname) + the sum of log P(character) from the dictionary's name tables
(build_names.py), less the engine's penalties for initials and an unfinished syllable. Then
up to ``SURNAME_FIRST`` surnames alone that use only the first letters (pick 张 and the rest,
``wei``, composes on: a citizen can always go character by character), then the usual
candidates. One syllable alone offers the likeliest name characters first, surnames and
given-name characters together (``wei``: 伟, 魏, 卫 …).
"""

from __future__ import annotations

import math
from itertools import product

from kiosk.ime.index import TABLES, WordIndex

NAME_FIRST = 5
SURNAME_FIRST = 2
HEADS = 4  # surnames tried per reading
GIVEN = 8  # given-name characters tried per syllable
GIVEN_PAIR = 6  # per syllable of a two-character given name


class NameFinder:
    def __init__(self, index: WordIndex):
        self.index = index
        self._log_total = {t: math.log(index.totals[t]) for t in TABLES}
        self._surname_keys = frozenset(index.tables["surname"])
        self._surname_starts = frozenset(k[:1] for k in self._surname_keys)
        self._given_keys = frozenset(index.tables["given"])

    def may_start(self, keys: str) -> bool:
        """Whether bucket letters ``keys`` (one a syllable) begin some name: a surname's,
        then one or two given characters' (the engine reads letters only where a word or a
        name may follow)."""
        if keys in self._surname_keys or keys in self._surname_starts or keys in self._given_keys:
            return True
        return any(keys[:k] in self._surname_keys and 1 <= len(keys) - k <= 2
                   and all(c in self._given_keys for c in keys[k:]) for k in (1, 2))

    def _log_p(self, table: str, freq: int) -> float:
        return math.log(freq + 1) - self._log_total[table]

    def full(self, initials: str, classes: tuple[str, ...], penalty: float,
             consumed: int) -> list[tuple[float, str, int]]:
        """(score, name, consumed) for a reading of every typed letter."""
        lookup, out = self.index.lookup, []
        if len(classes) == 1:
            for table in TABLES:
                for char, freq in lookup(initials, classes, GIVEN, table):
                    out.append((self._log_p(table, freq) - penalty, char, consumed))
            return out
        for k in (1, 2):
            rest = len(classes) - k
            if not 1 <= rest <= 2:
                continue
            heads = lookup(initials[:k], classes[:k], HEADS, "surname")
            limit = GIVEN if rest == 1 else GIVEN_PAIR
            parts = [lookup(initials[i], classes[i:i + 1], limit, "given")
                     for i in range(k, len(classes))]
            if not heads or not all(parts):
                continue
            for combo in product([("surname", h) for h in heads],
                                 *[[("given", g) for g in part] for part in parts]):
                score = sum(self._log_p(table, freq) for table, (_, freq) in combo)
                out.append((score - penalty, "".join(w for _, (w, _f) in combo), consumed))
        return out

    def surnames(self, initials: str, classes: tuple[str, ...], penalty: float,
                 consumed: int) -> list[tuple[float, str, int]]:
        """(score, surname, consumed) for a reading of the first letters only."""
        if len(classes) > 2:
            return []
        return [(self._log_p("surname", freq) - penalty, word, consumed)
                for word, freq in self.index.lookup(initials, classes, HEADS, "surname")]


def best(found: list[tuple[float, str, int]], count: int,
         longest: bool = False) -> list[tuple[float, str, int]]:
    """The ``count`` best, one per text, best first (ties by text: deterministic);
    ``longest``: the longest texts first (欧阳 before 欧)."""
    out, seen = [], set()
    for item in sorted(found, key=lambda f: (-len(f[1]) if longest else 0, -f[0], f[1])):
        if item[1] not in seen:
            seen.add(item[1])
            out.append(item)
            if len(out) == count:
                break
    return out
