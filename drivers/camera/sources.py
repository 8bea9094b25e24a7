"""Where frames come from: an OpenCV capture or the emulator, behind one small base class.

A source is the camera's transport. ``open()`` connects, ``read()`` returns the next BGR
frame (or None when none came within its short wait), ``still()`` returns one frame at
full resolution, ``close()`` lets go. OpenCV failures are translated here, once:
a missing node or file is :class:`DeviceNotFound`, anything else :class:`DeviceUnavailable`.

The tests drive :class:`OpenCVSource` through a real OpenCV capture pipeline on video
files (MJPG in AVI) written with ``cv2.VideoWriter``; V4L2 itself (``/dev/videoN``) is
not exercised there, as the test machine has no camera and no v4l2loopback.
"""

from __future__ import annotations

import os
import re
import threading
import time
from abc import ABC, abstractmethod

import cv2
import numpy as np

from drivers.camera.scenes import Scene, Size, make_scene
from drivers.errors import DeviceNotFound, DeviceUnavailable


class FrameSource(ABC):
    """One camera connection. Not thread-safe: the :class:`Camera` serialises calls."""

    name = "source"

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next frame, or None when none came in a short wait; raises when lost."""

    def still(self) -> np.ndarray:
        """One fresh frame at the source's full resolution."""
        frame = self.read()
        if frame is None:
            raise DeviceUnavailable(f"{self.name}: no frame for the still")
        return frame

    @abstractmethod
    def close(self) -> None: ...

    @property
    def resolution(self) -> Size | None:
        return None


def _device_path(target: int | str) -> str | None:
    """The filesystem path that must exist for ``target``, or None for a URL."""
    if isinstance(target, int):
        return f"/dev/video{target}"
    if "://" in target:
        return None
    return target


