"""Fixtures for the agent's tests: the fake county on loopback, a config, the real store."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.client import CountyClient
from tests.support.fake_county import FakeCounty
from tests.support.kiosk_env import DEVICE_ID, make_env


@pytest.fixture
def county():
    with FakeCounty() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, county: FakeCounty):
    return make_env(tmp_path / "etc", county)


@pytest.fixture
def client(env, county):
    config, key = env
    c = CountyClient(county.url, DEVICE_ID, key, connect_timeout_s=1.0, read_timeout_s=1.0)
    yield c
    c.close()


@pytest.fixture
def store(env):
    from kiosk.store import open_store

    config, _ = env
    s = open_store(config.data_dir, config.path(config.paths.data_key))
    yield s
    s.close()


def submit(store, draft, now: datetime | None = None) -> str:
    return store.outbox.submit(draft, DEVICE_ID, now or datetime.now(timezone.utc).astimezone()).txn_id


@pytest.fixture
def rng():
    return random.Random(7)
