"""The camera source decodes frames in its own worker thread, never the caller's: it
skips frames it has already decoded (same sequence number), limits its own rate, hands
each code on once while it is held in view and survives malformed frames. Those tests
use ``FrameSource`` below, a scripted frame provider (``latest_frame() -> (frame,
sequence)``) that gives exact control over which frame is new; it serves real rendered
frames (a rotated QR code on a 1280×720 scene, a blank scene). Going offline with the
camera is tested against the real :class:`drivers.camera.Camera` over an
``EmulatedSource``: the scanner is offline until the camera delivers frames, goes
offline when the camera is unplugged or stopped, and comes back online with it."""

import threading
import time

import numpy as np
import pytest

from drivers.camera import Camera, EmulatedSource
from drivers.camera.scenes import make_scene

from drivers.health import DeviceState
from drivers.scanner.camera_scanner import CameraScanner
from tests.drivers.scanner.helpers import Collector
from tests.waiting import wait_for
from tests.drivers.scanner.qrimages import RECEIPT_NO, add_noise, blank_frame, on_frame, render_qr


class FrameSource:
    """A scripted frame provider: each ``show()`` is one new frame."""

    def __init__(self):
        self.lock = threading.Lock()
        self.frame = None
        self.seq = 0
        self.calls = 0
        self.threads = set()

    def show(self, frame):
        """A new frame arrives from the sensor."""
        with self.lock:
            self.frame = frame
            self.seq += 1

    def latest_frame(self):
        self.threads.add(threading.current_thread().name)
        with self.lock:
            self.calls += 1
            return self.frame, self.seq


def qr_scene(payload: bytes, angle=20.0, scale=0.8, noise=False):
    frame = on_frame(render_qr(payload, box=6), angle=angle, scale=scale)
    return add_noise(frame, 20) if noise else frame


GBK_PAYLOAD = "张三 受理编号".encode("gbk")


def test_codes_are_decoded_in_a_worker_thread_once_per_scan():
    source, got = FrameSource(), Collector()
    with CameraScanner(source, got, max_rate=50, debounce=5.0) as scanner:
        source.show(blank_frame())
        assert wait_for(lambda: scanner.frames_decoded >= 1), "blank frame decoded"
        source.show(qr_scene(RECEIPT_NO.encode()))
        assert got.wait_count(1) == [RECEIPT_NO]
        for angle in (25, 30, 35):  # the code held in view, new frames each time
            source.show(qr_scene(RECEIPT_NO.encode(), angle=angle, noise=True))
        assert wait_for(lambda: scanner.frames_decoded >= 5), "held frames decoded"
        source.show(qr_scene(GBK_PAYLOAD, angle=-40))
        assert got.wait_count(2) == [RECEIPT_NO, "张三 受理编号"]
        assert scanner.health.snapshot().counters["duplicates"] >= 3
    assert [(c.source, c.format, c.raw) for c in got.codes] == [
        ("camera", "QRCode", RECEIPT_NO.encode()), ("camera", "QRCode", GBK_PAYLOAD)]
    assert source.threads == {"drv-camera-scanner"}


def test_a_frame_already_decoded_is_not_decoded_again():
    source, got = FrameSource(), Collector()
    source.show(qr_scene(RECEIPT_NO.encode()))
    with CameraScanner(source, got, max_rate=100) as scanner:
        got.wait_count(1)
        calls = source.calls
        assert wait_for(lambda: source.calls >= calls + 10), "more polls"
        assert scanner.frames_decoded == 1


def test_no_frame_yet_decodes_nothing():
    source, got = FrameSource(), Collector()
    with CameraScanner(source, got) as scanner:
        assert wait_for(lambda: source.calls >= 5), "polls"
        assert scanner.frames_decoded == 0 and scanner.health.state == DeviceState.ONLINE


class EndlessSource(FrameSource):
    """A camera that always has a newer frame."""

    def latest_frame(self):
        frame, _ = super().latest_frame()
        with self.lock:
            self.seq += 1
            return frame, self.seq


def test_decoding_rate_is_limited():
    source, got = EndlessSource(), Collector()
    source.show(blank_frame((320, 240)))
    with CameraScanner(source, got, max_rate=10) as scanner:
        started = time.monotonic()
        assert wait_for(lambda: scanner.frames_decoded >= 4), "4 decodes"
        elapsed = time.monotonic() - started
    assert elapsed >= 0.25  # 4 decodes at most 10 a second take at least 0.3 s (first at 0)


