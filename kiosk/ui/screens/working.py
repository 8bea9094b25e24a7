"""请稍候: a spinner and a plain message while the session is busy (printing, saving,
asking the county). Also stands in for screens not built yet (``router.PLANNED``), with a
message saying this step cannot be done here and 取消 to go home."""

from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk.session import BUSY, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import has, language, t


class BusySpinner(Widget):
    angle = NumericProperty(0)


class WorkingScreen(KioskScreen):
    message = StringProperty("")
    busy = BooleanProperty(True)
    _spin = None

    def refresh(self) -> None:
        state = self.session.state
        self.busy = state in BUSY
        key = f"busy_{state.value}"
        if self.busy:
            self.message = t(key) if has(key) else t("busy_default")
        elif state is State.HOME:
            self.message = t("wait")
        else:
            self.message = t("step_not_ready")
        item = None if self.busy else self.session.item
        self.title = item.name_for(language()) if item is not None else t("wait")

    def on_enter(self, *args):
        self._spin = Clock.schedule_interval(self._turn, 1 / 30)

    def on_leave(self, *args):
        if self._spin is not None:
            self._spin.cancel()
            self._spin = None

    def _turn(self, dt: float) -> None:
        self.ids.spinner.angle = (self.ids.spinner.angle - 240 * dt) % 360


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
