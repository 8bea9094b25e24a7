"""Five wrong PINs lock the menu for 1, 2, 4 … minutes (capped); the lock survives a new
instance (a restart); a right PIN clears it; a clock that stepped back cannot stretch it."""

from __future__ import annotations

import pytest

from kiosk.service.lockout import Lockout


def make(tmp_path, clock, **kw):
    return Lockout(tmp_path / "service" / "lockout.json", clock=clock, **kw)


def five_wrong(lockout) -> int:
    started = [lockout.failed() for _ in range(5)]
    assert started[:4] == [0, 0, 0, 0]
    return started[4]


def test_four_wrong_pins_do_not_lock_the_fifth_does(tmp_path, clock):
    lockout = make(tmp_path, clock)
    for n in range(4):
        assert lockout.failed() == 0 and lockout.tries_left() == 4 - n
        assert lockout.seconds_left() == 0
    assert lockout.failed() == 60
    assert lockout.seconds_left() == 60
    clock.advance(59)
    assert lockout.seconds_left() == 1
    clock.advance(1)
    assert lockout.seconds_left() == 0 and lockout.tries_left() == 5


def test_each_lock_doubles_up_to_the_cap(tmp_path, clock):
    lockout = make(tmp_path, clock, lock_s=60, lock_cap_s=600)
    lengths = []
    for _ in range(6):
        lengths.append(five_wrong(lockout))
        clock.advance(lengths[-1])
    assert lengths == [60, 120, 240, 480, 600, 600]


def test_the_lock_survives_a_restart(tmp_path, clock):
    five_wrong(make(tmp_path, clock))
    clock.advance(30)
    again = make(tmp_path, clock)  # a new process reads the file
    assert again.seconds_left() == 30
    clock.advance(30)
    assert five_wrong(again) == 120  # the count of locks survived too


def test_a_right_pin_clears_tries_and_the_growth(tmp_path, clock):
    lockout = make(tmp_path, clock)
    five_wrong(lockout)
    clock.advance(60)
    lockout.failed()
    lockout.succeeded()
    assert lockout.tries_left() == 5
    assert five_wrong(lockout) == 60


def test_a_clock_stepped_back_cannot_lengthen_the_lock_past_the_cap(tmp_path, clock):
    lockout = make(tmp_path, clock, lock_cap_s=3600)
    five_wrong(lockout)
    clock.advance(-86400)  # the RTC lost a day
    assert lockout.seconds_left() == 3600


@pytest.mark.parametrize("text", ["{", '{"failures": "x"}', "[]"])
def test_an_unreadable_file_locks_rather_than_forgets(tmp_path, clock, text):
    path = tmp_path / "service" / "lockout.json"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    assert make(tmp_path, clock).seconds_left() == 60
