"""The UI under systemd's watchdog (kiosk-ui.service: Type=notify, WatchdogSec=): READY=1 once
home is on the screen, WATCHDOG=1 from Kivy's main loop while it turns, none while it is
frozen, STOPPING=1 when the app stops. systemd's end is a real AF_UNIX datagram socket."""

from __future__ import annotations

import time

from tests.systemd.notify_socket import NotifySocket, count


def test_the_ui_pings_while_its_main_loop_turns_and_not_when_frozen(make_kiosk, tmp_path, monkeypatch) -> None:
    systemd = NotifySocket(tmp_path)
    for key, value in systemd.env(watchdog_s=0.4).items():  # a ping every 0.2 s
        monkeypatch.setenv(key, value)
    try:
        kiosk = make_kiosk()
        got = systemd.wait_for("READY=1", turn=lambda: kiosk.idle(1))
        assert "STATUS=showing home" in got[0].split("\n")
        assert kiosk.screen_name == "home"

        deadline = time.monotonic() + 1.2
        while time.monotonic() < deadline:  # the main loop turning
            kiosk.idle(1)
        assert count(systemd.drain(), "WATCHDOG=1") >= 3

        time.sleep(1.0)  # the main loop frozen: no frame, no ping
        assert count(systemd.drain(), "WATCHDOG=1") == 0

        systemd.wait_for("WATCHDOG=1", turn=lambda: kiosk.idle(1))  # turning again
        kiosk.app.dispatch("on_stop")
        assert "STOPPING=1" in systemd.drain()
        kiosk.app.dispatch("on_start")  # the fixture stops it again at the end
    finally:
        systemd.close()
