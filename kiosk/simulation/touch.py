"""Driving the kiosk app on Kivy's window without ``App.run()``: frames, real touches, waits,
the texts on screen and pictures of it.

Kivy has one window per process. :func:`mount` builds an app's root, puts it on the window
and dispatches ``on_start`` (devices, schedules); :func:`unmount` undoes it. Between the two,
a :class:`UiDriver` runs frames (:meth:`UiDriver.idle`) and touches widgets as a finger
would: a touch goes down and up at the widget's centre through the window's own input
dispatch (Kivy's ``UnitTestTouch``), so every layer in between (the countdown overlay,
scroll views, disabled buttons) sees it as it would see a real one.

Used by the guided tour (``kiosk --simulate --tour DIR``) and by the UI tests' harness
(``tests/ui/conftest.py``).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PORTRAIT = (1080, 1920)


class NotShown(AssertionError):
    """The widget to touch is not on the screen now (its screen was left, or it is hidden)."""


class ManualClock:
    """A monotonic clock that moves only when told to: ``advance(seconds)``."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def prepare_window(size: tuple[int, int] = PORTRAIT) -> None:
    """Kivy settings for a driven (not hardened) kiosk window, if the window is not made yet:
    windowed at ``size``, no input provider of its own (only the driver's touches)."""
    from kivy.base import EventLoop

    if EventLoop.window is not None:
        return
    from kivy.config import Config as KivyConfig

    from kiosk.ui.app import configure_kivy

    configure_kivy(hardened=False)
    KivyConfig.set("graphics", "width", str(size[0]))
    KivyConfig.set("graphics", "height", str(size[1]))
    for option in KivyConfig.options("input"):
        KivyConfig.remove_option("input", option)


def window():
    """The window, made once and started (as Kivy's own ``GraphicUnitTest`` does)."""
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    if EventLoop.status != "started":
        EventLoop.start()
    return Window


def shown(widget) -> bool:
    """Nothing between ``widget`` and the window is fully transparent."""
    while widget is not None and widget is not widget.parent:
        if widget.opacity == 0:
            return False
        widget = widget.parent
    return True


def on_screen(widget) -> bool:
    """``widget`` is on the window, visible, and on the screen its manager shows now."""
    from kivy.uix.screenmanager import Screen

    if widget.get_root_window() is None or not shown(widget):
        return False
    node = widget
    while node is not None and node is not node.parent:
        if isinstance(node, Screen) and node.manager is not None and node.manager.current_screen is not node:
            return False
        node = node.parent
    return True


def _centre_inside(widget, view) -> bool:
    """``widget``'s centre lies inside ``view``'s box, both in window coordinates."""
    x, y = widget.to_window(*widget.center)
    left, bottom = view.to_window(view.x, view.y)
    return left <= x <= left + view.width and bottom <= y <= bottom + view.height


def mount(app, size: tuple[int, int] = PORTRAIT):
    """Build ``app``'s root onto the window at ``size`` and start it (``on_start``)."""
    win = window()
    win.size = size
    root = app.build()
    app.root = root
    win.add_widget(root)
    app.dispatch("on_start")
    return root


def unmount(app) -> None:
    """``on_stop``, the root off the window, no touch left held, no running app."""
    from kivy.app import App
    from kivy.base import EventLoop

    app.dispatch("on_stop")  # also resets the kv "app" proxy
    if app.root is not None:
        window().remove_widget(app.root)
    EventLoop.touches.clear()
    if App._running_app is app:
        App._running_app = None


class UiDriver:
    """Frames, touches, waits and pictures for one mounted app."""

    #: Refuse to touch a widget that is not on the screen now (:class:`NotShown`).
    check_shown = True

    def __init__(self, app) -> None:
        self.app = app

    @property
    def screen(self):
        return self.app.manager.current_screen

    @property
    def screen_name(self) -> str:
        return self.app.manager.current

    def idle(self, frames: int = 2) -> None:
        """Run ``frames`` frames: clock callbacks (``@mainthread`` results), layout, drawing."""
        from kivy.base import EventLoop

        for _ in range(frames):
            EventLoop.idle()

    def tap(self, widget) -> None:
        """A finger down and up at the widget's centre, through the window's dispatch."""
        from kivy.tests.common import UnitTestTouch

        self.idle(1)
        self._check_shown(widget)
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.idle(2)

    def _check_shown(self, widget) -> None:
        if not self.check_shown:
            return
        x, y = widget.to_window(*widget.center)
        win = window()
        if not on_screen(widget) or not (0 <= x < win.width and 0 <= y < win.height):
            raise NotShown(f"{type(widget).__name__} is not on the screen ({self.screen_name})")

    def drag(self, widget, points: Sequence[tuple[float, float]]) -> None:
        """One finger drawn through ``points`` (fractions of the widget's width and height):
        down at the first, moved through the rest, up at the last."""
        from kivy.tests.common import UnitTestTouch

        self.idle(1)
        self._check_shown(widget)
        at = [widget.to_window(widget.x + fx * widget.width, widget.y + fy * widget.height)
              for fx, fy in points]
        touch = UnitTestTouch(*at[0])
        touch.touch_down()
        for x, y in at[1:]:
            touch.touch_move(x, y)
        touch.touch_up()
        self.idle(2)

    def reveal(self, widget, tries: int = 5) -> None:
        """Scroll every scroll view holding ``widget`` until its centre is in their view
        (layouts settle over a few frames, so it looks again after each scroll)."""
        from kivy.uix.scrollview import ScrollView

        views = []
        node = widget.parent
        while node is not None and node is not node.parent:
            if isinstance(node, ScrollView):
                views.append(node)
            node = node.parent
        for _ in range(tries):
            self.idle(2)
            outside = [v for v in views if not _centre_inside(widget, v)]
            if not outside:
                return
            for view in outside:
                view.scroll_to(widget, padding=20, animate=False)
        raise NotShown(f"{type(widget).__name__} cannot be scrolled into view ({self.screen_name})")

    def wait(self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
        """Run frames until ``predicate()`` (a worker thread's result arriving)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}" if what else "timed out waiting")
            self.idle(1)

    def texts(self, root=None) -> list[str]:
        """Every visible label text under ``root`` (the current screen by default)."""
        from kivy.uix.label import Label

        root = root or self.screen
        return [w.text for w in root.walk() if isinstance(w, Label) and w.text and shown(w)]

    def resize(self, size: tuple[int, int]) -> None:
        window().size = size
        self.idle(3)

    def screenshot(self, path: str | Path, frames: int = 3) -> Path:
        """The window as a PNG at ``path``: the frame is drawn, then read back (under
        ``SDL_VIDEODRIVER=offscreen`` the picture is black; use X, e.g. Xvfb, to see it)."""
        self.idle(frames)
        win = window()
        win.dispatch("on_draw")  # draw now, and read back what was drawn
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        made = win.screenshot(name=str(path))
        if made is None:
            raise RuntimeError("the window could not be read back")
        shutil.move(made, path)
        return path

