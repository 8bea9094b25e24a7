"""Shared helpers for the camera tests: video files that stand in for a camera."""

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


@pytest.fixture
def clip(tmp_path):
    return write_clip(tmp_path / "camera.avi")
