"""A live camera preview that never blocks the UI thread.

The preview polls ``source.latest_frame() -> (frame, seq)`` (a numpy BGR frame; the camera
driver returns at once) on the Kivy clock at about 15 frames a second and uploads a frame only
when ``seq`` changed, converted to RGB into one reused :class:`~kivy.graphics.texture.Texture`.
While the camera is away (:class:`drivers.errors.DeviceUnavailable`) the picture is dropped
and, after ``placeholder_delay`` seconds, a calm 摄像头暂不可用 is shown; polling goes on, so
the picture comes back by itself when the camera does.

``start()`` / ``stop()`` are for the screen's ``on_enter`` / ``on_leave``; ``stop`` clears
the texture so no face stays on screen or in video memory. ``guidance`` is a line of text over
the picture (靠近一点, 请保持不动); ``guide`` draws a face oval or a page frame on it.
"""

from __future__ import annotations

import logging
import os
import time

import cv2
import numpy as np
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.floatlayout import FloatLayout

from drivers.errors import DeviceUnavailable
from kiosk.ui.widgets import cjk_text  # noqa: F401  (CJKLabel, used in the .kv)

log = logging.getLogger(__name__)

#: the guide shapes, as fractions of the shown picture: (width, height)
FACE_OVAL = (0.42, 0.72)
PAGE_FRAME = (0.86, 0.86)


def to_rgb(frame: np.ndarray) -> np.ndarray:
    """A BGR (or grey, or BGRA) frame as contiguous RGB bytes for the texture."""
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


class CameraPreview(FloatLayout):
    """Shows the frames of ``source`` (anything with ``latest_frame()``) while started."""

    source = ObjectProperty(None, allownone=True)
    fps = NumericProperty(15)
    #: the shown picture (None while stopped or while the camera is away)
    texture = ObjectProperty(None, allownone=True)
    running = BooleanProperty(False)
    available = BooleanProperty(False)
    show_placeholder = BooleanProperty(False)
    #: shown where there is no picture; empty: 摄像头暂不可用 in the citizen's language
    placeholder_text = StringProperty("")
    placeholder_delay = NumericProperty(1.0)
    guidance = StringProperty("")
    guide = OptionProperty("none", options=["none", "face", "page"])
    guide_color = ListProperty([1, 1, 1, 0.85])
    guide_width = NumericProperty(dp(3))
    #: show the picture mirrored, as a citizen expects of a camera facing them
    mirror = BooleanProperty(False)
    font_size = NumericProperty(dp(30))
    #: the rectangle the picture fills inside the widget: x, y, w, h (keeps its aspect)
    picture_rect = ListProperty([0, 0, 0, 0])
    #: the guide shape's rectangle: x, y, w, h
    guide_rect = ListProperty([0, 0, 0, 0])
    #: sequence number of the frame on screen (-1: none); frames uploaded since start
    shown_seq = NumericProperty(-1)
    frames_shown = NumericProperty(0)

    def __init__(self, **kwargs):
        self._event = None
        self._texture = None
        self._away_since = None
        super().__init__(**kwargs)
        self.bind(pos=self._layout, size=self._layout, texture=self._layout, guide=self._layout)

    # -- life cycle ----------------------------------------------------------------------
    def start(self) -> None:
        """Begin polling (again); shows the first frame at once if there is one."""
        if self._event is None:
            self._event = Clock.schedule_interval(self.poll, 1.0 / max(1.0, float(self.fps)))
        self.running = True
        self._away_since = None
        self.poll()

    def stop(self) -> None:
        """Stop polling and clear the picture (nothing of the citizen stays on screen)."""
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.running = False
        self.available = False
        self.show_placeholder = False
        self._drop_picture()

    def on_fps(self, _instance, _value) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
            self.start()

    # -- one tick ------------------------------------------------------------------------
    def poll(self, *_args) -> None:
        """Show the newest frame if it is new; never waits."""
        if not self.running or self.source is None:
            return
        try:
            frame, seq = self.source.latest_frame()
        except DeviceUnavailable:
            self._camera_away()
            return
        except Exception:  # a driver bug must not take the screen down
            log.exception("camera preview: latest_frame failed")
            self._camera_away()
            return
        self.available = True
        self.show_placeholder = False
        self._away_since = None
        if seq == self.shown_seq and self.texture is not None:
            return
        self._upload(frame)
        self.shown_seq = seq
        self.frames_shown += 1

    def _upload(self, frame: np.ndarray) -> None:
        rgb = to_rgb(frame)
        if self.mirror:
            rgb = cv2.flip(rgb, 1)
        height, width = rgb.shape[:2]
        texture = self._texture
        if texture is None or texture.size != (width, height):
            texture = Texture.create(size=(width, height), colorfmt="rgb", bufferfmt="ubyte")
            texture.flip_vertical()  # numpy rows run top down, GL rows bottom up
            self._texture = texture
        texture.blit_buffer(np.ascontiguousarray(rgb).tobytes(), colorfmt="rgb",
                            bufferfmt="ubyte")
        if self.texture is not texture:
            self.texture = texture
        self.canvas.ask_update()

    def _camera_away(self) -> None:
        now = time.monotonic()
        if self._away_since is None:
            self._away_since = now
        self.available = False
        self._drop_picture()
        self.show_placeholder = now - self._away_since >= self.placeholder_delay

    def _drop_picture(self) -> None:
        texture = self._texture
        self.texture = None
        self._texture = None
        self.shown_seq = -1
        if texture is not None:
            # overwrite the last frame in video memory before letting the texture go
            width, height = texture.size
            texture.blit_buffer(bytes(width * height * 3), colorfmt="rgb", bufferfmt="ubyte")

    # -- geometry ------------------------------------------------------------------------
    def _layout(self, *_args) -> None:
        x, y = self.pos
        width, height = self.size
        if self.texture is not None and self.texture.width and self.texture.height:
            ratio = self.texture.width / self.texture.height
        else:
            ratio = 4 / 3
        shown_w = min(width, height * ratio)
        shown_h = shown_w / ratio if ratio else 0
        px, py = x + (width - shown_w) / 2, y + (height - shown_h) / 2
        self.picture_rect = [px, py, shown_w, shown_h]
        if self.guide == "face":
            fw, fh = FACE_OVAL
            gw, gh = shown_w * fw, shown_h * fh
            gw = min(gw, gh * 0.8)  # an oval taller than wide, whatever the picture
        elif self.guide == "page":
            fw, fh = PAGE_FRAME
            gh = shown_h * fh
            gw = min(shown_w * fw, gh / 1.414)  # an A4 page standing up
        else:
            gw = gh = 0
        self.guide_rect = [px + (shown_w - gw) / 2, py + (shown_h - gh) / 2, gw, gh]


_KV = os.path.join(os.path.dirname(__file__), "camera_preview.kv")
if _KV not in Builder.files:
    Builder.load_file(_KV)