class OpenCVSource(FrameSource):
    """``cv2.VideoCapture`` on a device index, a ``/dev/videoN`` path, a file or a URL.

    ``size`` is the preview resolution asked of a camera, ``still_size`` the one used for
    :meth:`still` (a camera's largest mode; None keeps the preview's); ``fourcc`` the
    pixel format asked of a camera. A video file plays at its own frame rate and loops,
    so it can stand in for a camera.
    """

    def __init__(
        self,
        target: int | str,
        size: Size | None = (1280, 720),
        still_size: Size | None = None,
        read_timeout: float = 1.0,
        fourcc: str | None = "MJPG",
    ) -> None:
        if isinstance(target, str) and re.fullmatch(r"\d+", target):
            target = int(target)
        self.target = target
        self.name = f"camera {target}"
        self.size = size
        self.still_size = still_size
        self.read_timeout = read_timeout
        self.fourcc = fourcc
        self._path = _device_path(target)
        self._is_file = isinstance(target, str) and self._path is not None and not self._path.startswith("/dev/")
        self._cap: cv2.VideoCapture | None = None
        self._interval = 0.0
        self._next_at = 0.0
        self._resolution: Size | None = None

    @property
    def resolution(self) -> Size | None:
        return self._resolution

    def _check_present(self) -> None:
        if self._path is not None and not os.path.exists(self._path):
            raise DeviceNotFound(f"{self.name}: {self._path} does not exist")

    def open(self) -> None:
        self._check_present()
        try:
            if isinstance(self.target, int) or (self._path or "").startswith("/dev/"):
                cap = cv2.VideoCapture(self.target, cv2.CAP_V4L2)
            else:
                cap = cv2.VideoCapture(self.target)
            if not cap.isOpened():
                cap.release()
                raise DeviceUnavailable(f"{self.name}: OpenCV cannot open it")
            if not self._is_file:
                if hasattr(cv2, "CAP_PROP_READ_TIMEOUT_MSEC"):
                    cap.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, self.read_timeout * 1000)
                if self.fourcc:  # USB cameras give 720p at full rate only as MJPG
                    cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*self.fourcc))
                cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queued one
                if self.size:
                    self._set_size(cap, self.size)
        except cv2.error as err:
            raise DeviceUnavailable(f"{self.name}: {err}") from err
        fps = cap.get(cv2.CAP_PROP_FPS) if self._is_file else 0.0
        self._interval = 1.0 / min(60.0, max(1.0, fps)) if self._is_file else 0.0
        self._next_at = time.monotonic()
        self._cap = cap

    @staticmethod
    def _set_size(cap: cv2.VideoCapture, size: Size) -> None:
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])

    def _grab(self) -> np.ndarray | None:
        if self._cap is None:
            raise DeviceUnavailable(f"{self.name}: not open")
        self._check_present()  # a stat per frame: tells an unplugged node from a glitch
        try:
            ok, frame = self._cap.read()
            if not ok and self._is_file:  # end of the clip: loop it, like a live camera
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self._cap.read()
        except cv2.error as err:
            raise DeviceUnavailable(f"{self.name}: {err}") from err
        if not ok or frame is None:
            self._check_present()
            raise DeviceUnavailable(f"{self.name}: read failed")
        self._resolution = (int(frame.shape[1]), int(frame.shape[0]))
        return frame

    def read(self) -> np.ndarray | None:
        if self._interval:  # a file plays at its own pace
            delay = self._next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_at = max(self._next_at + self._interval, time.monotonic() - self._interval)
        return self._grab()

    def still(self) -> np.ndarray:
        if self._cap is None:
            raise DeviceUnavailable(f"{self.name}: not open")
        if not self.still_size or self._is_file:
            return self._grab()  # type: ignore[return-value]
        try:
            self._set_size(self._cap, self.still_size)
            for _ in range(2):  # the first frames after a mode change are often stale
                self._grab()
            return self._grab()  # type: ignore[return-value]
        finally:
            if self.size and self._cap is not None:
                try:
                    self._set_size(self._cap, self.size)
                except cv2.error:
                    pass

    def close(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()


class EmulatedSource(FrameSource):
    """A camera that serves rendered scenes at a frame rate; it can be unplugged or stall.

    ``unplug()`` is a pulled USB cable (the node is gone: :class:`DeviceNotFound`);
    ``stall()`` is a camera that stays plugged in but stops streaming (reads give no
    frame); ``set_scene()`` changes what it sees. Frames are rendered once per scene and
    served as copies, with a frame counter drawn into one corner so consecutive frames differ.
    """

    def __init__(
        self,
        scene: Scene | str = "empty",
        size: Size = (640, 480),
        fps: float = 15.0,
        still_size: Size | None = None,
        wait: float = 0.2,
    ) -> None:
        self.name = "emulated camera"
        self.size = size
        self.still_size = still_size or size
        self.fps = fps
        self.wait = wait
        self._lock = threading.Lock()
        self._scene: Scene = make_scene(scene) if isinstance(scene, str) else scene
        self._cache: dict[Size, np.ndarray] = {}
        self._plugged = True
        self._stalled = False
        self._open = False
        self._next_at = 0.0
        self.served = 0

    # -- what the test or the demo does to it ------------------------------------------
    def set_scene(self, scene: Scene | str, **options: object) -> None:
        with self._lock:
            self._scene = make_scene(scene, **options) if isinstance(scene, str) else scene
            self._cache.clear()

    def unplug(self) -> None:
        with self._lock:
            self._plugged = False

    def plug(self) -> None:
        with self._lock:
            self._plugged = True
            self._stalled = False

    def stall(self, stalled: bool = True) -> None:
        with self._lock:
            self._stalled = stalled

    # -- the source ---------------------------------------------------------------------
    @property
    def resolution(self) -> Size | None:
        return self.size if self._open else None

    def open(self) -> None:
        with self._lock:
            if not self._plugged:
                raise DeviceNotFound("emulated camera: unplugged")
            self._open = True
            self._next_at = time.monotonic()

    def _frame(self, size: Size) -> np.ndarray:
        with self._lock:
            if not self._plugged:
                self._open = False
                raise DeviceNotFound("emulated camera: unplugged")
            if not self._open:
                raise DeviceUnavailable("emulated camera: not open")
            if size not in self._cache:
                self._cache[size] = self._scene(size)
            frame = self._cache[size].copy()
            self.served += 1
            cv2.putText(frame, str(self.served), (4, size[1] - 4), cv2.FONT_HERSHEY_PLAIN, 0.8, (0, 0, 0), 1)
            return frame

    def read(self) -> np.ndarray | None:
        if self._stalled:
            time.sleep(self.wait)
            if not self._plugged:
                raise DeviceNotFound("emulated camera: unplugged")
            return None
        delay = self._next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next_at = max(self._next_at + 1.0 / self.fps, time.monotonic() - 1.0 / self.fps)
        return self._frame(self.size)

    def still(self) -> np.ndarray:
        if self._stalled:
            raise DeviceUnavailable("emulated camera: no frame for the still")
        return self._frame(self.still_size)

    def close(self) -> None:
        with self._lock:
            self._open = False
