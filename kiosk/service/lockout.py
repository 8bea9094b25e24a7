"""Wrong PINs lock the service menu, for longer each time; a restart does not unlock it.

After ``max_tries`` wrong PINs in a row the menu is locked for ``lock_s`` seconds; each
further lock (before a right PIN) doubles it, up to ``lock_cap_s`` (1, 2, 4 … 60 min by
default). While locked no PIN is tried at all. A right PIN clears everything.

The state lives in a small JSON file under the data folder, rewritten atomically on every
change, so neither a restart nor a power cut resets it. Times are wall-clock seconds (they
must survive a reboot); the clock is injected for tests. A clock that stepped back cannot
lengthen a lock beyond the cap: an ``until`` further ahead than the cap is cut to it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.fileio import atomic_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockState:
    failures: int = 0  # wrong PINs since the last lock (or right PIN)
    locks: int = 0  # locks since the last right PIN
    until: float = 0.0  # locked until this wall-clock time


class Lockout:
    def __init__(self, path: str | os.PathLike[str], *, max_tries: int = 5, lock_s: int = 60,
                 lock_cap_s: int = 3600, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.max_tries, self.lock_s, self.lock_cap_s = max_tries, lock_s, lock_cap_s
        self.clock = clock

    def state(self) -> LockState:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            state = LockState(int(raw["failures"]), int(raw["locks"]), float(raw["until"]))
        except FileNotFoundError:
            return LockState()
        except (OSError, ValueError, KeyError, TypeError):
            # Unreadable: treat as one full lock rather than as "never failed".
            log.warning("service lockout file unreadable; locking")
            return LockState(0, 1, self.clock() + self.lock_s)
        if state.until - self.clock() > self.lock_cap_s:
            state = LockState(state.failures, state.locks, self.clock() + self.lock_cap_s)
        return state

    def seconds_left(self) -> int:
        """Seconds until a PIN may be tried again (0: not locked)."""
        left = self.state().until - self.clock()
        return max(0, int(left + 0.999))

    def tries_left(self) -> int:
        return self.max_tries - self.state().failures

    def failed(self) -> int:
        """A wrong PIN: counted; returns the seconds of the lock it started (0: none)."""
        state = self.state()
        failures = state.failures + 1
        if failures < self.max_tries:
            self._save(LockState(failures, state.locks, state.until))
            return 0
        locks = state.locks + 1
        length = min(self.lock_s * 2 ** min(locks - 1, 30), self.lock_cap_s)
        self._save(LockState(0, locks, self.clock() + length))
        log.warning("service menu locked for %d s after %d wrong PINs", length, self.max_tries)
        return length

    def succeeded(self) -> None:
        if self.state() != LockState():
            self._save(LockState())

    def _save(self, state: LockState) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = {"failures": state.failures, "locks": state.locks, "until": state.until}
        atomic_write(self.path, json.dumps(body).encode("ascii"))
