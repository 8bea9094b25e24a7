"""Shared pieces of the reader tests: timeouts, a callback recorder, poll counting."""

from __future__ import annotations

import threading
from typing import Any

from drivers.health import DeviceState
from drivers.idcard import protocol as p
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.reader import IdCardReader
from tests.waiting import wait_for

FAST = {"sam": 0.3, "find": 0.3, "select": 0.3, "read": 1.0}
#: Long reply timeouts, for tests proving that something costs no timeout.
SLOW = {"sam": 1.0, "find": 1.0, "select": 1.0, "read": 2.0}


class Events:
    def __init__(self) -> None:
        self.items: list[tuple[str, Any]] = []
        self.lock = threading.Lock()

    def card(self, card: Any) -> None:
        with self.lock:
            self.items.append(("card", card))

    def removed(self) -> None:
        with self.lock:
            self.items.append(("removed", None))

    def error(self, err: Any) -> None:
        with self.lock:
            self.items.append(("error", err))

    def kinds(self) -> list[str]:
        with self.lock:
            return [k for k, _ in self.items]


def state(drv: IdCardReader) -> DeviceState:
    return drv.health.state


def polls(emulator: IdCardEmulator, n: int = 5) -> None:
    """Let the driver poll ``n`` more times (counted on the emulator's side)."""
    start = emulator.received.count(p.FIND_CARD.key)
    assert wait_for(lambda: emulator.received.count(p.FIND_CARD.key) >= start + n)


def reads(emulator: IdCardEmulator) -> int:
    return emulator.received.count(p.READ_TEXT_PHOTO.key)
