"""The camera driver: capture in the supervisor's thread, the latest frame on demand.

Frames are read in the device's own worker thread (never on the UI clock), so the UI
and the QR scanner only ever pick up the newest one with :meth:`Camera.latest_frame`.
A camera that stops giving frames (reads fail, or none for ``stall_timeout``) goes
``offline``; one whose node is gone goes ``no_device``; both come back by themselves,
and the camera counts as online only once it delivers frames again.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

from drivers.camera.sources import FrameSource
from drivers.errors import DeviceTimeout, DeviceUnavailable
from drivers.health import Health
from drivers.supervisor import DeviceSupervisor

class Camera(DeviceSupervisor):
    """A supervised camera over any :class:`FrameSource`.

    >>> cam = Camera(EmulatedSource("face")).start()
    >>> frame, seq = cam.latest_frame()  # DeviceUnavailable until the camera is online
    """

    def __init__(
        self,
        source: FrameSource,
        name: str = "camera",
        *,
        stall_timeout: float = 1.0,
        reconnect_interval: float = 0.5,
        health: Health | None = None,
    ) -> None:
        super().__init__(name, reconnect_interval=reconnect_interval, poll_interval=0.0, health=health)
        self.source = source
        self.stall_timeout = stall_timeout
        self._frame_lock = threading.Lock()
        self._new_frame = threading.Condition(self._frame_lock)
        self._frame: np.ndarray | None = None
        self._seq = 0
        self._last_frame_at = 0.0
        self._times: deque[float] = deque(maxlen=120)

    # -- what the kiosk calls -------------------------------------------------------------
    def latest_frame(self) -> tuple[np.ndarray, int]:
        """The newest BGR frame and its sequence number.

        The number grows by one with every new frame, so a consumer can tell a new frame
        from one it has seen. Treat the frame as read-only: it is shared. Raises
        :class:`DeviceUnavailable` while the camera is not connected (unplugged, stalled,
        stopped, not started), so a consumer such as the QR scanner goes offline with it.
        """
        with self._frame_lock:
            frame, seq = self._frame, self._seq
        if frame is None or not self.connected:
            raise DeviceUnavailable(f"{self.name}: not connected")
        return frame, seq

    def wait_frame(self, after: int, timeout: float) -> tuple[np.ndarray, int]:
        """Block until a frame newer than ``after`` arrives or ``timeout`` passes, then
        return the newest (:class:`DeviceUnavailable` while the camera is not connected)."""
        deadline = time.monotonic() + timeout
        with self._new_frame:
            while self._seq <= after:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._new_frame.wait(left)
        return self.latest_frame()

    def still(self, timeout: float = 3.0) -> np.ndarray:
        """One fresh frame at full resolution; waits up to ``timeout`` for the camera.

        A camera that is not running (never started, or stopped) raises
        :class:`DeviceUnavailable` at once: nothing would ever connect it.
        """
        deadline = time.monotonic() + timeout
        while not self.connected:
            if not self.running:
                raise DeviceUnavailable(f"{self.name}: not running")
            if time.monotonic() >= deadline:
                raise DeviceTimeout(f"{self.name}: not available for a still within {timeout:.1f} s")
            self.wait(min(0.05, max(0.0, deadline - time.monotonic())))
        with self.exclusive():
            frame = self.source.still()
        self.health.count("operations")
        return frame

    # -- supervisor hooks ------------------------------------------------------------------
    def open(self) -> None:
        """Open the source and wait for its first frame: online means frames come."""
        self.source.open()
        deadline = time.monotonic() + self.stall_timeout
        while True:
            frame = self.source.read()
            if frame is not None:
                self._publish(frame)
                break
            if time.monotonic() >= deadline:
                raise DeviceUnavailable(f"{self.name}: opened, but no frame within {self.stall_timeout:.1f} s")
        resolution = self.source.resolution
        self.health.update(resolution=f"{resolution[0]}x{resolution[1]}" if resolution else None)

    def poll(self) -> None:
        with self._io_lock:
            if not self.connected:
                return
            frame = self.source.read()
        if frame is not None:
            self._publish(frame)
        else:
            self.health.count("drops")
            silent = time.monotonic() - self._last_frame_at
            if silent > self.stall_timeout:
                raise DeviceUnavailable(f"{self.name}: no frame for {silent:.1f} s")

    def close(self) -> None:
        with self._frame_lock:
            self._frame = None  # never a stale picture of the last citizen
        self._times.clear()
        self.source.close()

    # -- internals ------------------------------------------------------------------------
    def _publish(self, frame: np.ndarray) -> None:
        now = time.monotonic()
        with self._new_frame:
            self._frame = frame
            self._seq += 1
            self._new_frame.notify_all()
        self._last_frame_at = now
        self._times.append(now)
        self.health.count("frames")

    def measured_fps(self) -> float:
        """Frames per second over the last two seconds; 0.0 until half a second is seen."""
        times = list(self._times)
        if not times:
            return 0.0
        recent = [t for t in times if t >= times[-1] - 2.0]
        span = recent[-1] - recent[0]
        return (len(recent) - 1) / span if span >= 0.5 else 0.0
