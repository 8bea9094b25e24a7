"""The service menu's PIN pad: 6–8 digits, shown as dots, checked in a worker thread.

The right PIN opens the menu for its staff member; a wrong one says how many tries are
left; after ``[service] max_tries`` the menu is locked and the pad says for how long (the
lock survives a restart: :mod:`kiosk.service.lockout`). 返回 goes home. Nothing typed is
kept once the pad is left.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty

from kiosk.service.gate import Gate, MenuLocked, NoStaff, WrongPin
from kiosk.service.pins import StaffFileError
from kiosk.ui.screens.service_base import ServiceScreen, close_menu, open_menu
from kiosk.ui.strings import t
from kiosk.ui.widgets.keypad import Keypad

log = logging.getLogger(__name__)


class ServicePinScreen(ServiceScreen):
    needs_visit = False
    message = StringProperty("")
    dots = StringProperty("")
    checking = BooleanProperty(False)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        keypad = Keypad(mode="digits", max_length=8, size_hint_x=None, width=dp(560))
        keypad.bind(text=lambda _k, text: self.typed(text))
        self.ids.keypad_slot.add_widget(keypad)
        slot = self.ids.keypad_slot
        keypad.bind(height=lambda _k, h: setattr(slot, "height", h))
        self.ids["keypad"] = keypad

    def on_enter(self, *args):
        super().on_enter(*args)
        self.ids.keypad.clear()
        self.message = ""
        left = self._gate().lockout.seconds_left()
        if left:
            self.message = t("svc_pin_locked", minutes=math.ceil(left / 60))

    def on_leave(self, *args):
        super().on_leave(*args)
        self.ids.keypad.clear()
        self.dots = ""

    def _gate(self) -> Gate:
        return Gate.from_config(self.services.config)

    def typed(self, text: str) -> None:
        self.dots = "\u25cf" * len(text)  # one dot per digit

    def submit(self) -> None:
        if self.checking:
            return
        pin = self.ids.keypad.text
        self.ids.keypad.clear()
        self.checking, self.message = True, t("svc_pin_checking")
        gate = self._gate()
        self.services.in_worker(lambda: gate.open(pin), self._checked, "service-pin")

    def _checked(self, ok: bool, value) -> None:
        self.checking = False
        if self.manager is None or self.manager.current != self.name:
            return  # closed meanwhile (idle)
        if ok:
            self.message = ""
            open_menu(self.app, value.name)
        elif isinstance(value, WrongPin):
            self.message = t("svc_pin_wrong", n=value.tries_left)
        elif isinstance(value, MenuLocked):
            self.message = t("svc_pin_locked", minutes=math.ceil(value.seconds_left / 60))
        elif isinstance(value, NoStaff):
            self.message = t("svc_pin_no_staff")
        else:
            why = "staff file" if isinstance(value, StaffFileError) else type(value).__name__
            self.message = t("svc_pin_error", why=why)

    def cancel(self) -> None:
        close_menu(self.app, "pin_cancelled")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
