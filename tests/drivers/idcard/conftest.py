"""Fixtures for the ID card reader tests: an emulator on a pty, a callback recorder, and a
running reader (waiting is ``tests.waiting``, shared pieces are in ``helpers``)."""

from __future__ import annotations

from typing import Iterator

import pytest

from drivers.health import DeviceState
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.reader import IdCardReader
from tests.waiting import wait_for

from .helpers import FAST, Events


@pytest.fixture
def emulator() -> Iterator[IdCardEmulator]:
    emu = IdCardEmulator()
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def reader(emulator: IdCardEmulator, events: Events) -> Iterator[IdCardReader]:
    drv = IdCardReader(emulator.path, on_card=events.card, on_removed=events.removed, on_error=events.error,
                       timeouts=FAST, reconnect_interval=0.2, poll_interval=0.02, failed_card_retry=0.3)
    drv.start()
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)
    yield drv
    drv.stop()