def test_malformed_frame_is_rejected_and_decoding_goes_on():
    source, got = FrameSource(), Collector()
    with CameraScanner(source, got, max_rate=50) as scanner:
        source.show(np.zeros((10, 10), np.float64))
        assert wait_for(lambda: scanner.health.snapshot().counters["rejected"] == 1), "rejection"
        source.show(qr_scene(RECEIPT_NO.encode()))
        assert got.wait_count(1) == [RECEIPT_NO]
        assert scanner.health.state == DeviceState.ONLINE


@pytest.fixture
def camera_rig():
    """The real camera driver over an emulated camera, and a scanner reading from it."""
    source = EmulatedSource(make_scene("qr", payload=RECEIPT_NO), size=(640, 480), fps=30, wait=0.05)
    camera = Camera(source, reconnect_interval=0.1)
    got = Collector()
    scanner = CameraScanner(camera, got, max_rate=20, debounce=0.2, reconnect_interval=0.1)
    yield source, camera, scanner, got
    scanner.stop()
    camera.stop()


def state(driver):
    return driver.health.state


def test_scanner_is_offline_until_the_camera_gives_frames(camera_rig):
    source, camera, scanner, got = camera_rig
    scanner.start()
    time.sleep(0.3)  # several attempts to open against a camera that is not started
    assert state(scanner) == DeviceState.OFFLINE and not scanner.connected and got.texts() == []
    camera.start()
    assert wait_for(lambda: state(scanner) == DeviceState.ONLINE), "online with the camera"
    assert got.wait_count(1) == [RECEIPT_NO]


def test_scanner_goes_offline_with_an_unplugged_camera_and_returns_with_it(camera_rig):
    source, camera, scanner, got = camera_rig
    camera.start()
    scanner.start()
    assert got.wait_count(1) == [RECEIPT_NO]
    changes = []
    scanner.health.add_listener(lambda report: changes.append(report.state))
    source.unplug()
    assert wait_for(lambda: state(camera) == DeviceState.NO_DEVICE), "camera no_device"
    assert wait_for(lambda: state(scanner) == DeviceState.OFFLINE), "scanner offline"
    assert "not connected" in scanner.health.snapshot().reason
    time.sleep(0.3)  # reconnect attempts while the camera is away: no flapping
    assert state(scanner) == DeviceState.OFFLINE
    source.set_scene("qr", payload="张三 受理编号")
    source.plug()
    assert wait_for(lambda: state(scanner) == DeviceState.ONLINE), "online again"
    assert got.wait_count(2) == [RECEIPT_NO, "张三 受理编号"]
    assert changes == [DeviceState.OFFLINE, DeviceState.ONLINE]


def test_scanner_goes_offline_when_the_camera_is_stopped_and_back_when_restarted(camera_rig):
    source, camera, scanner, got = camera_rig
    camera.start()
    scanner.start()
    assert wait_for(lambda: state(scanner) == DeviceState.ONLINE), "online"
    camera.stop()
    assert wait_for(lambda: state(scanner) == DeviceState.OFFLINE), "offline with the camera"
    decoded = scanner.frames_decoded
    time.sleep(0.3)
    assert scanner.frames_decoded == decoded and state(scanner) == DeviceState.OFFLINE
    camera.start()
    assert wait_for(lambda: state(scanner) == DeviceState.ONLINE), "online again"
    assert wait_for(lambda: scanner.frames_decoded > decoded), "decoding again"


def test_decode_can_be_called_directly():
    got = Collector()
    scanner = CameraScanner(FrameSource(), got)
    scanner.decode(qr_scene(GBK_PAYLOAD))
    assert got.texts() == ["张三 受理编号"]


def test_the_fallback_decoder_reads_one_empty_frame_in_four(monkeypatch):
    """zxing-cpp reads every frame; the fallback only every fourth while nothing is found
    (zbar on every empty frame cost ~9× zxing-cpp: bench/qr.py)."""
    from drivers.scanner import decode

    asked = []

    def fallback(frame):
        asked.append(frame.shape)
        return []

    monkeypatch.setitem(decode.BACKENDS, "counting", fallback)
    scanner = CameraScanner(FrameSource(), Collector(), backends=("zxing-cpp", "counting"))
    for _ in range(12):
        scanner.decode(blank_frame())
    assert scanner.frames_decoded == 12 and len(asked) == 3
    got = Collector()
    every = CameraScanner(FrameSource(), got, backends=("zxing-cpp", "counting"), fallback_every=1)
    for _ in range(5):
        every.decode(blank_frame())
    assert len(asked) == 3 + 5
    every.decode(qr_scene(GBK_PAYLOAD))  # found by zxing-cpp: the fallback is not asked
    assert got.texts() == ["张三 受理编号"] and len(asked) == 3 + 5
    with pytest.raises(ValueError):
        CameraScanner(FrameSource(), got, fallback_every=0)
