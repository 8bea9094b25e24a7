"""A signature pad: strokes drawn with a finger, exported as a black-on-white PNG.

Strokes are kept as points in the pad's own coordinates (origin at its bottom left) and drawn
with round-jointed :class:`~kivy.graphics.Line` instructions. :meth:`SignaturePad.export_png`
renders them with OpenCV from the points (anti-aliased), so it works without a GL read-back
(under ``SDL_VIDEODRIVER=offscreen`` a screenshot is black). A dot or a short scratch is not a
signature: :attr:`has_enough_ink` needs ``min_ink`` of stroke length spread over ``min_extent``.
:meth:`clear` is the citizen's 重写; :meth:`wipe` is for the end of a session.
"""

from __future__ import annotations

import math
import os

import cv2
import numpy as np
from kivy.graphics import Color, InstructionGroup, Line, PopMatrix, PushMatrix, Translate
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget


class NotEnoughInk(ValueError):
    """The pad holds no signature yet (empty, a dot, a scratch)."""


class SignaturePad(Widget):
    """Sign with one finger; ``strokes`` are lists of ``(x, y)`` in the pad's coordinates."""

    ink_color = ListProperty([0.05, 0.05, 0.1, 1])
    line_width = NumericProperty(dp(2.5))
    #: the least total stroke length, and the least width or height of the ink, in pixels
    min_ink = NumericProperty(dp(150))
    min_extent = NumericProperty(dp(40))
    #: a finger must move this far before a new point is taken (smooths the jitter)
    min_step = NumericProperty(dp(2))
    #: empty: 请在此处签名 in the citizen's language
    hint_text = StringProperty("")
    hint_font_size = NumericProperty(dp(30))
    is_empty = BooleanProperty(True)
    has_enough_ink = BooleanProperty(False)
    ink_length = NumericProperty(0)

    def __init__(self, **kwargs):
        self.strokes: list[list[tuple[float, float]]] = []
        self._lines: list[Line] = []
        self._touch = None
        super().__init__(**kwargs)
        self._ink = InstructionGroup()
        self._translate = Translate(*self.pos)
        self._color = Color(*self.ink_color)
        for instruction in (PushMatrix(), self._translate, self._color, self._ink, PopMatrix()):
            self.canvas.add(instruction)
        self.bind(pos=self._moved, ink_color=self._recolor)

    # -- touch ---------------------------------------------------------------------------
    def on_touch_down(self, touch):
        if self._touch is not None or not self.collide_point(*touch.pos) or self.disabled:
            return super().on_touch_down(touch)
        touch.grab(self)
        self._touch = touch
        point = self._local(touch.pos)
        self.strokes.append([point])
        line = Line(points=[*point], width=self.line_width, cap="round", joint="round")
        self._lines.append(line)
        self._ink.add(line)
        self.is_empty = False
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is not self or touch is not self._touch:
            return super().on_touch_move(touch)
        self._add_point(self._local(touch.pos))
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self or touch is not self._touch:
            return super().on_touch_up(touch)
        self._add_point(self._local(touch.pos), force=True)
        touch.ungrab(self)
        self._touch = None
        return True

    def _local(self, pos) -> tuple[float, float]:
        x = min(max(pos[0] - self.x, 0.0), self.width)
        y = min(max(pos[1] - self.y, 0.0), self.height)
        return (x, y)

    def _add_point(self, point, force: bool = False) -> None:
        stroke = self.strokes[-1]
        last = stroke[-1]
        step = math.dist(last, point)
        if step < self.min_step and not (force and step > 0):
            return
        stroke.append(point)
        self._lines[-1].points += [*point]
        self.ink_length += step
        self._check_ink()

    def _check_ink(self) -> None:
        points = [p for stroke in self.strokes for p in stroke]
        if not points:
            self.has_enough_ink = False
            return
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        extent = max(max(xs) - min(xs), max(ys) - min(ys))
        self.has_enough_ink = self.ink_length >= self.min_ink and extent >= self.min_extent

    # -- drawing -------------------------------------------------------------------------
    def _moved(self, *_args) -> None:
        self._translate.xy = self.pos

    def _recolor(self, *_args) -> None:
        self._color.rgba = self.ink_color

    def clear(self) -> None:
        """Start again (重写): no strokes, nothing drawn."""
        for line in self._lines:
            line.points = []
        self._ink.clear()
        self._lines = []
        self.strokes = []
        self._touch = None
        self.ink_length = 0
        self.is_empty = True
        self.has_enough_ink = False

    def wipe(self) -> None:
        """Forget the signature at the end of a session: points, lines and any touch held."""
        for stroke in self.strokes:
            stroke[:] = [(0.0, 0.0)] * len(stroke)
        self.clear()
        self.canvas.ask_update()

    # -- export --------------------------------------------------------------------------
    def render(self, scale: float = 1.0, crop: bool = False, margin: int = 16) -> np.ndarray:
        """The strokes black on white as a grey ``H×W`` array (top row first)."""
        if not self.has_enough_ink:
            raise NotEnoughInk("the pad holds no signature")
        width = max(1, int(round(self.width * scale)))
        height = max(1, int(round(self.height * scale)))
        image = np.full((height, width), 255, np.uint8)
        thickness = max(2, int(round(self.line_width * 2 * scale)))
        shift = 4  # sub-pixel precision for smooth, anti-aliased lines
        for stroke in self.strokes:
            pts = np.array([(x * scale, height - y * scale) for x, y in stroke], np.float64)
            pts = np.round(pts * (1 << shift)).astype(np.int32).reshape(-1, 1, 2)
            if len(pts) == 1:
                cv2.circle(image, tuple(pts[0, 0]), thickness * (1 << shift) // 2, 0, -1,
                           cv2.LINE_AA, shift)
            else:
                cv2.polylines(image, [pts], False, 0, thickness, cv2.LINE_AA, shift)
        if crop:
            ys, xs = np.nonzero(image < 128)
            top, bottom = max(0, ys.min() - margin), min(height, ys.max() + margin + 1)
            left, right = max(0, xs.min() - margin), min(width, xs.max() + margin + 1)
            image = np.ascontiguousarray(image[top:bottom, left:right])
        return image

    def export_png(self, scale: float = 1.0, crop: bool = False) -> bytes:
        """The signature as PNG bytes (grey, black on white); :class:`NotEnoughInk` if the
        pad holds no signature yet."""
        ok, encoded = cv2.imencode(".png", self.render(scale=scale, crop=crop))
        if not ok:  # pragma: no cover - OpenCV always encodes a grey image
            raise RuntimeError("PNG encoding failed")
        return encoded.tobytes()


_KV = os.path.join(os.path.dirname(__file__), "signature_pad.kv")
if _KV not in Builder.files:
    Builder.load_file(_KV)
