"""``CountdownOverlay``: 您还在办理吗？ with the seconds left and 继续办理, laid over every
screen in IDLE_WARNING. Any tap on it (the button or elsewhere) means 继续办理: it
dispatches ``on_continue``; while hidden it lets every touch through."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.ui.widgets import buttons  # noqa: F401  (BigButton, used in the .kv)
from kiosk.ui.widgets import cjk_text  # noqa: F401  (CJKLabel, used in the .kv)


class CountdownOverlay(FloatLayout):
    seconds = NumericProperty(0)
    shown = BooleanProperty(False)
    __events__ = ("on_continue",)

    def show(self, seconds: int) -> None:
        self.seconds = seconds
        self.shown = True

    def hide(self) -> None:
        self.shown = False

    def on_touch_down(self, touch):
        if not self.shown:
            return False
        if not super().on_touch_down(touch):  # not the button: a tap anywhere continues too
            self.dispatch("on_continue")
        return True

    def on_touch_move(self, touch):
        return self.shown

    def on_touch_up(self, touch):
        if not self.shown:
            return False
        super().on_touch_up(touch)
        return True

    def on_continue(self) -> None: ...


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
