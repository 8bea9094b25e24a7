"""One code seen twice within the window is one scan: the debouncer (on an injected
clock) and the sink every source shares (bytes → text → debounce → ``on_code``, with
rejected codes counted and a broken callback survived). A ``ScannedCode`` never shows
its whole text in a repr, since a code may carry an ID number."""

from datetime import datetime, timezone

import pytest

from drivers.health import Health
from drivers.scanner.model import CodeSink, Debouncer, ScannedCode, mask_code


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


# (seconds since start, code, accepted?) with a 2 s window
TIMELINE = [
    (0.0, "A", True),
    (0.5, "A", False),   # the same code again: one scan
    (0.6, "B", True),    # another code is a scan at once
    (1.9, "A", False),   # seen again, still within 2 s of the last sighting
    (3.8, "A", False),   # 1.9 s after the last sighting: the window slides while held
    (5.85, "A", True),   # away for over 2 s: a new scan
    (5.9, "B", True),    # B last seen 5.3 s ago
    (7.89, "B", False),
    (9.9, "B", True),
]


def test_debouncer_timeline():
    clock = FakeClock()
    debouncer = Debouncer(2.0, clock)
    start = clock.now
    for at, code, accepted in TIMELINE:
        clock.now = start + at
        assert debouncer.accept(code) is accepted, (at, code)


def test_debouncer_zero_window_accepts_every_sighting_and_reset_forgets():
    clock = FakeClock()
    assert all(Debouncer(0.0, clock).accept("A") for _ in range(3))
    debouncer = Debouncer(2.0, clock)
    assert debouncer.accept(b"A") and not debouncer.accept("A")  # str and bytes agree
    debouncer.reset()
    assert debouncer.accept("A")
    with pytest.raises(ValueError):
        Debouncer(-1)


def test_debouncer_forgets_old_codes_without_losing_recent_ones():
    clock = FakeClock()
    debouncer = Debouncer(2.0, clock)
    for i in range(200):
        clock.now += 0.1
        assert debouncer.accept(f"code-{i}")
    assert len(debouncer._last_seen) <= 64 + 21
    assert not debouncer.accept("code-199")


def make_sink(calls, clock, on_code=None):
    health = Health("scanner")
    wall = datetime(2026, 11, 22, 8, 30, tzinfo=timezone.utc)
    sink = CodeSink("serial", on_code or calls.append, health, debounce=2.0, clock=clock,
                    wall_clock=lambda: wall)
    return sink, health


def test_sink_delivers_decodes_debounces_and_counts():
    calls, clock = [], FakeClock()
    sink, health = make_sink(calls, clock)
    gbk = "张三".encode("gbk")
    assert sink.offer(gbk, "QRCode") is not None
    assert sink.offer(gbk, "QRCode") is None  # a repeat
    assert sink.offer(b"\xff\xff") is None  # not text
    assert sink.offer(b"ZZ-EQ-0001-20261122-000042") is not None
    assert [(c.text, c.raw, c.format, c.source, c.encoding) for c in calls] == [
        ("张三", gbk, "QRCode", "serial", "gb18030"),
        ("ZZ-EQ-0001-20261122-000042", b"ZZ-EQ-0001-20261122-000042", "unknown", "serial", "utf-8"),
    ]
    assert calls[0].time == datetime(2026, 11, 22, 8, 30, tzinfo=timezone.utc)
    counters = health.snapshot().counters
    assert (counters["operations"], counters["duplicates"], counters["rejected"]) == (2, 1, 1)
    assert health.snapshot().detail["last_rejected"] == "scan_bad_encoding"


def test_sink_survives_a_broken_callback():
    clock = FakeClock()

    def broken(code):
        raise RuntimeError("consumer bug")

    sink, health = make_sink([], clock, broken)
    assert sink.offer(b"A") is not None
    assert sink.offer(b"B") is not None
    assert health.snapshot().counters["operations"] == 2


def test_repr_masks_the_code():
    code = ScannedCode(text="110105199001010022", raw=b"110105199001010022", format="QRCode",
                       source="camera")
    shown = repr(code) + str(code)
    assert "110105199001010022" not in shown
    assert "1101…(18 chars)" in shown and "18 bytes" in shown
    assert mask_code("abc") == "***"
