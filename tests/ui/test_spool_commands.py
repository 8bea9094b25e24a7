"""Commands the agent passes through the spool: maintenance (暂停服务, heartbeat
``maintenance``), the test page, restart; plus the heartbeat and device-health files."""

import json

from kiosk.agent.heartbeat import HEALTH_FILE, HEARTBEAT_FILE
from kiosk.agent.spool import CommandSpool
from kiosk.session import State
from kiosk.ui.app import RESTART_EXIT


def heartbeat(kiosk):
    return json.loads((kiosk.services.runtime_dir / HEARTBEAT_FILE).read_text(encoding="utf-8"))


def send(kiosk, command_id, kind):
    spool = CommandSpool(kiosk.services.runtime_dir)
    spool.enqueue(command_id, kind, {})
    kiosk.services.poll_spool()
    kiosk.idle(2)
    return spool


def test_heartbeat_and_device_health_are_written_at_start(kiosk):
    assert heartbeat(kiosk)["state"] == "serving"
    health = json.loads((kiosk.services.runtime_dir / HEALTH_FILE).read_text(encoding="utf-8"))
    assert set(health["devices"]) == {"idcard", "printer", "scanner", "camera"}
    assert health["devices"]["printer"]["state"] == "online"


def test_maintenance_shows_out_of_service_and_the_heartbeat_says_so(kiosk):
    spool = send(kiosk, "c1", "enter_maintenance")
    assert kiosk.screen_name == "out_of_service"
    assert "暂停服务" in kiosk.texts() and "维护" in kiosk.screen.ids.reason_label.text
    assert kiosk.screen.ids.phone_label.text == "0371-68665010"
    assert heartbeat(kiosk)["state"] == "maintenance"
    assert spool.result("c1").ok
    spool = send(kiosk, "c2", "leave_maintenance")
    assert kiosk.screen_name == "home" and heartbeat(kiosk)["state"] == "serving"
    assert spool.result("c2").ok


def test_maintenance_waits_for_the_citizen_in_front_of_the_screen(kiosk):
    kiosk.tap(kiosk.screen.ids.tile_apply)
    kiosk.tap(kiosk.screen.item_tiles["zz-gljt"])
    send(kiosk, "c1", "enter_maintenance")
    assert kiosk.session.state is State.GUIDE and kiosk.screen_name == "guide"
    assert heartbeat(kiosk)["state"] == "maintenance"
    kiosk.tap(kiosk.screen.ids.cancel_button)
    assert kiosk.screen_name == "out_of_service"


def test_print_test_page_prints_the_identity_card(kiosk):
    spool = send(kiosk, "c3", "print_test_page")
    kiosk.wait(lambda: spool.result("c3") is not None)
    assert spool.result("c3").ok
    [doc] = kiosk.devices["printer"].printed
    values = [str(getattr(p, "value", getattr(p, "text", ""))) for p in doc.items]
    assert "打印测试页" in values and "0371-68665010" in values and "二七区政务服务中心" in values


def test_restart_app_answers_first_then_stops_for_systemd(kiosk, monkeypatch):
    stopped = []
    monkeypatch.setattr(kiosk.app, "stop", lambda *a: stopped.append(True))
    spool = send(kiosk, "c4", "restart_app")
    assert spool.result("c4").ok and stopped == [True]
    assert kiosk.app.exit_code == RESTART_EXIT


def test_unknown_command_is_refused(kiosk):
    spool = send(kiosk, "c5", "format_disk")
    assert spool.result("c5").ok is False


def test_commands_claimed_before_a_crash_are_resumed(make_kiosk, tmp_path):
    from tests.ui.conftest import ui_config

    spool = CommandSpool(ui_config(tmp_path).path(ui_config(tmp_path).paths.runtime_dir))
    spool.enqueue("c6", "enter_maintenance", {})
    spool.take()  # claimed by a UI that then crashed
    kiosk = make_kiosk()
    assert kiosk.services.maintenance and spool.result("c6").ok
    assert kiosk.screen_name == "out_of_service"


def test_maintenance_outlives_a_restart_of_the_app(tmp_path):
    """Staff restart the app mid-repair: it comes back in 暂停服务 until maintenance is left."""
    from tests.ui.conftest import build_kiosk, close_kiosk

    first = build_kiosk(tmp_path)
    try:
        send(first, "c1", "enter_maintenance")
        assert first.screen_name == "out_of_service"
    finally:
        close_kiosk(first)
    second = build_kiosk(tmp_path)
    try:
        assert second.services.maintenance and second.screen_name == "out_of_service"
        assert heartbeat(second)["state"] == "maintenance"
        send(second, "c2", "leave_maintenance")
        assert second.screen_name == "home"
    finally:
        close_kiosk(second)
    third = build_kiosk(tmp_path)
    try:
        assert not third.services.maintenance and third.screen_name == "home"
    finally:
        close_kiosk(third)
