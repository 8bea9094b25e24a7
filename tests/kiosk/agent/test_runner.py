"""The agent's loop in-process (a clock running 20x fast): beacons on schedule, delivery
continuous, a quick ack after commands, and a prompt stop."""

from __future__ import annotations

import threading
import time

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
            time.sleep(2.1)  # 42 s of agent time: two more intervals of 20 s
            assert len(county.beacons) - count in (2, 3)
        finally:
            stop.set()
            thread.join(timeout=3)
        assert not thread.is_alive()
    sent = [b["sent_at"] for b in county.beacons]
    assert sent == sorted(sent)
