"""Helpers for testing one widget on Kivy's one window, without ``App.run()``.

Kivy has a single window per process (``SDL_VIDEODRIVER=offscreen`` from tests/conftest.py).
:func:`mounted` puts a widget on it for the length of a ``with`` block and takes it off again,
:func:`frames` lets the clock and the canvas run, :func:`tap` and :func:`drag` touch the
widget the way a finger would, through the window's own input dispatch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import numpy as np


def window():
    """The window, created once (as ``GraphicUnitTest.setUp`` does)."""
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    if EventLoop.status != "started":
        EventLoop.start()
    return Window


def frames(count: int = 2) -> None:
    """Run ``count`` frames: clock callbacks, layout, drawing."""
    from kivy.base import EventLoop

    for _ in range(count):
        EventLoop.idle()


@contextlib.contextmanager
def mounted(widget, size: Sequence[float] | None = None) -> Iterator:
    """Attach ``widget`` to the window (filling it, or at ``size`` in the middle), yield it,
    then detach it and forget any touch still held."""
    from kivy.base import EventLoop

    win = window()
    if size is not None:
        widget.size_hint = (None, None)
        widget.size = size
        widget.pos = ((win.width - size[0]) / 2, (win.height - size[1]) / 2)
    win.add_widget(widget)
    frames(3)
    try:
        yield widget
    finally:
        win.remove_widget(widget)
        EventLoop.touches.clear()
        frames(1)


def tap(widget, at: tuple[float, float] | None = None) -> None:
    """A finger down and up on ``widget`` (its centre, or ``at`` in window coordinates)."""
    from kivy.tests.common import UnitTestTouch

    x, y = at if at is not None else widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    frames(1)


def drag(points: Sequence[tuple[float, float]]) -> None:
    """One finger put down on the first point, moved through the others, lifted at the last
    (window coordinates)."""
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(*points[0])
    touch.touch_down()
    for x, y in points[1:]:
        touch.touch_move(x, y)
    touch.touch_up()
    frames(1)


def texture_rgb(texture) -> np.ndarray:
    """A texture's pixels as shown on screen: an ``H×W×3`` array, top row first.

    GL keeps the bottom row first, unless the texture was flipped (``flip_vertical``), in
    which case its texture coordinates say so and the rows are already top first."""
    width, height = texture.size
    rgba = np.frombuffer(texture.pixels, np.uint8).reshape(height, width, 4)
    coords = texture.tex_coords
    flipped = coords[1] > coords[5]
    return np.ascontiguousarray((rgba if flipped else rgba[::-1])[:, :, :3])
