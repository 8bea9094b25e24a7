"""Fixtures for the ID card reader tests: an emulator on a pty and a waiting helper."""

from __future__ import annotations

import time
from typing import Callable, Iterator

import pytest

from drivers.idcard.emulator import IdCardEmulator


def wait_for(condition: Callable[[], object], timeout: float = 2.0) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` passes (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return bool(condition())


@pytest.fixture
def emulator() -> Iterator[IdCardEmulator]:
    emu = IdCardEmulator()
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()
