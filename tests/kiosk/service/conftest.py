"""Fixtures for the service menu's core: a config in a temp folder, a wall clock that moves
only when told to, the real store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.config import load_config
from tests.support.kiosk_env import write_config

CST = timezone(timedelta(hours=8))


class WallClock:
    """Wall-clock time for the lockout and the audit log: ``advance(seconds)``."""

    def __init__(self, start: float = datetime(2026, 11, 22, 10, 0, tzinfo=CST).timestamp()) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def aware(self) -> datetime:
        return datetime.fromtimestamp(self.now, CST)


@pytest.fixture
def clock() -> WallClock:
    return WallClock()


@pytest.fixture
def config(tmp_path):
    return load_config(write_config(tmp_path / "etc", "http://127.0.0.1:9"))


@pytest.fixture
def store(config):
    from kiosk.store import open_store

    config.data_dir.mkdir(parents=True, exist_ok=True)
    with open_store(config.data_dir, config.path(config.paths.data_key), create_key=True) as opened:
        yield opened
