"""kiosk-agent under systemd's watchdog: READY=1 when its loop starts, WATCHDOG=1 while the
loop turns (also through a long delivery pass), none when the loop is stuck, STOPPING=1 at
the end. The agent runs in-process against the fake county over real HTTP; systemd's end of
the socket is a real AF_UNIX datagram socket."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.agent.runner import Agent
from kiosk.client import CountyClient
from tests.support.fake_county import FakeCounty
from tests.support.kiosk_env import DEVICE_ID, make_draft, make_env
from tests.systemd.notify_socket import NotifySocket, count


@pytest.fixture
def systemd(tmp_path, monkeypatch):
    sock = NotifySocket(tmp_path)
    for key, value in sock.env(watchdog_s=0.6).items():  # WatchdogSec=0.6s: a ping every 0.15 s at most
        monkeypatch.setenv(key, value)
    yield sock
    sock.close()


@pytest.fixture
def county():
    with FakeCounty() as server:
        yield server


def _start(agent: Agent):
    stop = threading.Event()
    thread = threading.Thread(target=agent.run_forever, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def test_pings_keep_coming_through_a_long_delivery_pass(tmp_path, county, systemd) -> None:
    from kiosk.store import open_store

    config, key = make_env(tmp_path / "etc", county, beacon_interval_s=60)
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        for n in range(3):  # three visits: 3 blobs and the transaction each, 12 requests in one pass
            store.outbox.submit(make_draft(n), DEVICE_ID, make_draft(n).created_at)
        county.fail("slow", times=100, match="PUT /blobs/", delay=0.15)
        county.fail("slow", times=100, match="POST /transactions", delay=0.15)
        agent = Agent(config, store.outbox, store.kv, CountyClient.from_config(config, key), poll_s=0.02)
        stop, thread = _start(agent)
        try:
            got = systemd.collect(30, until=lambda: len(county.created) == 3)
            done_at = time.monotonic()
        finally:
            stop.set()
            thread.join(timeout=5)
    assert len(county.created) == 3
    assert got[0][1] == f"READY=1\nSTATUS=agent for {DEVICE_ID}"
    pings = [at for at, message in got if message == "WATCHDOG=1"]
    assert done_at - got[0][0] >= 1.5  # the pass took longer than the watchdog interval ...
    times = [got[0][0], *pings, done_at]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert max(gaps) < 0.6, gaps  # ... yet systemd never went 0.6 s without a ping
    assert systemd.wait_for("STOPPING=1")


def test_a_stuck_loop_stops_the_pings_and_a_turning_one_resumes_them(tmp_path, county, systemd) -> None:
    from kiosk.store import open_store

    config, key = make_env(tmp_path / "etc", county, beacon_interval_s=60)
    stuck, released = threading.Event(), threading.Event()

    def sleep(stop: threading.Event, seconds: float) -> None:
        if stuck.is_set():
            released.wait(10)  # the loop wedged (a call that never returns)
        stop.wait(seconds)

    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        agent = Agent(config, store.outbox, store.kv, CountyClient.from_config(config, key), poll_s=0.02,
                      sleep=sleep)
        stop, thread = _start(agent)
        try:
            systemd.wait_for("READY=1")
            assert count([m for _, m in systemd.collect(1.0)], "WATCHDOG=1") >= 4
            stuck.set()
            systemd.collect(0.3)  # the turn in flight reaches the wedge
            assert count([m for _, m in systemd.collect(1.0)], "WATCHDOG=1") == 0
            stuck.clear()
            released.set()
            systemd.wait_for("WATCHDOG=1", timeout=3)
        finally:
            stuck.clear()
            released.set()
            stop.set()
            thread.join(timeout=5)
    assert not thread.is_alive()
    assert systemd.wait_for("STOPPING=1")
