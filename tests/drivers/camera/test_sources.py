"""OpenCVSource over a real OpenCV capture pipeline, and the emulated source's controls.

There is no /dev/video here and no v4l2loopback, so OpenCVSource is driven with MJPG AVI
files written by cv2.VideoWriter: the same VideoCapture code path, error translation and
unplug detection (the file deleted = the node gone), but V4L2 itself is not exercised.
"""

import os

import numpy as np
import pytest

from drivers.camera.sources import EmulatedSource, OpenCVSource
from drivers.errors import DeviceNotFound, DeviceUnavailable

from .conftest import write_clip


def test_reads_frames_from_a_clip_and_loops(clip):
    src = OpenCVSource(str(clip))
    src.open()
    try:
        frames = [src.read() for _ in range(30)]  # more than the 12 in the clip: it loops
    finally:
        src.close()
    assert all(isinstance(f, np.ndarray) and f.shape == (240, 320, 3) and f.dtype == np.uint8 for f in frames)
    assert src.resolution == (320, 240)
    bar = [int(np.argmax(f[0, :, 0])) for f in frames]
    assert bar[0] < bar[5] < bar[10]  # the bar moves: real, different frames
    assert bar[12] == bar[0]  # and the clip started over


def test_clip_plays_at_its_own_frame_rate(tmp_path):
    import time

    src = OpenCVSource(str(write_clip(tmp_path / "slow.avi", fps=20.0)))
    src.open()
    start = time.monotonic()
    for _ in range(11):
        src.read()
    elapsed = time.monotonic() - start
    src.close()
    assert 0.4 <= elapsed < 1.0  # ten intervals of 50 ms


def test_still_gives_a_full_frame(clip):
    src = OpenCVSource(str(clip), still_size=(1920, 1080))
    src.open()
    assert src.still().shape == (240, 320, 3)  # a file has one size
    src.close()


@pytest.mark.parametrize("target", ["/nonexistent/cam.avi", "/dev/video97", 97, "97"])
def test_missing_target_is_no_device(target):
    with pytest.raises(DeviceNotFound):
        OpenCVSource(target).open()


def test_unreadable_file_is_unavailable(tmp_path):
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(DeviceUnavailable) as err:
        OpenCVSource(str(junk)).open()
    assert not isinstance(err.value, DeviceNotFound)


def test_removed_file_mid_stream_is_no_device(clip):
    src = OpenCVSource(str(clip))
    src.open()
    assert src.read() is not None
    os.remove(clip)
    with pytest.raises(DeviceNotFound):
        src.read()
    src.close()
    with pytest.raises(DeviceUnavailable):
        src.read()  # closed: no frame, a typed error


def test_emulated_source_unplug_stall_and_scene():
    src = EmulatedSource("empty", size=(320, 240), fps=100, wait=0.01)
    src.open()
    a, b = src.read(), src.read()
    assert a.shape == (240, 320, 3) and not np.array_equal(a, b)  # the counter differs
    src.stall()
    assert src.read() is None
    with pytest.raises(DeviceUnavailable):
        src.still()
    src.stall(False)
    src.set_scene("qr", payload="TEST-1")
    assert not np.array_equal(src.read()[:200], a[:200])
    src.unplug()
    with pytest.raises(DeviceNotFound):
        src.read()
    with pytest.raises(DeviceNotFound):
        src.open()
    src.plug()
    src.open()
    assert src.read() is not None


def test_emulated_still_at_its_own_resolution():
    src = EmulatedSource("face", size=(320, 240), still_size=(1280, 720), fps=100)
    src.open()
    assert src.still().shape == (720, 1280, 3)
    assert src.read().shape == (240, 320, 3)
