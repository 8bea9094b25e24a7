"""The camera source decodes frames in its own worker thread, never the caller's: it
skips frames it has already decoded (same sequence number), limits its own rate, hands
each code on once while it is held in view, survives malformed frames and reports a
provider that fails as offline until frames come back. ``FrameSource`` below is a
stand-in for the camera driver (written in parallel): any object with
``latest_frame() -> (frame or None, sequence)`` will do, and it serves real rendered
frames (a rotated QR code on a 1280×720 scene, a blank scene)."""

import threading
import time

import numpy as np

from drivers.errors import DeviceUnavailable
from drivers.health import DeviceState
from drivers.scanner.camera_scanner import CameraScanner
from tests.drivers.scanner.helpers import Collector, wait_for
from tests.drivers.scanner.qrimages import RECEIPT_NO, add_noise, blank_frame, on_frame, render_qr


class FrameSource:
    """A stand-in for the camera driver's latest-frame interface."""

    def __init__(self):
        self.lock = threading.Lock()
        self.frame = None
        self.seq = 0
        self.calls = 0
        self.fail = False
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
            if self.fail:
                raise DeviceUnavailable("camera gone")
            return self.frame, self.seq


def qr_scene(payload: bytes, angle=20.0, scale=0.8, noise=False):
    frame = on_frame(render_qr(payload, box=6), angle=angle, scale=scale)
    return add_noise(frame, 20) if noise else frame


GBK_PAYLOAD = "张三 受理编号".encode("gbk")


def test_codes_are_decoded_in_a_worker_thread_once_per_scan():
    source, got = FrameSource(), Collector()
    with CameraScanner(source, got, max_rate=50, debounce=5.0) as scanner:
        source.show(blank_frame())
        wait_for(lambda: scanner.frames_decoded >= 1, what="blank frame decoded")
        source.show(qr_scene(RECEIPT_NO.encode()))
        assert got.wait_count(1) == [RECEIPT_NO]
        for angle in (25, 30, 35):  # the code held in view, new frames each time
            source.show(qr_scene(RECEIPT_NO.encode(), angle=angle, noise=True))
        wait_for(lambda: scanner.frames_decoded >= 5, what="held frames decoded")
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
        wait_for(lambda: source.calls >= calls + 10, what="more polls")
        assert scanner.frames_decoded == 1


def test_no_frame_yet_decodes_nothing():
    source, got = FrameSource(), Collector()
    with CameraScanner(source, got) as scanner:
        wait_for(lambda: source.calls >= 5, what="polls")
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
        wait_for(lambda: scanner.frames_decoded >= 4, what="4 decodes")
        elapsed = time.monotonic() - started
    assert elapsed >= 0.25  # 4 decodes at most 10 a second take at least 0.3 s (first at 0)


def test_malformed_frame_is_rejected_and_decoding_goes_on():
    source, got = FrameSource(), Collector()
    with CameraScanner(source, got, max_rate=50) as scanner:
        source.show(np.zeros((10, 10), np.float64))
        wait_for(lambda: scanner.health.snapshot().counters["rejected"] == 1, what="rejection")
        source.show(qr_scene(RECEIPT_NO.encode()))
        assert got.wait_count(1) == [RECEIPT_NO]
        assert scanner.health.state == DeviceState.ONLINE


def test_failing_provider_is_offline_until_frames_come_back():
    source, got = FrameSource(), Collector()
    with CameraScanner(source, got, reconnect_interval=0.1) as scanner:
        wait_for(lambda: scanner.health.state == DeviceState.ONLINE, what="online")
        source.fail = True
        wait_for(lambda: scanner.health.state == DeviceState.OFFLINE, what="offline")
        source.fail = False
        source.show(qr_scene(RECEIPT_NO.encode()))
        wait_for(lambda: scanner.health.state == DeviceState.ONLINE, what="online again")
        assert got.wait_count(1) == [RECEIPT_NO]


def test_decode_can_be_called_directly():
    got = Collector()
    scanner = CameraScanner(FrameSource(), got)
    scanner.decode(qr_scene(GBK_PAYLOAD))
    assert got.texts() == ["张三 受理编号"]
