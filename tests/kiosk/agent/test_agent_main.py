"""``kiosk-agent`` as a real process: config errors, ``--once``, SIGTERM, and SIGKILL at random
moments during delivery, which must lose and duplicate nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.store import open_store
from tests.kiosk.agent.conftest import submit
from tests.support.fake_county import FakeCounty
from tests.support.kiosk_env import CITIZEN_ID, CITIZEN_NAME, make_draft, make_env, rating, write_config

ROOT = Path(__file__).resolve().parents[3]


def agent_cmd(config_path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.agent_main", "--config", str(config_path), *extra]


def run_agent(config_path: Path, *extra: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(agent_cmd(config_path, *extra), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def start_agent(config_path: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(agent_cmd(config_path), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=log.open("a"), start_new_session=True)


def now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


def test_a_bad_config_is_one_line_naming_the_key_and_exit_2(tmp_path: Path) -> None:
    path = write_config(tmp_path, "http://127.0.0.1:9", extra="bogus = 1\n")
    done = run_agent(path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "agent.bogus" in lines[0] and str(path) in lines[0]
    path.write_text(path.read_text().replace("retry_cap_s = 1", "retry_cap_s = 900").replace("bogus = 1\n", ""))
    done = run_agent(path)
    assert done.returncode == 2 and "agent.retry_cap_s" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    missing = run_agent(tmp_path / "nope.toml")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_a_missing_device_key_is_named(tmp_path: Path) -> None:
    path = write_config(tmp_path, "http://127.0.0.1:9")
    done = run_agent(path)
    assert done.returncode == 2 and "paths.device_key" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_once_drains_sends_one_beacon_and_exits_0(tmp_path: Path, county: FakeCounty) -> None:
    config, _ = make_env(tmp_path, county)
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        ids = [submit(store, make_draft(n)) for n in range(3)]
        store.outbox.add_rating(rating(ids[0]))
    done = run_agent(Path(config.source), "--once")
    assert done.returncode == 0, done.stderr
    assert {t: county.created[t] for t in ids} == dict.fromkeys(ids, 1) and county.rating_created[ids[0]] == 1
    assert len(county.beacons) == 1 and county.beacons[0]["outbox"]["pending"] == 0
    for secret in (CITIZEN_NAME, CITIZEN_ID):  # personal data never in a log line
        assert secret not in done.stderr


def test_once_with_the_backend_away_keeps_everything_queued(tmp_path: Path) -> None:
    county = FakeCounty()  # enrolled but never started: nothing listens
    config, _ = make_env(tmp_path, county)
    county.stop()
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        submit(store, make_draft(1))
    done = run_agent(Path(config.source), "--once")
    assert done.returncode == 0, done.stderr
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        status = store.outbox.status(now())
    assert (status.pending, status.dead) == (1, 0)


def test_sigterm_stops_cleanly(tmp_path: Path, county: FakeCounty) -> None:
    config, _ = make_env(tmp_path, county, beacon_interval_s=5)
    proc = start_agent(Path(config.source), tmp_path / "agent.log")
    try:
        deadline = time.monotonic() + 15
        while not county.beacons and time.monotonic() < deadline:
            time.sleep(0.05)
        assert county.beacons, (tmp_path / "agent.log").read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "agent stopped" in (tmp_path / "agent.log").read_text()


def test_sigterm_ends_once_promptly_between_requests(tmp_path: Path, county: FakeCounty) -> None:
    config, _ = make_env(tmp_path, county)
    county.fail("slow", times=1000, delay=0.3)  # every answer takes 0.3 s: draining takes ~30 s
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        ids = [submit(store, make_draft(n)) for n in range(25)]
    log = tmp_path / "agent.log"
    proc = subprocess.Popen(agent_cmd(Path(config.source), "--once"), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=log.open("a"), start_new_session=True)
    try:
        deadline = time.monotonic() + 15
        while len(county.log) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert county.log, log.read_text()
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert proc.wait(timeout=5) == 0, log.read_text()
        assert time.monotonic() - started < 2.0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert sum(county.created[t] for t in ids) < 5 and not county.beacons
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        status = store.outbox.status(now())
    assert status.dead == 0 and status.pending + status.delivered == 25


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path, county: FakeCounty) -> None:
    config, _ = make_env(tmp_path, county, beacon_interval_s=5, retry_cap_s=1, read_timeout_s=0.3)
    county.chaos(0.04, kinds=("503", "cut", "drop", "429", "truncated", "slow"), seed=11, delay=0.4)
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        ids = [submit(store, make_draft(n)) for n in range(50)]
        for txn_id in ids[::5]:
            store.outbox.add_rating(rating(txn_id))
    log = tmp_path / "agent.log"
    rng = random.Random(2026)
    kills = 0
    deadline = time.monotonic() + 45
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        while store.outbox.status(now()).pending and time.monotonic() < deadline:
            seen = len(county.log)
            proc = start_agent(Path(config.source), log)
            try:
                while len(county.log) == seen and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.01)  # until it is talking to the backend
                time.sleep(rng.uniform(0.0, 0.4))
            finally:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            kills += 1
        county.chaos(0.0)
        done = run_agent(Path(config.source), "--once")  # whatever is left, without faults
        assert done.returncode == 0, done.stderr
        status = store.outbox.status(now())
    print(f"{kills} kills, {len(county.log)} requests, {sum(county.repeats.values())} repeats")
    assert kills >= 5, f"only {kills} kills: delivery too fast to test"
    assert (status.pending, status.dead, status.delivered) == (0, 0, 60), log.read_text()[-2000:]
    assert {t: county.created[t] for t in ids} == dict.fromkeys(ids, 1)
    assert sum(county.created.values()) == 50 and not county.conflicts
    assert CITIZEN_NAME not in log.read_text() and CITIZEN_ID not in log.read_text()
    assert all(county.rating_created[t] == 1 for t in ids[::5]) and sum(county.rating_created.values()) == 10
