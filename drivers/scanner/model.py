"""What every scanner source hands upward, and the rule that one code seen twice
within a short window is one scan.

:class:`ScannedCode` is the single value the kiosk receives from the serial scanner,
the keyboard-wedge scanner and the camera alike. :class:`Debouncer` is pure (its clock
is injected); :class:`CodeSink` is the glue each source shares: bytes → text →
debounce → ``on_code``, with the health counters kept.
"""

from __future__ import annotations

from drivers.privacy import mask_code  # noqa: F401  (re-exported)

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from drivers.errors import CodecError
from drivers.health import Health
from drivers.scanner.text import MAX_CODE_BYTES, decode_payload

log = logging.getLogger(__name__)

QR_CODE = "QRCode"
UNKNOWN_FORMAT = "unknown"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ScannedCode:
    """One scan: ``text`` decoded from ``raw``; ``source`` names the scanner."""

    text: str
    raw: bytes
    format: str
    source: str
    time: datetime = field(default_factory=utc_now)
    encoding: str = "utf-8"

    def __repr__(self) -> str:  # never the whole code: it may be personal data
        return (f"ScannedCode(text={mask_code(self.text)!r}, raw=<{len(self.raw)} bytes>, "
                f"format={self.format!r}, source={self.source!r}, "
                f"time={self.time.isoformat(timespec='milliseconds')}, encoding={self.encoding!r})")

    __str__ = __repr__


OnCode = Callable[[ScannedCode], None]


class Debouncer:
    """Tells a new scan from the same code seen again.

    A code is a repeat while it was last *seen* less than ``window`` seconds ago, so a
    code held in front of the camera (seen on every frame) stays one scan however long
    it is held, and counts again once it has been away for ``window`` seconds.
    """

    def __init__(self, window: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        if window < 0:
            raise ValueError("window must be >= 0")
        self.window = window
        self._clock = clock
        self._last_seen: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def accept(self, key: bytes | str) -> bool:
        """Note a sighting of ``key``; True when it is a new scan."""
        if isinstance(key, str):
            key = key.encode("utf-8", "surrogatepass")
        now = self._clock()
        with self._lock:
            last = self._last_seen.get(key)
            self._last_seen[key] = now
            if len(self._last_seen) > 64:
                self._prune_locked(now)
            return last is None or now - last >= self.window

    def reset(self) -> None:
        with self._lock:
            self._last_seen.clear()

    def _prune_locked(self, now: float) -> None:
        for key, seen in list(self._last_seen.items()):
            if now - seen >= self.window:
                del self._last_seen[key]


class CodeSink:
    """Bytes from any source → :class:`ScannedCode` → ``on_code``, once per scan.

    Counters on ``health``: ``operations`` (scans delivered), ``duplicates`` (repeats
    swallowed), ``rejected`` (codes that are not acceptable text).
    """

    def __init__(
        self,
        source: str,
        on_code: OnCode,
        health: Health,
        *,
        debounce: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utc_now,
        max_bytes: int = MAX_CODE_BYTES,
    ) -> None:
        self.source = source
        self.on_code = on_code
        self.health = health
        self.debouncer = Debouncer(debounce, clock)
        self.wall_clock = wall_clock
        self.max_bytes = max_bytes
        for counter in ("duplicates", "rejected"):
            health.count(counter, 0)  # present from the start, for the beacon

    def offer(self, raw: bytes, fmt: str = UNKNOWN_FORMAT) -> ScannedCode | None:
        """Handle one code's raw bytes; the delivered code, or None (rejected or repeat)."""
        try:
            text, encoding = decode_payload(raw, max_bytes=self.max_bytes)
        except CodecError as err:
            self.reject(err)
            return None
        if not self.debouncer.accept(raw):
            self.health.count("duplicates")
            return None
        code = ScannedCode(text=text, raw=bytes(raw), format=fmt, source=self.source,
                           time=self.wall_clock(), encoding=encoding)
        self.health.count("operations")
        try:
            self.on_code(code)
        except Exception:  # a broken consumer must not take the scanner down
            log.exception("%s: on_code callback failed", self.source)
        return code

    def reject(self, err: Exception) -> None:
        self.health.count("rejected")
        self.health.update(last_rejected=getattr(err, "code", "rejected"))
        log.info("%s: code rejected: %s", self.source, err)
