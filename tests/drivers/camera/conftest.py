"""Shared helpers for the camera tests: video files that stand in for a camera, and deadlines."""

import time
from pathlib import Path

import cv2
import numpy as np
import pytest


def write_clip(path: Path, size=(320, 240), frames=12, fps=30.0) -> Path:
    """An MJPG AVI whose frames differ (a moving bar), read back by a real OpenCV capture."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for i in range(frames):
        frame = np.full((size[1], size[0], 3), 60, np.uint8)
        x = int(i * size[0] / frames)
        frame[:, x : x + 10] = 255
        writer.write(frame)
    writer.release()
    return path


def wait_for(predicate, timeout=2.0, interval=0.02):
    """Poll ``predicate`` until it is true or ``timeout`` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


@pytest.fixture
def clip(tmp_path):
    return write_clip(tmp_path / "camera.avi")
