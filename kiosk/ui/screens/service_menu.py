"""维护菜单 itself: who is signed in, whether the kiosk serves or is paused, and one button
per task — readiness, device tests, paper replaced, dead letters, the identity card, the
maintenance switch, restart, leave to the desktop. Restart and leave ask for a second tap
(within :data:`CONFIRM_S`). The action bar's first button closes the menu."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.service.actions import ActionFailed
from kiosk.ui.screens.service_base import ServiceScreen, close_menu, visit
from kiosk.ui.strings import t

CONFIRM_S = 5.0


class ServiceMenuScreen(ServiceScreen):
    hello = StringProperty("")
    message = StringProperty("")
    maintenance = BooleanProperty(False)
    dead_count = NumericProperty(0)
    #: "restart" or "leave" after a first tap, waiting for the second
    armed = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._armed_at = 0.0

    def on_enter(self, *args):
        super().on_enter(*args)
        self.services.bind(maintenance=self._maintenance_changed)

    def on_leave(self, *args):
        super().on_leave(*args)
        self.services.unbind(maintenance=self._maintenance_changed)
        self.message, self.armed = "", ""

    def _maintenance_changed(self, *_args) -> None:
        self.maintenance = self.services.maintenance

    def refresh(self) -> None:
        current = visit(self.app)
        if current is None:
            return
        self.hello = t("svc_hello", name=current.who)
        self.maintenance = self.services.maintenance
        try:
            self.dead_count = len(current.actions.dead_letters())
        except ActionFailed:
            self.dead_count = 0

    # -- the buttons ---------------------------------------------------------------------
    def open(self, name: str) -> None:
        self.app.show(name)

    def paper_replaced(self) -> None:
        try:
            before = self.actions.paper_replaced()
        except ActionFailed as err:
            self.message = self.say_failed(err)
            return
        self.message = t("svc_paper_done", mm=before.get("paper_mm", 0))

    def toggle_maintenance(self) -> None:
        try:
            self.actions.set_maintenance(not self.services.maintenance)
        except ActionFailed as err:
            self.message = self.say_failed(err)
            return
        self.maintenance = self.services.maintenance
        self.message = t("svc_maintenance_now_on" if self.maintenance else "svc_maintenance_now_off")

    def confirm(self, what: str) -> None:
        """First tap arms, a second within CONFIRM_S does it."""
        now = self.services.monotonic()
        if self.armed != what or now - self._armed_at > CONFIRM_S:
            self.armed, self._armed_at = what, now
            self.message = t("svc_confirm_again")
            return
        self.armed = ""
        try:
            self.actions.restart() if what == "restart" else self.actions.leave()
        except ActionFailed as err:
            self.message = self.say_failed(err)

    def cancel(self) -> None:
        close_menu(self.app, "closed")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
