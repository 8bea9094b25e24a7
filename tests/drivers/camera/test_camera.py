"""The supervised camera: frames flow, stills work, and it survives being pulled away.

Against the emulated camera and against OpenCVSource on a real MJPG clip: the latest
frame's sequence number advances, a still comes at full resolution, health detail carries
resolution, measured fps, frames and drops; unplugging turns the health to no_device, a
camera that stops streaming (or a node that no longer opens) to offline, within 2 s, and
both come back online by themselves. While the camera is away (or stopped, or not yet
started) ``latest_frame()`` raises DeviceUnavailable rather than serving a stale or empty
frame, and ``still()`` on a camera that is not running fails at once instead of spinning.
"""

import os
import time

import numpy as np
import pytest

from drivers.camera import Camera, EmulatedSource, OpenCVSource
from drivers.errors import DeviceUnavailable
from drivers.health import DeviceState

from tests.waiting import wait_for

from .conftest import write_clip


@pytest.fixture
def emulated():
    source = EmulatedSource("face", size=(320, 240), still_size=(1280, 720), fps=30, wait=0.05)
    camera = Camera(source, reconnect_interval=0.1)
    camera.start()
    yield camera, source
    camera.stop()


def online(camera):
    return camera.health.state == DeviceState.ONLINE


def test_latest_frame_sequence_advances(emulated):
    camera, _ = emulated
    assert wait_for(lambda: online(camera))
    frame, seq = camera.latest_frame()
    assert frame is not None and frame.shape == (240, 320, 3)
    newer, seq2 = camera.wait_frame(seq, timeout=1.0)
    assert seq2 > seq and newer is not None
    assert wait_for(lambda: camera.latest_frame()[1] >= seq2 + 5, timeout=1.0)


def test_still_is_full_resolution_and_counted(emulated):
    camera, _ = emulated
    still = camera.still(timeout=2.0)
    assert still.shape == (720, 1280, 3)
    assert camera.health.snapshot().counters["operations"] == 1


def test_health_detail_is_measured(emulated):
    camera, _ = emulated
    assert wait_for(lambda: camera.measured_fps() > 0, timeout=3.0)
    assert camera.health.snapshot().detail["resolution"] == "320x240"
    assert 15 <= camera.measured_fps() <= 40  # the emulator runs at 30
    counters = camera.health.snapshot().counters
    assert counters["frames"] >= 10 and counters.get("drops", 0) == 0


def test_unplug_is_no_device_and_comes_back(emulated):
    camera, source = emulated
    assert wait_for(lambda: online(camera))
    source.unplug()
    t0 = time.monotonic()
    assert wait_for(lambda: camera.health.state == DeviceState.NO_DEVICE, timeout=2.0)
    assert time.monotonic() - t0 < 2.0
    with pytest.raises(DeviceUnavailable):  # no stale picture while away
        camera.latest_frame()
    with pytest.raises(DeviceUnavailable):
        camera.still(timeout=0.2)
    seq = camera.health.snapshot().counters["frames"]
    source.plug()
    assert wait_for(lambda: online(camera), timeout=2.0)
    assert wait_for(lambda: camera.latest_frame()[1] > seq, timeout=1.0)
    counters = camera.health.snapshot().counters
    assert counters["reconnects"] >= 1 and counters["errors"] >= 1


def test_stalled_stream_goes_offline_and_recovers(emulated):
    camera, source = emulated
    assert wait_for(lambda: online(camera))
    source.stall()
    assert wait_for(lambda: camera.health.state == DeviceState.OFFLINE, timeout=2.0)
    assert "no frame" in camera.health.snapshot().reason
    with pytest.raises(DeviceUnavailable):
        camera.latest_frame()
    time.sleep(0.3)
    assert camera.health.state == DeviceState.OFFLINE  # does not flap back while silent
    source.stall(False)
    assert wait_for(lambda: online(camera), timeout=2.0)
    assert camera.health.snapshot().counters["drops"] >= 1


