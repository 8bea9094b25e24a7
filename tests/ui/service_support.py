"""Helpers for the service menu's UI tests: a staff file, the hidden corner held with a real
touch (the session's manual clock moved while the finger is down), a PIN typed on the pad."""

from __future__ import annotations

import pytest

import tests.ui.conftest as ui_conftest
from kiosk.config import parse_config
from kiosk.service.audit import AuditLog, audit_path
from kiosk.service.pins import StaffFile

PIN = "246810"
STAFF = "王建国"


@pytest.fixture
def staffed(monkeypatch, tmp_path):
    """Kiosks made by ``make_kiosk`` get a staff file (王建国, PIN 246810) in ``tmp_path``."""
    plain = ui_conftest.ui_config

    def with_staff(folder):
        raw = plain(folder).model_dump(mode="json", exclude_none=True)
        raw["service"] = {**raw.get("service", {}), "staff_file": str(folder / "staff.json")}
        return parse_config(raw, "test")

    monkeypatch.setattr(ui_conftest, "ui_config", with_staff)
    StaffFile(tmp_path / "staff.json").add(STAFF, PIN)
    return tmp_path


def hold(kiosk, seconds: float = 5.0, at: tuple[float, float] = (20, 20), slide: float = 0.0) -> None:
    """A finger held at ``at`` (from the window's top-left) for ``seconds`` of the kiosk's clock."""
    from kivy.tests.common import UnitTestTouch

    from kiosk.simulation.touch import window

    kiosk.idle(1)
    win = window()
    x, y = at[0], win.height - at[1]
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    kiosk.clock.advance(seconds)
    if slide:
        touch.touch_move(x + slide, y)
    touch.touch_up()
    kiosk.idle(2)


def type_pin(kiosk, pin: str, tapped: bool = True) -> None:
    """The PIN on the pad, then 确定; ``tapped=False`` presses the keys from code (fewer
    frames: the keypad's own taps are tested in test_widgets_keypad.py), 确定 is still tapped."""
    keypad = kiosk.screen.ids.keypad
    for digit in pin:
        kiosk.tap(keypad.keys[digit]) if tapped else keypad.press(digit)
    kiosk.tap(kiosk.screen.ids.ok_button)


def sign_in(kiosk, pin: str = PIN) -> None:
    hold(kiosk)
    assert kiosk.screen_name == "service_pin"
    type_pin(kiosk, pin)
    kiosk.wait(lambda: kiosk.screen_name == "service_menu", what="the menu")


def audited(kiosk) -> list[tuple[str, str, bool]]:
    log = AuditLog(audit_path(kiosk.services.config.data_dir))
    return [(e.who, e.action, e.ok) for e in log.entries()]
