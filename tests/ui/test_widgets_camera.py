"""The camera preview: frames to a reused texture on the clock, a placeholder while away."""

import time

import numpy as np
import pytest

from tests.ui.widget_harness import frames, mounted, texture_rgb, window

window()

from drivers.camera import Camera, EmulatedSource  # noqa: E402
from drivers.errors import DeviceUnavailable  # noqa: E402
from kiosk.ui.strings import t  # noqa: E402
from kiosk.ui.widgets.camera_preview import CameraPreview  # noqa: E402

RED_BGR = (0, 0, 255)


class FakeCamera:
    """``latest_frame()`` as the driver has it: returns at once, or raises while away."""

    def __init__(self, width=64, height=48):
        self.frame = np.zeros((height, width, 3), np.uint8)
        self.frame[: height // 4, : width // 4] = RED_BGR  # a red block at the top left
        self.seq = 1
        self.away = False
        self.calls = 0

    def latest_frame(self):
        self.calls += 1
        if self.away:
            raise DeviceUnavailable("camera: not connected")
        return self.frame, self.seq

    def wait_frame(self, *_args):  # a preview that waits would freeze the screen
        raise AssertionError("the preview must never wait for a frame")


def run_until(predicate, limit=2.0):
    deadline = time.monotonic() + limit
    while not predicate() and time.monotonic() < deadline:
        frames(1)
    return predicate()


def test_start_shows_the_frame_in_rgb_the_right_way_up():
    cam = FakeCamera()
    preview = CameraPreview(source=cam)
    with mounted(preview, size=(400, 300)):
        preview.start()
        assert preview.texture is not None and preview.texture.size == (64, 48)
        pixels = texture_rgb(preview.texture)
        assert tuple(pixels[2, 2]) == (255, 0, 0)  # red, at the top left
        assert tuple(pixels[-2, -2]) == (0, 0, 0)
        assert preview.picture_rect[2:] == [400, 300]
        preview.stop()


def test_texture_is_updated_only_when_seq_changes_and_is_reused():
    cam = FakeCamera()
    preview = CameraPreview(source=cam)
    with mounted(preview, size=(400, 300)):
        preview.start()
        texture = preview.texture
        cam.frame[:] = (255, 0, 0)  # blue, but the same seq: not a new frame
        for _ in range(3):
            preview.poll()
        assert preview.frames_shown == 1
        assert tuple(texture_rgb(texture)[2, 2]) == (255, 0, 0)
        cam.seq = 2
        preview.poll()
        assert preview.frames_shown == 2 and preview.shown_seq == 2
        assert preview.texture is texture  # one texture, blitted again
        assert tuple(texture_rgb(texture)[2, 2]) == (0, 0, 255)
        preview.stop()


def test_the_clock_drives_the_preview_at_about_15_fps():
    cam = FakeCamera()
    preview = CameraPreview(source=cam, fps=15)
    with mounted(preview, size=(400, 300)):
        preview.start()
        calls = cam.calls
        assert run_until(lambda: cam.calls >= calls + 2)
        cam.seq = 5
        assert run_until(lambda: preview.shown_seq == 5)
        preview.stop()
        calls = cam.calls
        frames(10)
        assert cam.calls == calls  # stopped: no more polling


def test_placeholder_while_the_camera_is_away_then_the_picture_comes_back():
    cam = FakeCamera()
    preview = CameraPreview(source=cam, placeholder_delay=0)
    with mounted(preview, size=(400, 300)):
        preview.start()
        assert preview.texture is not None
        cam.away = True
        preview.poll()
        frames(1)
        assert preview.texture is None and not preview.available
        assert preview.show_placeholder
        assert preview.ids.placeholder.text == t("camera_unavailable") == "摄像头暂不可用"
        assert preview.ids.placeholder.opacity == 1
        cam.away = False
        cam.seq = 3
        preview.poll()
        frames(1)
        assert preview.texture is not None and preview.available
        assert not preview.show_placeholder and preview.ids.placeholder.opacity == 0
        preview.stop()


def test_placeholder_waits_a_moment_before_showing():
    cam = FakeCamera()
    cam.away = True
    preview = CameraPreview(source=cam, placeholder_delay=60)
    with mounted(preview, size=(400, 300)):
        preview.start()
        preview.poll()
        assert not preview.show_placeholder and preview.texture is None
        preview.stop()


def test_stop_clears_the_picture():
    cam = FakeCamera()
    preview = CameraPreview(source=cam, guidance="请正对摄像头", guide="face")
    with mounted(preview, size=(400, 300)):
        preview.start()
        frames(1)
        texture = preview.texture
        assert preview.ids.guidance.opacity == 1
        preview.stop()
        frames(1)
        assert preview.texture is None and not preview.running
        assert preview.shown_seq == -1 and preview.ids.guidance.opacity == 0
        assert not texture_rgb(texture).any()  # the last frame is overwritten too
        preview.poll()
        assert preview.texture is None


@pytest.mark.parametrize("guide", ["face", "page"])
def test_guide_shape_lies_inside_the_picture(guide):
    preview = CameraPreview(source=FakeCamera(640, 480), guide=guide)
    with mounted(preview, size=(800, 500)):
        preview.start()
        frames(1)
        px, py, pw, ph = preview.picture_rect
        gx, gy, gw, gh = preview.guide_rect
        assert pw / ph == pytest.approx(640 / 480)
        assert gw > 0 and gh > gw  # standing up: a face, an A4 page
        assert px <= gx and py <= gy and gx + gw <= px + pw and gy + gh <= py + ph
        preview.stop()


def test_with_the_real_camera_driver_unplugged_and_back():
    source = EmulatedSource("face", size=(320, 240), fps=30)
    cam = Camera(source, stall_timeout=0.5, reconnect_interval=0.1).start()
    preview = CameraPreview(source=cam, placeholder_delay=0)
    try:
        with mounted(preview, size=(400, 300)):
            preview.start()
            assert run_until(lambda: preview.frames_shown >= 2, 5)
            assert preview.texture.size == (320, 240)
            source.unplug()
            assert run_until(lambda: preview.show_placeholder, 5)
            assert preview.texture is None
            source.plug()
            assert run_until(lambda: preview.texture is not None, 5)
            preview.stop()
    finally:
        cam.stop()