def test_listeners_hear_the_loss_once_and_the_recovery_once(emulated):
    camera, source = emulated
    assert wait_for(lambda: online(camera))
    states = []
    camera.health.add_listener(lambda report: states.append(report.state))
    source.unplug()
    assert wait_for(lambda: camera.health.state == DeviceState.NO_DEVICE)
    time.sleep(0.4)  # several reconnect attempts
    source.plug()
    assert wait_for(lambda: online(camera))
    time.sleep(0.3)  # frames flow: counters move, listeners hear nothing more
    assert states == [DeviceState.NO_DEVICE, DeviceState.ONLINE]


def test_opencv_clip_camera_unplug_and_replug(tmp_path):
    path = write_clip(tmp_path / "cam.avi", fps=30.0)
    camera = Camera(OpenCVSource(str(path)), reconnect_interval=0.1).start()
    try:
        assert wait_for(lambda: online(camera), timeout=2.0)
        frame, seq = camera.latest_frame()
        assert frame.shape == (240, 320, 3)
        assert wait_for(lambda: camera.latest_frame()[1] > seq + 3, timeout=1.0)
        assert camera.still().shape == (240, 320, 3)
        os.remove(path)  # the node is gone
        assert wait_for(lambda: camera.health.state == DeviceState.NO_DEVICE, timeout=2.0)
        path.write_bytes(b"not a video at all" * 50)  # something there that does not work
        assert wait_for(lambda: camera.health.state == DeviceState.OFFLINE, timeout=2.0)
        write_clip(tmp_path / "new.avi", fps=30.0).replace(path)  # the camera is back
        assert wait_for(lambda: online(camera), timeout=2.0)
        assert isinstance(camera.latest_frame()[0], np.ndarray)
    finally:
        camera.stop()
    assert camera.health.state == DeviceState.OFFLINE
    with pytest.raises(DeviceUnavailable):
        camera.latest_frame()


def test_camera_absent_from_the_start_is_no_device(tmp_path):
    camera = Camera(OpenCVSource(str(tmp_path / "none.avi")), reconnect_interval=0.1).start()
    try:
        assert wait_for(lambda: camera.health.state == DeviceState.NO_DEVICE, timeout=2.0)
        with pytest.raises(DeviceUnavailable):
            camera.latest_frame()
        write_clip(tmp_path / "none.avi")
        assert wait_for(lambda: online(camera), timeout=2.0)
    finally:
        camera.stop()


def test_latest_frame_raises_before_start_and_after_stop():
    camera = Camera(EmulatedSource("face", size=(320, 240), fps=30), reconnect_interval=0.1)
    with pytest.raises(DeviceUnavailable):
        camera.latest_frame()
    camera.start()
    try:
        assert wait_for(lambda: online(camera))
        frame, _ = camera.latest_frame()
        assert frame.shape == (240, 320, 3)
    finally:
        camera.stop()
    with pytest.raises(DeviceUnavailable):
        camera.latest_frame()
    with pytest.raises(DeviceUnavailable):
        camera.wait_frame(0, timeout=0.1)


@pytest.mark.parametrize("started", [False, True], ids=["never-started", "stopped"])
def test_still_on_a_camera_that_is_not_running_fails_at_once(started):
    """Once stopped, ``wait()`` returns at once: a still must not spin until its timeout."""
    camera = Camera(EmulatedSource("face", size=(320, 240), fps=30), reconnect_interval=0.1)
    if started:
        camera.start()
        assert wait_for(lambda: online(camera))
        camera.stop()
    wall, cpu = time.monotonic(), time.process_time()
    with pytest.raises(DeviceUnavailable) as info:
        camera.still(timeout=2.0)
    assert time.monotonic() - wall < 0.2 and time.process_time() - cpu < 0.2
    assert "not running" in str(info.value)
