"""One health model for every device, after XFS4IoT and UnifiedPOS.

A driver owns one :class:`Health`. It sets the state when the device changes and the
model tells its listeners (the session, the UI, the agent's beacon) once per change: a
failure is logged once, and its recovery once. Values are never stale: a device that is
not available says so through its state, not by keeping its last good detail.
"""

from __future__ import annotations

import enum
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, Callable, Mapping

log = logging.getLogger(__name__)


class DeviceState(str, enum.Enum):
    """The device's state as the beacon and the service menu name it."""

    ONLINE = "online"  # connected and ready
    OFFLINE = "offline"  # was there, does not answer now
    NO_DEVICE = "no_device"  # nothing at the configured port
    HARDWARE_ERROR = "hardware_error"  # answers, but reports a fault of its own
    USER_ERROR = "user_error"  # needs a person: paper out, cover open
    BUSY = "busy"  # working on an operation

    def __str__(self) -> str:  # "online", not "DeviceState.ONLINE"
        return self.value


#: The device can take work.
AVAILABLE = frozenset({DeviceState.ONLINE, DeviceState.BUSY})
#: The device cannot be reached at all.
UNREACHABLE = frozenset({DeviceState.OFFLINE, DeviceState.NO_DEVICE})
#: Someone has to come: the kiosk cannot mend these by itself.
NEEDS_ATTENTION = frozenset(
    {DeviceState.OFFLINE, DeviceState.NO_DEVICE, DeviceState.HARDWARE_ERROR, DeviceState.USER_ERROR}
)

STANDARD_COUNTERS = ("operations", "errors", "reconnects")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class HealthReport:
    """An immutable snapshot of one device's health."""

    device: str
    state: DeviceState
    detail: Mapping[str, Any]
    counters: Mapping[str, int]
    changed_at: datetime
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.state in AVAILABLE

    def to_dict(self) -> dict[str, Any]:
        """The beacon's form: ``{"state", "detail", "counters", "changed_at", "reason"}``."""
        return {
            "state": self.state.value,
            "detail": dict(self.detail),
            "counters": dict(self.counters),
            "changed_at": self.changed_at.isoformat(timespec="seconds"),
            "reason": self.reason,
        }


Listener = Callable[[HealthReport], None]


@dataclass
class Health:
    """The live health of one device; thread-safe.

    ``set`` and ``update`` notify listeners only when the state or the detail really
    change, so a poll loop may call them on every cycle.
    """

    device: str
    state: DeviceState = DeviceState.OFFLINE
    clock: Callable[[], datetime] = _now
    _detail: dict[str, Any] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STANDARD_COUNTERS, 0))
    _reason: str = ""
    _changed_at: datetime | None = None
    _listeners: list[Listener] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._changed_at = self.clock()

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def set(self, state: DeviceState, reason: str = "", *, quiet: bool = False, **detail: Any) -> bool:
        """Move to ``state`` (with detail keys to merge); True when anything changed.
        ``quiet``: a change made on purpose (a driver stopped), logged at debug only."""
        state = DeviceState(state)
        with self._lock:
            old_state = self.state
            new_detail = {**self._detail, **detail}
            if state == old_state and new_detail == self._detail:
                if reason and state != DeviceState.ONLINE:
                    self._reason = reason  # a fresher reason, kept quietly: not a change
                return False
            self.state = state
            self._detail = new_detail
            self._reason = reason if state != DeviceState.ONLINE else ""
            self._changed_at = self.clock()
            report = self._snapshot_locked()
            listeners = list(self._listeners)
        if state != old_state and not quiet:
            self._log_transition(old_state, state, reason)
        for listener in listeners:
            try:
                listener(report)
            except Exception:  # a broken listener must not stop the driver
                log.exception("health listener failed for %s", self.device)
        return True

    def update(self, **detail: Any) -> bool:
        """Change detail keys without changing the state."""
        return self.set(self.state, self._reason, **detail)

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counters[name] = self._counters.get(name, 0) + n

    def reset_counter(self, name: str) -> None:
        with self._lock:
            self._counters[name] = 0

    def snapshot(self) -> HealthReport:
        with self._lock:
            return self._snapshot_locked()

    @property
    def available(self) -> bool:
        return self.state in AVAILABLE

    def _snapshot_locked(self) -> HealthReport:
        return HealthReport(
            device=self.device,
            state=self.state,
            detail=MappingProxyType(dict(self._detail)),
            counters=MappingProxyType(dict(self._counters)),
            changed_at=self._changed_at or self.clock(),
            reason=self._reason,
        )

    def _log_transition(self, old: DeviceState, new: DeviceState, reason: str) -> None:
        if new in NEEDS_ATTENTION and old not in NEEDS_ATTENTION:
            log.warning("%s: %s (%s)", self.device, new.value, reason or "no reason given")
        elif new in AVAILABLE and old in NEEDS_ATTENTION:
            log.info("%s: recovered, %s", self.device, new.value)
        else:
            log.debug("%s: %s -> %s %s", self.device, old.value, new.value, reason)
