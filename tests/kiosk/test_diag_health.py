"""`kiosk-diag health --config FILE [--json]`: every configured device, present or missing at
its path, with the state the running UI last reported while that report is fresh; "unknown"
(and how old the report is) when it is not; exit 1 with one line when a device cannot serve."""

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from kiosk import wiring
from kiosk.agent.heartbeat import write_device_health
from kiosk.config import load_config

CONFIG = """
[identity]
device_id = "ZZ-EQ-0011"
maintainer = "二七区政务服务中心"
phone = "0371-68665010"
[backend]
url = "http://127.0.0.1:9"
[paths]
data_dir = "data"
data_key = "data.key"
runtime_dir = "run"
"""
EMULATED = '[devices.idcard]\ntype = "emulated"\n[devices.printer]\ntype = "emulated"\n'


def diag(*args):
    return subprocess.run([sys.executable, "-m", "kiosk.diag.cli", *args], capture_output=True, text=True, timeout=120)


def make_config(tmp_path, devices):
    path = tmp_path / "kiosk.toml"
    path.write_text(CONFIG + devices, encoding="utf-8")
    return path


def health_json(path):
    done = diag("health", "--config", str(path), "--json")
    return done, (json.loads(done.stdout) if done.stdout else None)


def one_line_failure(done):
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    return done.stderr


def test_emulated_devices_without_the_ui_are_present_state_unknown(tmp_path):
    path = make_config(tmp_path, EMULATED)
    done, doc = health_json(path)
    assert done.returncode == 0, done.stderr
    assert list(doc["devices"]) == ["idcard", "printer"]  # configured ones only, report order
    for dev in doc["devices"].values():
        assert dev["present"] is True and dev["port"] is None
        assert dev["state"] == "unknown" and dev["detail"] == {} and dev["counters"] == {}
        assert dev["reported_at"] is None
    assert doc["health_file"] is None
    text = diag("health", "--config", str(path))
    assert text.returncode == 0 and text.stderr == ""
    lines = text.stdout.strip().splitlines()
    assert lines[0].split() == ["idcard", "emulated", "unknown", "-"]
    assert lines[1].split() == ["printer", "emulated", "unknown", "-"]
    assert "the UI is not running" in lines[2] and len(lines) == 3


def test_fresh_health_file_gives_state_detail_counters(tmp_path):
    path = make_config(tmp_path, EMULATED)
    config = load_config(path)
    now = config.now()
    write_device_health(wiring.runtime_dir(config), {
        "idcard": {"state": "online", "detail": {"sam_id": "05.01-20240101-0001"},
                   "counters": {"operations": 7, "errors": 0, "reconnects": 1}, "reason": ""},
        "printer": {"state": "online", "detail": {"paper": "ok", "cover_open": False},
                    "counters": {"operations": 3, "errors": 0, "reconnects": 0}}}, now=now)
    done, doc = health_json(path)
    assert done.returncode == 0, done.stderr
    idcard = doc["devices"]["idcard"]
    assert idcard["state"] == "online" and idcard["detail"] == {"sam_id": "05.01-20240101-0001"}
    assert idcard["counters"] == {"operations": 7, "errors": 0, "reconnects": 1}
    assert idcard["reported_at"] == now.isoformat(timespec="seconds")
    assert doc["health_file"]["fresh"] is True and 0 <= doc["health_file"]["age_s"] < 30

    # the printer runs out of paper: reported, so not healthy; one line says which and why
    write_device_health(wiring.runtime_dir(config), {
        "idcard": {"state": "online", "detail": {}, "counters": {}},
        "printer": {"state": "user_error", "reason": "paper out", "detail": {"paper": "out"}, "counters": {}}})
    done, doc = health_json(path)
    assert "printer" in one_line_failure(done) and "paper out" in done.stderr and "idcard" not in done.stderr
    printer = doc["devices"]["printer"]
    assert printer["state"] == "user_error" and printer["present"] is True and printer["ok"] is False
    assert printer["detail"] == {"paper": "out"} and printer["reason"] == "paper out"
    text = diag("health", "--config", str(path)).stdout.splitlines()
    assert text[1].split()[:3] == ["printer", "emulated", "user_error"] and '"paper": "out"' in text[1]


def test_stale_health_file_is_not_shown_as_current(tmp_path):
    path = make_config(tmp_path, EMULATED)
    config = load_config(path)
    old = config.now() - timedelta(minutes=10)  # the UI stopped ten minutes ago
    write_device_health(wiring.runtime_dir(config), {
        "printer": {"state": "user_error", "reason": "paper out", "detail": {"paper": "out"},
                    "counters": {"operations": 9}}}, now=old)
    done, doc = health_json(path)
    assert done.returncode == 0, done.stderr  # the old paper-out is not today's verdict
    printer = doc["devices"]["printer"]
    assert printer["state"] == "unknown" and printer["detail"] == {} and printer["counters"] == {}
    assert printer["reported_at"] is None and printer["reason"] == ""
    stale = doc["health_file"]
    assert stale["fresh"] is False and stale["written_at"] == old.isoformat(timespec="seconds")
    assert 600 <= stale["age_s"] < 700 and stale["stale_after_s"] == config.agent.ui_stale_after_s
    text = diag("health", "--config", str(path)).stdout
    assert "paper" not in text and "user_error" not in text
    assert re.search(r"6\d\d s ago, older than \d+ s .*states unknown$", text.splitlines()[-1])


def test_serial_device_missing_at_its_path(tmp_path):
    master, slave = os.openpty()  # a real character device for the id-card reader
    try:
        tty = os.ttyname(slave)
        gone = tmp_path / "ttyUSB9"
        path = make_config(tmp_path, f'[devices.idcard]\ntype = "serial"\nport = "{tty}"\n'
                                     f'[devices.printer]\ntype = "serial"\nport = "{gone}"\n')
        done, doc = health_json(path)
        reason = one_line_failure(done)
        assert f"printer: {gone} missing" in reason and "idcard" not in reason
        assert doc["devices"]["idcard"] == {**doc["devices"]["idcard"], "port": tty, "present": True, "ok": True}
        printer = doc["devices"]["printer"]
        assert printer["present"] is False and printer["port"] == str(gone) and printer["state"] == "unknown"
        lines = diag("health", "--config", str(path)).stdout.splitlines()
        assert lines[0].split()[:3] == ["idcard", tty, "present"]
        assert lines[1].split()[:3] == ["printer", str(gone), "missing"]
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize("bad", ["missing file", "bad device type"])
def test_bad_config_is_one_line(tmp_path, bad):
    path = tmp_path / "none.toml"
    if bad == "bad device type":
        path = make_config(tmp_path, EMULATED.replace('"emulated"', '"usb"', 1))
    for args in (["--json"], []):
        done = diag("health", "--config", str(path), *args)
        assert done.stdout == ""
        assert one_line_failure(done).startswith("kiosk-diag: ")


def test_reported_at_is_an_aware_time(tmp_path):
    path = make_config(tmp_path, EMULATED)
    config = load_config(path)
    write_device_health(wiring.runtime_dir(config), {"idcard": {"state": "busy", "detail": {}, "counters": {}}})
    done, doc = health_json(path)
    assert done.returncode == 0, done.stderr  # busy serves
    assert datetime.fromisoformat(doc["devices"]["idcard"]["reported_at"]).tzinfo is not None
    assert doc["devices"]["printer"]["state"] == "unknown"  # the UI did not report it
