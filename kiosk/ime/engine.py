"""The pinyin engine: typed letters in, Chinese candidates out, best first, a page at a time.

    engine = PinyinEngine()                      # loads assets/ime/pinyin_index.txt.gz (~0.3 s)
    page = engine.candidates("shenfenzhenghao")  # Candidates(items=(…), has_more=True)
    page.items[0].text, page.items[0].consumed   # '身份证号', 15

Order of the candidates:

1. words (and one composed phrase) that use every typed letter, by score;
2. words that use only the first letters, longest first, then by score; after choosing one,
   the keyboard keeps ``typed[candidate.consumed:]`` and asks again;
3. single characters come in through (2) whenever nothing longer matches.

For a name field, ``candidates(typed, names=True)`` puts full names first (names.py).

A word's score is the log of its corpus frequency (gov_words lifted, see build_index), less
``ABBR_PENALTY`` for each syllable typed as an initial only and ``PART_PENALTY`` when the
last syllable is unfinished. The composed phrase (``erqiqujiefanglu`` → 二七区解放路) is
the best chain of words covering all the letters, by the sum of their scores less
``WORD_PENALTY`` a word.

The engine keeps no memory between calls: nothing a citizen types changes what the next one
is offered (no ``learn()``: a kiosk must not remember the last citizen's words). The only
cache, of compiled regular expressions in index.py, changes speed, never the answers. A
county's own words (extra.py) are added once, at start, before the keyboard uses the engine.

Thread use: one engine may be shared; ``candidates`` reads only immutable data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kiosk.ime.index import WordIndex
from kiosk.ime.names import NAME_FIRST, SURNAME_FIRST, NameFinder, best
from kiosk.ime.parse import ABBR, FULL, PART, Parser, PinyinInputError, Typed, read_input

ABBR_PENALTY = 3.0
PART_PENALTY = 5.0
WORD_PENALTY = 3.0  # each word of a composed phrase: fewer, longer words beat chains of characters
MAX_SYLLABLES = 16
MAX_NODES = 400  # readings explored per position, a bound on the work of one keystroke
PER_PAGE = 8

__all__ = ["Candidate", "Candidates", "PinyinEngine", "PinyinInputError"]


@dataclass(frozen=True)
class Candidate:
    text: str
    consumed: int  # characters of the typed string this candidate uses up
    score: float


@dataclass(frozen=True)
class Candidates:
    items: tuple[Candidate, ...]
    has_more: bool


EMPTY = Candidates((), False)


@dataclass(frozen=True)
class _Node:
    """A reading of letters [start, end): the bucket letters and allowed codes per syllable."""

    end: int
    initials: str
    classes: tuple[str, ...]
    penalty: float


class PinyinEngine:
    def __init__(self, index: WordIndex | None = None):
        self.index = index or WordIndex()
        self.parser = Parser(self.index.syllables)
        self.names = NameFinder(self.index)
        code, syllables = self.index.code, self.index.syllables
        self._exact = {s: code[s] for s in syllables}
        # syllables are sorted, so those starting with p are a run of codes: a regex range
        self._starting = {p: _run([code[s] for s in syllables if s.startswith(p)])
                          for p in self.parser.prefixes}
        self._longer = {p: _run([code[s] for s in syllables if s.startswith(p) and s != p])
                        for p in self.parser.prefixes}
        self._log_total = math.log(self.index.total)

    # --- public ---------------------------------------------------------------------------

    def candidates(self, pinyin: str, page: int = 0, per_page: int = PER_PAGE,
                   names: bool = False) -> Candidates:
        """Candidates for what has been typed so far; ``names``: a person's name is typed
        (full names first). Raises PinyinInputError on anything but lowercase a-z and
        apostrophes; an empty input, or letters no syllable starts with, give no
        candidates."""
        if page < 0 or per_page < 1:
            raise ValueError("page must be >= 0 and per_page >= 1")
        typed = read_input(pinyin)
        if not typed.letters:
            return EMPTY
        want = (page + 1) * per_page + 1
        ranked = self._rank(typed, want + 8, names)
        start = page * per_page
        return Candidates(tuple(ranked[start:start + per_page]), len(ranked) > start + per_page)

    # --- ranking --------------------------------------------------------------------------

    def _rank(self, typed: Typed, limit: int, names: bool = False) -> list[Candidate]:
        n = len(typed.letters)
        whole: list[Candidate] = []
        partial: list[tuple[int, Candidate]] = []
        named: list[tuple[float, str, int]] = []
        surnames: list[tuple[float, str, int]] = []
        for node in self._nodes(typed, 0, names):
            for word, freq in self.index.lookup(node.initials, node.classes, limit):
                cand = Candidate(word, typed.raw_end[node.end], self._score(freq, node.penalty))
                if node.end == n:
                    whole.append(cand)
                else:
                    partial.append((node.end, cand))
            if names:
                find = self.names.full if node.end == n else self.names.surnames
                (named if node.end == n else surnames).extend(
                    find(node.initials, node.classes, node.penalty, typed.raw_end[node.end]))
        phrase = self._compose(typed)
        if phrase is not None:
            whole.append(phrase)
        whole.sort(key=lambda c: -c.score)
        partial.sort(key=lambda ec: (-ec[0], -ec[1].score))
        if not named or any(c.consumed == len(typed.raw) and len(c.text) == 1 for c in whole[:1]):
            surnames = []  # not a name, or one syllable typed: its characters are the names
        first = [Candidate(text, consumed, score) for score, text, consumed in
                 best(named, NAME_FIRST) + best(surnames, SURNAME_FIRST, longest=True)]
        seen, out = set(), []
        for cand in first + whole + [c for _, c in partial]:
            if cand.text not in seen:
                seen.add(cand.text)
                out.append(cand)
        return out

    def _score(self, freq: int, penalty: float) -> float:
        return math.log(freq + 1) - self._log_total - penalty

    def _nodes(self, typed: Typed, start: int, names: bool = False):
        """Every reading of letters from ``start`` that some dictionary word (or, with
        ``names``, some name) could have, depth first, whole syllables before initials; at
        most MAX_NODES."""
        n = len(typed.letters)
        words, may_start = self.index.key_prefixes, self.names.may_start
        stack = [(start, "", (), 0.0)]
        count = 0
        while stack and count < MAX_NODES:
            pos, initials, classes, penalty = stack.pop()
            if pos == n or len(classes) >= MAX_SYLLABLES:
                continue
            pushes = []
            for token in self.parser.tokens_at(typed, pos):
                keys = initials + token.text[0]
                if keys not in words and not (names and may_start(keys)):
                    continue
                for allowed, extra in self._token_classes(token):
                    node = _Node(token.end, keys, classes + (allowed,), penalty + extra)
                    count += 1
                    yield node
                    pushes.append((token.end, keys, node.classes, node.penalty))
            stack.extend(reversed(pushes))

    def _token_classes(self, token):
        if token.kind == FULL:
            yield self._exact[token.text], 0.0
        elif token.kind == ABBR:
            yield self._starting[token.text], ABBR_PENALTY
        elif token.kind == PART and self._longer.get(token.text):
            yield self._longer[token.text], PART_PENALTY

    def _compose(self, typed: Typed) -> Candidate | None:
        """The best chain of two or more words that uses every letter (a Viterbi pass over
        letter positions, one best word per reading)."""
        n = len(typed.letters)
        best: dict[int, tuple[float, tuple[str, ...]]] = {0: (0.0, ())}
        for pos in range(n):
            if pos not in best:
                continue
            score0, words0 = best[pos]
            for node in self._nodes(typed, pos):
                top = self.index.lookup(node.initials, node.classes, 1)
                if not top:
                    continue
                score = score0 + self._score(top[0][1], node.penalty) - WORD_PENALTY
                if node.end not in best or score > best[node.end][0]:
                    best[node.end] = (score, words0 + (top[0][0],))
        if n not in best or len(best[n][1]) < 2:
            return None
        score, words = best[n]
        return Candidate("".join(words), len(typed.raw), score)


def _run(codes: list[str]) -> str:
    """Consecutive codes as a character-class body: 'a-f' (a single code stays itself)."""
    if not codes:
        return ""
    assert ord(codes[-1]) - ord(codes[0]) == len(codes) - 1, "syllable codes not consecutive"
    return codes[0] if len(codes) == 1 else codes[0] + "-" + codes[-1]
