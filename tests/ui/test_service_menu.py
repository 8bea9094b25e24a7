"""The service menu's door and switches, tapped on the real window: the hidden corner (a
5-second hold; taps, short holds, other corners and a sliding finger do nothing), the PIN
pad (right PIN → menu; five wrong → locked, also after a restart), maintenance on (citizen
home shows 暂停服务, heartbeat ``maintenance``) and off again, restart and leave (exit codes,
a second tap to confirm), and the menu closing itself when staff walk away."""

from __future__ import annotations

import json

from kiosk.agent.heartbeat import HEARTBEAT_FILE
from kiosk.service.actions import LEAVE_EXIT, LEAVE_FLAG
from kiosk.ui.app import RESTART_EXIT
from tests.ui.conftest import close_kiosk
from tests.ui.service_support import PIN, STAFF, audited, hold, sign_in, staffed, type_pin  # noqa: F401


def heartbeat_state(kiosk) -> str:
    return json.loads((kiosk.services.runtime_dir / HEARTBEAT_FILE).read_text(encoding="utf-8"))["state"]


def test_a_stray_touch_never_opens_the_menu(staffed, make_kiosk):
    kiosk = make_kiosk()
    for seconds, at, slide in [(0.2, (20, 20), 0), (4.5, (20, 20), 0),  # a tap, a hold too short
                               (6, (1060, 20), 0), (6, (20, 1900), 0), (6, (1060, 1900), 0),  # other corners
                               (6, (540, 960), 0),  # the middle
                               (6, (20, 20), 300)]:  # held long enough, but slid away
        hold(kiosk, seconds, at, slide)
        assert kiosk.screen_name == "home", (seconds, at, slide)
    assert audited(kiosk) == []


def test_hidden_entry_pin_menu_maintenance_on_and_off(staffed, make_kiosk):
    kiosk = make_kiosk()
    sign_in(kiosk)
    assert any(STAFF in text for text in kiosk.texts())
    assert "当前状态：正常服务" in kiosk.texts()
    kiosk.tap(kiosk.screen.ids.maintenance_button)
    assert kiosk.services.maintenance and kiosk.screen_name == "service_menu"  # staff stay in the menu
    assert "当前状态：暂停服务（维护中）" in kiosk.texts()
    assert heartbeat_state(kiosk) == "maintenance"
    kiosk.tap(kiosk.screen.ids.cancel_button)  # 退出维护菜单
    assert kiosk.screen_name == "out_of_service" and "暂停服务" in kiosk.texts()
    sign_in(kiosk)  # the same corner on 暂停服务
    kiosk.tap(kiosk.screen.ids.maintenance_button)
    assert not kiosk.services.maintenance and heartbeat_state(kiosk) == "serving"
    kiosk.tap(kiosk.screen.ids.cancel_button)
    assert kiosk.screen_name == "home"
    assert audited(kiosk) == [(STAFF, "menu_opened", True), (STAFF, "maintenance_on", True),
                              (STAFF, "menu_closed", True), (STAFF, "menu_opened", True),
                              (STAFF, "maintenance_off", True), (STAFF, "menu_closed", True)]


def test_five_wrong_pins_lock_the_menu_even_after_a_restart(staffed, make_kiosk):
    kiosk = make_kiosk()
    hold(kiosk)
    for left in (4, 3, 2, 1):
        type_pin(kiosk, "111111", tapped=left == 4)
        kiosk.wait(lambda: not kiosk.screen.checking)
        assert kiosk.screen.message == f"密码不正确，还可以再试{left}次"
    type_pin(kiosk, "111111", tapped=False)
    kiosk.wait(lambda: not kiosk.screen.checking)
    assert "已锁定" in kiosk.screen.message and "1分钟" in kiosk.screen.message
    type_pin(kiosk, PIN, tapped=False)  # the right one, while locked: not even tried
    kiosk.wait(lambda: not kiosk.screen.checking)
    assert kiosk.screen_name == "service_pin" and "已锁定" in kiosk.screen.message
    kiosk.tap(kiosk.screen.ids.cancel_button)
    assert kiosk.screen_name == "home"
    close_kiosk(kiosk)  # the app stops …
    again = make_kiosk()  # … and starts again: still locked
    hold(again)
    assert "已锁定" in again.screen.ids.message_label.text
    assert [a for _, a, _ in audited(again)] == ["pin_wrong"] * 4 + ["menu_locked", "pin_refused_locked"]


def test_the_pin_pad_shows_dots_and_needs_six_digits(staffed, make_kiosk):
    kiosk = make_kiosk()
    hold(kiosk)
    for digit in "24681":
        kiosk.tap(kiosk.screen.ids.keypad.keys[digit])
    assert kiosk.screen.ids.dots_label.text == "\u25cf" * 5 and PIN[:5] not in kiosk.texts()
    assert kiosk.screen.ids.ok_button.disabled
    kiosk.tap(kiosk.screen.ids.keypad.keys["0"])
    assert not kiosk.screen.ids.ok_button.disabled


def test_the_menu_closes_itself_when_left_alone(staffed, make_kiosk):
    kiosk = make_kiosk()
    sign_in(kiosk)
    kiosk.tap(kiosk.screen.ids.readiness_button)
    kiosk.clock.advance(kiosk.services.config.service.idle_close_s - 5)
    kiosk.idle(3)
    assert kiosk.screen_name == "service_readiness"
    kiosk.clock.advance(5)
    kiosk.wait(lambda: kiosk.screen_name == "home", timeout=3, what="the menu to close")
    assert audited(kiosk)[-1] == (STAFF, "menu_closed", True)
    assert getattr(kiosk.app, "service_visit", None) is None


def test_restart_and_leave_need_a_second_tap_and_exit_with_their_codes(staffed, make_kiosk, monkeypatch):
    kiosk = make_kiosk()
    stopped = []
    monkeypatch.setattr(kiosk.app, "stop", lambda *a: stopped.append(kiosk.app.exit_code))
    sign_in(kiosk)
    kiosk.tap(kiosk.screen.ids.restart_button)
    assert stopped == [] and kiosk.screen.ids.restart_button.text == "再按一次确认"
    kiosk.tap(kiosk.screen.ids.restart_button)
    assert stopped == [RESTART_EXIT]
    kiosk.tap(kiosk.screen.ids.leave_button)
    kiosk.clock.advance(6)  # too late for the second tap: it arms again
    kiosk.tap(kiosk.screen.ids.leave_button)
    assert stopped == [RESTART_EXIT]
    flag = kiosk.services.runtime_dir / LEAVE_FLAG
    assert not flag.exists()
    kiosk.tap(kiosk.screen.ids.leave_button)
    assert stopped == [RESTART_EXIT, LEAVE_EXIT]
    assert json.loads(flag.read_text(encoding="utf-8"))["who"] == STAFF  # systemd's restart skips once
    assert [a for _, a, _ in audited(kiosk)] == ["menu_opened", "app_restart", "leave_to_desktop"]


def test_no_staff_file_says_how_to_add_staff(make_kiosk):
    kiosk = make_kiosk()
    hold(kiosk)
    type_pin(kiosk, PIN)
    kiosk.wait(lambda: not kiosk.screen.checking)
    assert "add-staff" in kiosk.screen.message
