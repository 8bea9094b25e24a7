"""The door: the right PIN opens for its member; wrong ones count down and then lock,
across a restart; while locked even the right PIN is not tried; every try is audited and
no PIN is ever written down."""

from __future__ import annotations

import pytest

from kiosk.service.gate import Gate, MenuLocked, NoStaff, WrongPin
from kiosk.service.pins import StaffFile

PIN = "246810"


@pytest.fixture
def gate(config, clock):
    StaffFile(config.path(config.service.staff_file)).add("王建国", PIN)
    return Gate.from_config(config, clock=clock, wall=clock.aware)


def test_the_right_pin_opens_for_its_member(gate):
    assert gate.open(PIN).name == "王建国"
    [entry] = gate.audit.entries()
    assert (entry.who, entry.action, entry.ok) == ("王建国", "menu_opened", True)


def test_wrong_pins_count_down_then_lock_even_the_right_pin(gate, config, clock):
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPin) as wrong:
            gate.open("111111")
        assert wrong.value.tries_left == left
    with pytest.raises(MenuLocked) as locked:
        gate.open("111111")
    assert locked.value.seconds_left == 60
    again = Gate.from_config(config, clock=clock, wall=clock.aware)  # the app restarted
    with pytest.raises(MenuLocked):
        again.open(PIN)
    clock.advance(60)
    assert again.open(PIN).name == "王建国"
    actions = [e.action for e in again.audit.entries()]
    assert actions == ["pin_wrong"] * 4 + ["menu_locked", "pin_refused_locked", "menu_opened"]
    assert PIN not in again.audit.path.read_text(encoding="utf-8")
    assert "111111" not in again.audit.path.read_text(encoding="utf-8")


def test_a_malformed_pin_counts_as_wrong(gate):
    with pytest.raises(WrongPin):
        gate.open("12")


def test_no_staff_file_means_the_menu_cannot_open(config, clock):
    with pytest.raises(NoStaff):
        Gate.from_config(config, clock=clock).open(PIN)
