"""How fast the pinyin engine answers, and what it costs in memory.

    .venv/bin/python bench/ime_speed.py

Loads the engine in this process and prints: the time to load the dictionary, the resident
memory (RSS) before and after, the first query's time, then p50 / p99 / max of every
keystroke of every word of tests/ime/words.txt typed letter by letter (full pinyin and
initials), and of a few long phrases, in order (as a citizen types: the regular expressions
of a prefix are compiled once, at its keystroke); then the same for the personal names typed
in name mode (a name field). Times are CPU seconds of this process (``time.process_time``),
so that other work on the machine does not blur them.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.ime.quality import read_words  # noqa: E402

LONG = ["zhongguogongshangyinhangzhengzhouerqizhihang", "erqiqujiefanglujiedaobanshichu",
        "shenfenzhenghaoma", "chengxiangjumin'jibenyiliaobaoxian"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def keystrokes(engine, typed: list[str], names: bool = False) -> list[float]:
    times = []
    for text in typed:
        t0 = time.process_time()
        engine.candidates(text, names=names)
        times.append(time.process_time() - t0)
    return sorted(times)


def summary(times: list[float]) -> str:
    return (f"{len(times)} keystrokes: p50 {ms(statistics.median(times))}, "
            f"p99 {ms(times[int(len(times) * 0.99)])}, max {ms(times[-1])}")


def main() -> None:
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    t0 = time.process_time()
    from kiosk.ime import PinyinEngine

    engine = PinyinEngine()
    load = time.process_time() - t0
    rss1 = proc.memory_info().rss
    t0 = time.process_time()
    engine.candidates("shenfenzheng")
    first = time.process_time() - t0

    typed, named = [], []
    for category, _word, syllables in read_words():
        full = "".join(syllables)
        initials = "".join(s[0] for s in syllables)
        for letters in (full, initials):
            typed += [letters[:n] for n in range(1, len(letters) + 1)]
            if category == "names":
                named += [letters[:n] for n in range(1, len(letters) + 1)]
    for phrase in LONG:
        typed += [phrase[:n] for n in range(1, len(phrase) + 1)]
    times = keystrokes(engine, typed)
    print(f"load (import + read index): {load:.2f} s")
    print(f"RSS: {rss0 / 2**20:.0f} MB before, {rss1 / 2**20:.0f} MB after load "
          f"(+{(rss1 - rss0) / 2**20:.0f} MB)")
    print(f"first query: {ms(first)}")
    print(summary(times))
    print("names in name mode:", summary(keystrokes(engine, named, names=True)))
    per_text = {}
    for text in typed:
        t0 = time.process_time()
        engine.candidates(text)
        per_text[text] = time.process_time() - t0
    worst = sorted(per_text.items(), key=lambda kv: -kv[1])[:5]
    print("slowest:", ", ".join(f"{t} {ms(s)}" for t, s in worst))
    print(f"RSS after the run: {proc.memory_info().rss / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
