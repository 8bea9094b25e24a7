"""The beacon's contents, from the UI's files, the store and the client; over real HTTP."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from drivers.health import DeviceState, Health
from kiosk.agent.availability import WINDOW_S, Availability
from kiosk.agent.heartbeat import (HEARTBEAT_FILE, read_device_health, read_ui_status, write_device_health,
                                   write_heartbeat)
from kiosk.agent.runner import SKEW_KEY, Agent
from kiosk.client import CountyClient
from tests.kiosk.agent.conftest import submit
from tests.support.kiosk_env import DEVICE_ID, make_draft
from tests.support.memory_outbox import MemoryKV

NOW = lambda: datetime.now(timezone.utc).astimezone()  # noqa: E731


def make_agent(env, store, county) -> Agent:
    config, key = env
    return Agent(config, store.outbox, store.kv, CountyClient.from_config(config, key))


def ui_files(config, state: str = "serving", age_s: float = 0.0) -> None:
    runtime = config.path(config.paths.runtime_dir)
    at = NOW() - timedelta(seconds=age_s)
    write_heartbeat(runtime, state, since=at - timedelta(hours=1), now=at)
    printer = Health("printer")
    printer.set(DeviceState.USER_ERROR, "paper low", paper="low", cover_open=False)
    printer.count("operations", 12)
    idcard = Health("idcard")
    idcard.set(DeviceState.ONLINE)
    write_device_health(runtime, [printer.snapshot(), idcard.snapshot()], now=at)


def test_beacon_carries_everything_the_contract_names(env, store, county) -> None:
    config, _ = env
    ui_files(config)
    submit(store, make_draft(1), NOW() - timedelta(seconds=90))
    agent = make_agent(env, store, county)
    assert agent.send_beacon()
    beacon = county.beacons[-1]
    assert beacon["device_id"] == DEVICE_ID and beacon["seq"] == 1
    assert beacon["identity"]["maintainer"] == "二七区政务服务中心" and beacon["identity"]["phone"] == "0371-68665010"
    assert beacon["software"]["version"] and beacon["software"]["catalog_version"]
    assert beacon["ui"]["state"] == "serving" and beacon["ui"]["last_alive_at"] and beacon["ui"]["since"]
    assert beacon["devices"]["printer"]["state"] == "user_error"
    assert beacon["devices"]["printer"]["detail"] == {"paper": "low", "cover_open": False, "reason": "paper low"}
    assert beacon["devices"]["printer"]["counters"]["operations"] == 12
    assert beacon["devices"]["idcard"]["state"] == "online"
    assert set(beacon["devices"]) == {"printer", "idcard"}  # the configured devices
    assert beacon["outbox"]["pending"] == 1 and beacon["outbox"]["dead"] == 0
    assert 85 <= beacon["outbox"]["oldest_pending_age_s"] <= 100
    assert beacon["system"]["disk_free_bytes"] > 0 and beacon["system"]["mem_percent"] > 0
    assert beacon["clock_skew_s"] == 0
    assert beacon["availability"]["window_s"] == WINDOW_S and beacon["acks"] == []
    datetime.fromisoformat(beacon["sent_at"])
    agent.send_beacon()
    make_agent(env, store, county).send_beacon()  # a restart keeps counting
    assert [b["seq"] for b in county.beacons] == [1, 2, 3]


def test_a_stale_heartbeat_means_the_ui_is_down(env, store, county) -> None:
    config, _ = env
    ui_files(config, age_s=120)
    make_agent(env, store, county).send_beacon()
    beacon = county.beacons[-1]
    assert beacon["ui"]["state"] == "down" and beacon["ui"]["last_alive_at"] is not None
    assert beacon["devices"]["printer"] == {"state": "offline", "counters": {},
                                            "detail": {"reason": "the UI is down", "paper": "unknown",
                                                       "cover_open": None}}


def test_no_ui_files_at_all(env, store, county) -> None:
    make_agent(env, store, county).send_beacon()
    beacon = county.beacons[-1]
    assert beacon["ui"] == {"state": "down", "since": None, "last_alive_at": None}
    assert beacon["devices"]["idcard"]["state"] == "offline"


def test_clock_skew_is_corrected_reported_and_remembered(env, store, county) -> None:
    county.skew_s = -1800.0
    agent = make_agent(env, store, county)
    assert agent.send_beacon()
    assert [s for _, _, s in county.log] == [401, 200] and county.beacons[-1]["seq"] == 1  # one beacon, no gap
    assert abs(county.beacons[-1]["clock_skew_s"] + 1800) <= 2
    sent_at = datetime.fromisoformat(county.beacons[-1]["sent_at"]).timestamp()
    assert abs(sent_at - (time.time() - 1800)) < 5  # sent_at in the server's time
    assert abs(store.kv.get(SKEW_KEY) + 1800) <= 2
    before = len(county.log)
    make_agent(env, store, county).send_beacon()  # a restart signs right from its first request
    assert [s for _, _, s in county.log[before:]] == [200]


def test_heartbeat_files_are_read_defensively(tmp_path) -> None:
    now = NOW()
    assert read_ui_status(tmp_path, now, 30).state == "down"
    (tmp_path / HEARTBEAT_FILE).write_text("{torn", encoding="utf-8")
    assert read_ui_status(tmp_path, now, 30).state == "down"
    write_heartbeat(tmp_path, "maintenance", since=now - timedelta(minutes=5), now=now)
    status = read_ui_status(tmp_path, now + timedelta(seconds=10), 30)
    assert (status.state, status.last_alive_at) == ("maintenance", now.replace(microsecond=0))
    with pytest.raises(ValueError):
        write_heartbeat(tmp_path, "down", since=now)
    write_device_health(tmp_path, {"scanner": {"state": "online", "detail": {}, "counters": {}}}, now=now)
    assert read_device_health(tmp_path, now, 30) == {"scanner": {"state": "online", "detail": {}, "counters": {}}}
    assert read_device_health(tmp_path, now + timedelta(seconds=31), 30) is None


def test_availability_counts_serving_seconds_in_the_last_day() -> None:
    kv = MemoryKV()
    avail = Availability(kv, max_gap_s=30)
    t0 = 1_000_000.0
    for i in range(11):  # serving from t0 to t0+100
        avail.sample(t0 + 10 * i, True)
    for i in range(1, 6):  # out of service from t0+100 to t0+150
        avail.sample(t0 + 100 + 10 * i, False)
    assert avail.serving_s(t0 + 150) == 100
    avail.sample(t0 + 160, True)
    avail.sample(t0 + 170, True)
    assert avail.serving_s(t0 + 170) == 110  # 160..170 serving; 150..160 was not
    avail.sample(t0 + 500, True)  # a 330 s gap (agent not running): not counted as serving
    assert avail.serving_s(t0 + 500) == 110
    assert Availability(kv, 30).serving_s(t0 + 500) == 110  # kept in kv
    assert avail.serving_s(t0 + WINDOW_S + 50) == 60  # the first 50 s fell out of the window
    avail.sample(t0 + 2 * WINDOW_S, True)
    assert len(kv.get("availability.runs")) == 1  # old runs are dropped
