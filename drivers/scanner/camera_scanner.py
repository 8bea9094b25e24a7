"""QR codes from the camera: frames decoded in a worker thread, never on the UI clock.

The scanner takes any *frame provider*: an object whose ``latest_frame()`` returns
``(frame, sequence_number)`` and raises :class:`~drivers.errors.DeviceUnavailable`
while it has no camera — :class:`drivers.camera.Camera` is one. It decodes only frames
it has not decoded yet (the sequence number tells), at most ``max_rate`` frames a
second so that decoding does not starve the rest of the kiosk, and hands each new code
to ``on_code`` through the same debouncer as the other sources (a code held in front of
the lens is one scan). The scanner is ``online`` only while the provider gives frames:
``open()`` asks it for one, and a provider that raises ``DeviceUnavailable`` (the camera
unplugged, stalled or stopped) makes this source ``offline`` until frames come again.

Only the first back-end reads every frame. The fallback (pyzbar) is asked on one frame in
``fallback_every`` when the first finds nothing: nobody holds a code up most of the day,
and zbar on every empty 1280×720 frame cost about 9× zxing-cpp (``bench/qr.py``: ~31% of
a core at 8 fps, against ~2%). A code held up stays in view for many frames, so zbar still
gets its chance within a fraction of a second.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Callable, Protocol

from drivers.errors import CodecError
from drivers.health import Health
from drivers.scanner.decode import DEFAULT_ORDER, read_symbols
from drivers.scanner.model import CodeSink, OnCode, utc_now
from drivers.scanner.text import MAX_CODE_BYTES
from drivers.supervisor import DeviceSupervisor

log = logging.getLogger(__name__)


class FrameProvider(Protocol):
    def latest_frame(self) -> tuple[Any, int]:
        """``(numpy frame, its sequence number)``; DeviceUnavailable without a camera.

        ``None`` for the frame (none yet) is tolerated and decodes nothing."""


class CameraScanner(DeviceSupervisor):
    """Decodes the provider's newest frame, up to ``max_rate`` times a second."""

    source = "camera"

    def __init__(
        self,
        provider: FrameProvider,
        on_code: OnCode,
        *,
        name: str = "camera-scanner",
        max_rate: float = 8.0,
        idle_interval: float = 0.02,
        debounce: float = 2.0,
        backends: tuple[str, ...] = DEFAULT_ORDER,
        fallback_every: int = 4,
        max_bytes: int = MAX_CODE_BYTES,
        reconnect_interval: float = 0.5,
        health: Health | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if max_rate <= 0:
            raise ValueError("max_rate must be positive")
        if fallback_every < 1:
            raise ValueError("fallback_every must be at least 1")
        super().__init__(name, reconnect_interval=reconnect_interval,
                         poll_interval=idle_interval, health=health)
        self.provider = provider
        self.min_period = 1.0 / max_rate
        self.backends = backends
        self.fallback_every = fallback_every
        self.sink = CodeSink(self.source, on_code, self.health, debounce=debounce, clock=clock,
                             wall_clock=wall_clock, max_bytes=max_bytes)
        self._last_seq: int | None = None
        self._last_decode = float("-inf")
        self.frames_decoded = 0
        self.health.update(source=self.source)

    def open(self) -> None:
        """Online only when the provider has frames: its DeviceUnavailable goes up."""
        self.provider.latest_frame()
        self._last_seq = None

    def close(self) -> None:
        pass  # the provider belongs to the camera driver

    def poll(self) -> None:
        """One cycle: decode the newest frame if it is new and the rate allows."""
        wait = self._last_decode + self.min_period - time.monotonic()
        if wait > 0 and self.wait(wait):
            return
        frame, seq = self.provider.latest_frame()
        if frame is None or seq == self._last_seq:
            return
        self._last_seq = seq
        self._last_decode = time.monotonic()
        self.decode(frame)

    def backends_for(self, number: int) -> tuple[str, ...]:
        """Every back-end on one frame in ``fallback_every``, the first alone otherwise."""
        return self.backends if number % self.fallback_every == 0 else self.backends[:1]

    def decode(self, frame: Any) -> None:
        """Decode one frame and hand on its codes (callable without the thread)."""
        try:
            symbols = read_symbols(frame, self.backends_for(self.frames_decoded))
        except CodecError as err:  # a malformed frame: note it, keep serving
            self.sink.reject(err)
            return
        self.frames_decoded += 1
        for symbol in symbols:
            self.sink.offer(symbol.raw, symbol.format)
