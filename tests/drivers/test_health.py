"""The shared health model reports each change once, never a non-change, and survives a
broken listener."""

from datetime import datetime, timedelta, timezone

import pytest

from drivers.health import AVAILABLE, NEEDS_ATTENTION, DeviceState, Health


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


def test_listener_hears_each_change_once():
    heard = []
    health = Health("printer")
    health.add_listener(heard.append)
    assert health.set(DeviceState.ONLINE, paper="ok", cover_open=False)
    assert not health.set(DeviceState.ONLINE, paper="ok", cover_open=False)  # same again: silent
    assert not health.update(paper="ok")
    assert health.update(paper="low")  # a detail change is a change
    assert health.set(DeviceState.USER_ERROR, "paper out", paper="out")
    assert [r.state for r in heard] == [DeviceState.ONLINE, DeviceState.ONLINE, DeviceState.USER_ERROR]
    assert [r.detail["paper"] for r in heard] == ["ok", "low", "out"]
    assert heard[-1].reason == "paper out"


def test_time_of_last_change_moves_only_on_change():
    clock = Clock()
    health = Health("idcard", clock=clock)
    clock.now += timedelta(seconds=5)
    health.set(DeviceState.ONLINE, sam_id="05.01-20101010-0000000001")
    first = health.snapshot().changed_at
    clock.now += timedelta(seconds=5)
    health.set(DeviceState.ONLINE, sam_id="05.01-20101010-0000000001")
    assert health.snapshot().changed_at == first == datetime(2026, 11, 22, 3, 0, 5, tzinfo=timezone.utc)


def mine(caplog, device):
    """Records about ``device`` only: other tests' driver threads may still be logging."""
    return [r for r in caplog.records if r.args and r.args[0] == device]


def test_failure_logged_once_and_recovery_once(caplog):
    health = Health("health-test-scanner")
    health.set(DeviceState.ONLINE)
    caplog.set_level("DEBUG", logger="drivers.health")
    caplog.clear()  # the first ONLINE above may be captured when another test raised the root level
    for _ in range(3):
        health.set(DeviceState.NO_DEVICE, "no device at /dev/kiosk/scanner")
    health.set(DeviceState.OFFLINE, "still gone")  # fault to fault: not a new warning
    for _ in range(3):
        health.set(DeviceState.ONLINE)
    warnings = [r for r in mine(caplog, "health-test-scanner") if r.levelname == "WARNING"]
    infos = [r for r in mine(caplog, "health-test-scanner") if r.levelname == "INFO"]
    assert len(warnings) == 1 and "no_device" in warnings[0].getMessage()
    assert len(infos) == 1 and "recovered" in infos[0].getMessage()


def test_counters_and_snapshot_are_copies():
    health = Health("camera")
    health.count("operations")
    health.count("operations", 2)
    health.count("errors")
    snap = health.snapshot()
    health.count("operations")
    assert snap.counters == {"operations": 3, "errors": 1, "reconnects": 0}
    with pytest.raises(TypeError):
        snap.detail["x"] = 1  # read-only view
    health.reset_counter("operations")
    assert health.snapshot().counters["operations"] == 0


def test_broken_listener_does_not_stop_others():
    heard = []

    def broken(report):
        raise RuntimeError("listener bug")

    health = Health("printer")
    health.add_listener(broken)
    health.add_listener(heard.append)
    health.set(DeviceState.ONLINE)
    assert len(heard) == 1


def test_beacon_form_and_state_sets():
    health = Health("printer")
    health.set(DeviceState.USER_ERROR, "cover open", paper="ok", cover_open=True)
    d = health.snapshot().to_dict()
    assert d["state"] == "user_error"
    assert d["detail"] == {"paper": "ok", "cover_open": True}
    assert set(d["counters"]) == {"operations", "errors", "reconnects"}
    assert not health.available
    assert AVAILABLE == {DeviceState.ONLINE, DeviceState.BUSY}
    assert DeviceState.ONLINE not in NEEDS_ATTENTION and DeviceState.BUSY not in NEEDS_ATTENTION
    assert str(DeviceState.NO_DEVICE) == "no_device"


def test_a_fresher_reason_is_kept_without_a_report():
    heard = []
    health = Health("scanner")
    health.add_listener(heard.append)
    health.set(DeviceState.OFFLINE, "grab busy")  # the initial state, now with its reason
    assert heard == [] and health.snapshot().reason == "grab busy"
    health.set(DeviceState.ONLINE)
    assert health.snapshot().reason == ""


def test_a_change_made_on_purpose_is_not_a_warning(caplog):
    health = Health("health-test-printer")
    health.set(DeviceState.ONLINE)
    caplog.set_level("DEBUG", logger="drivers.health")
    caplog.clear()  # the first ONLINE above may be captured when another test raised the root level
    heard = []
    health.add_listener(heard.append)
    health.set(DeviceState.OFFLINE, "stopped", quiet=True)
    assert [r.levelname for r in mine(caplog, "health-test-printer") if r.levelname != "DEBUG"] == []
    assert [r.state for r in heard] == [DeviceState.OFFLINE]  # listeners still hear it
