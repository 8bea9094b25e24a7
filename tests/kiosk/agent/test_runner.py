"""The agent's loop in-process (a clock running 20x fast): beacons on schedule, delivery
continuous, a quick ack after commands, and a prompt stop."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime

from kiosk.agent.runner import Agent
from kiosk.client import CountyClient
from tests.kiosk.agent.conftest import submit
from tests.support.kiosk_env import DEVICE_ID, make_draft, make_env


def test_loop_beacons_on_schedule_delivers_and_stops(tmp_path, county) -> None:
    config, key = make_env(tmp_path, county, beacon_interval_s=20)
    from kiosk.store import open_store

    start = time.time()
    fast = lambda: start + 20 * (time.time() - start)  # noqa: E731
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        agent = Agent(config, store.outbox, store.kv, CountyClient.from_config(config, key), clock=fast,
                      poll_s=0.05)
        stop = threading.Event()
        thread = threading.Thread(target=agent.run_forever, args=(stop,))
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while not county.beacons and time.monotonic() < deadline:
                time.sleep(0.02)
            assert county.beacons, "no beacon at start"
            txn_id = submit(store, make_draft(1))  # the UI submits while the agent runs
            county.queue_command(DEVICE_ID, "q1", "self_destruct")
            while (not county.created or len(county.command_acks) < 1) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert county.created[txn_id] == 1
            assert county.command_acks == [{"command_id": "q1", "ok": False,
                                            "message": "unknown command type 'self_destruct'"}]
            count = len(county.beacons)
            deadline = time.monotonic() + 6
            while len(county.beacons) < count + 2 and time.monotonic() < deadline:
                time.sleep(0.02)  # two more intervals of 20 s of agent time (about 2 s here)
            assert len(county.beacons) >= count + 2
            stamps = [datetime.fromisoformat(b["sent_at"]).timestamp() for b in county.beacons[count - 1:]]
            gaps = [b - a for a, b in zip(stamps, stamps[1:])]
            assert all(0.95 <= gap <= 1.5 for gap in gaps), gaps  # every 20 s of agent time (1 s here)
        finally:
            stop.set()
            thread.join(timeout=3)
        assert not thread.is_alive()
    sent = [b["sent_at"] for b in county.beacons]
    assert sent == sorted(sent)


def _run(agent: Agent):
    stop = threading.Event()
    thread = threading.Thread(target=agent.run_forever, args=(stop,))
    thread.start()
    return stop, thread


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_the_catalog_is_polled_every_interval_and_a_new_one_is_announced(tmp_path, county) -> None:
    from kiosk.catalog.loader import catalog_payload, load_shipped
    from kiosk.store import open_store
    from kiosk.wiring import catalog_store

    config, key = make_env(tmp_path, county, beacon_interval_s=20)
    county.set_catalog({**catalog_payload(load_shipped()), "version": "2026.12.1"}, '"v1"')
    marker = config.path(config.paths.runtime_dir) / "catalog-changed"  # the UI watches it
    start = time.time()
    fast = lambda: start + 20 * (time.time() - start)  # noqa: E731
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        agent = Agent(config, store.outbox, store.kv, CountyClient.from_config(config, key), clock=fast,
                      poll_s=0.05)
        stop, thread = _run(agent)
        try:
            assert _wait_for(marker.exists)
            assert json.loads(marker.read_text())["version"] == "2026.12.1"
            first_mtime = marker.stat().st_mtime_ns
            assert _wait_for(lambda: len(county.requests_to("GET", "/catalog")) >= 3, 5)  # every 20 s (1 s here)
            assert [s for _, _, s in county.requests_to("GET", "/catalog")][1:3] == [304, 304]
            assert marker.stat().st_mtime_ns == first_mtime  # unchanged: no announcement
            county.set_catalog({**catalog_payload(load_shipped()), "version": "2026.12.2"}, '"v2"')
            assert _wait_for(lambda: json.loads(marker.read_text())["version"] == "2026.12.2", 5)
        finally:
            stop.set()
            thread.join(timeout=3)
    assert catalog_store(config).current().version == "2026.12.2"  # where the UI looks for it


def test_retry_after_holds_delivery_while_beacons_go_on(tmp_path, county) -> None:
    from kiosk.store import open_store

    config, key = make_env(tmp_path, county, beacon_interval_s=20, retry_cap_s=2)
    county.fail("429", match="PUT /blobs", retry_after="120")
    start = time.time()
    fast = lambda: start + 20 * (time.time() - start)  # noqa: E731
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        for n in range(3):
            submit(store, make_draft(n))
        agent = Agent(config, store.outbox, store.kv, CountyClient.from_config(config, key), clock=fast,
                      poll_s=0.05, sleep=lambda stop, seconds: stop.wait(seconds / 20))
        stop, thread = _run(agent)
        try:
            assert _wait_for(lambda: county.requests_to("PUT", "/blobs"))
            beacons = len(county.beacons)
            time.sleep(2.5)  # 50 s of agent time: well inside the 120 s asked for
            assert len(county.requests_to("PUT", "/blobs")) == 1
            assert len(county.beacons) - beacons >= 2
            assert _wait_for(lambda: len(county.created) == 3, 6)  # and after the 120 s, all of it
        finally:
            stop.set()
            thread.join(timeout=3)
