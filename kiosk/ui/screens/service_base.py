"""The service menu (维护菜单) in the UI: its hidden entry, its screens' frame, its life.

- Entry: hold the top-left corner of the home (or 暂停服务) screen for ``[service] hold_s``
  seconds (5 by default) and lift: the PIN pad opens. A tap, a shorter hold, a finger that
  slid out of the corner, or any other corner does nothing (:class:`CornerHold`, mixed into
  those two screens). Only while no citizen's visit is under way (the session at HOME).
- The PIN is checked in a worker thread (:class:`kiosk.service.gate.Gate`: scrypt, lockout,
  audit); the right one opens the menu for its staff member: a :class:`ServiceVisit` on the
  app (``app.service_visit``) holding their :class:`~kiosk.service.actions.ServiceActions`.
- Every service screen (:class:`ServiceScreen`) counts touches; after ``[service]
  idle_close_s`` untouched the menu closes by itself (audited ``menu_closed``/``idle``) and
  home comes back. Its first action-bar button leads back to the menu.

The screens are registered apart from the citizen's (:data:`SERVICE_SCREENS`, added by
:func:`add_service_screens`): they speak no voice prompt and no session state leads to them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp

from kiosk.service.actions import LEAVE_EXIT, ServiceActions, write_leave_flag
from kiosk.service.audit import AuditLog, audit_path
from kiosk.session import State
from kiosk.ui.base import KioskScreen

log = logging.getLogger(__name__)

SERVICE_SCREENS: dict[str, str] = {
    "service_pin": "kiosk.ui.screens.service_pin:ServicePinScreen",
    "service_menu": "kiosk.ui.screens.service_menu:ServiceMenuScreen",
    "service_readiness": "kiosk.ui.screens.service_readiness:ServiceReadinessScreen",
    "service_tests": "kiosk.ui.screens.service_tests:ServiceTestsScreen",
    "service_dead": "kiosk.ui.screens.service_dead:ServiceDeadScreen",
    "service_identity": "kiosk.ui.screens.service_identity:ServiceIdentityScreen",
}
MARK_OK, MARK_FAIL = "\u221a", "\u00d7"  # √ ×: in every CJK font (and the printer's GBK font)
#: The corner that opens the PIN pad: this many dp from the screen's top-left.
CORNER_DP = 140
#: How far (dp) the finger may slide while holding.
SLIDE_DP = 40


def add_service_screens(manager) -> None:
    for name, where in SERVICE_SCREENS.items():
        module, _, cls = where.partition(":")
        manager.add_widget(getattr(import_module(module), cls)(name=name))


def service_line(text: str, ok: bool | None = None):
    """A line of a list: a heading (``ok`` None, bold) or a finding with √ or × (red)."""
    from kivy.app import App
    from kivy.factory import Factory

    line = Factory.ServiceLine(text=text if ok is None else f"{MARK_OK if ok else MARK_FAIL}  {text}")
    if ok is None:
        line.bold = True
    elif not ok:
        line.color = App.get_running_app().theme.warn
    return line


def is_service_screen(name: str) -> bool:
    return name in SERVICE_SCREENS


@dataclass
class ServiceVisit:
    """The menu, open for one staff member."""

    who: str
    actions: ServiceActions


def visit(app) -> ServiceVisit | None:
    return getattr(app, "service_visit", None)


def open_menu(app, who: str) -> None:
    services = app.services

    def leave() -> None:
        write_leave_flag(services.runtime_dir, who)  # systemd's restart skips once (actions.py)
        app.exit_code = LEAVE_EXIT
        app.stop()

    actions = ServiceActions(
        who, AuditLog(audit_path(services.config.data_dir)), configured_identity=services.config.identity,
        store=services.store, printer=lambda: services.devices.driver("printer"),
        maintenance=lambda on: setattr(services, "maintenance", on), restart=app.restart, leave=leave)
    app.service_visit = ServiceVisit(who, actions)
    app.show("service_menu")


def close_menu(app, why: str = "closed") -> None:
    """Close the menu (audited) and show home (or 暂停服务)."""
    current = visit(app)
    app.service_visit = None
    if current is not None:
        current.actions.close(why)
    session = app.services.session
    if session.state is State.HOME:
        app.show("out_of_service" if app.services.maintenance or not app.services.anything_servable()
                 else "home")
    else:
        app.go_home()


class CornerHold:
    """Mixed into the home and 暂停服务 screens: the hidden entry (see the module's text)."""

    def _in_corner(self, touch) -> bool:
        x, y = touch.pos
        return 0 <= x - self.x <= dp(CORNER_DP) and 0 <= self.top - y <= dp(CORNER_DP)

    def on_touch_down(self, touch):
        app = self.app
        if app is not None and self._in_corner(touch) and app.services.session.state is State.HOME:
            touch.ud["service_hold"] = (app.services.monotonic(), touch.pos)
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):
        held = touch.ud.get("service_hold")
        app = self.app
        if held is not None and app is not None and self._in_corner(touch):
            started, (x0, y0) = held
            slid = max(abs(touch.pos[0] - x0), abs(touch.pos[1] - y0))
            if slid <= dp(SLIDE_DP) and app.services.monotonic() - started >= app.services.config.service.hold_s:
                touch.ud.pop("service_hold", None)
                app.show("service_pin")
                return True
        return super().on_touch_up(touch)


class ServiceScreen(KioskScreen):
    """A service screen: back to the menu, closes itself after the idle time."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._idle_event = None
        self._last_touch = 0.0

    @property
    def actions(self) -> ServiceActions | None:
        current = visit(self.app)
        return None if current is None else current.actions

    def on_touch_down(self, touch):
        if self.app is not None:
            self._last_touch = self.services.monotonic()
        return super().on_touch_down(touch)

    def on_enter(self, *args):
        self._last_touch = self.services.monotonic()
        self._idle_event = Clock.schedule_interval(self.check_idle, 1.0)
        if self.needs_visit and visit(self.app) is None:
            close_menu(self.app, "no_visit")  # never a menu screen without a PIN

    def on_leave(self, *args):
        if self._idle_event is not None:
            self._idle_event.cancel()
            self._idle_event = None

    #: False only for the PIN pad (shown before the menu is open).
    needs_visit = True

    def check_idle(self, *_args) -> None:
        app = self.app
        if app is None or not is_service_screen(app.manager.current):
            return
        if self.services.monotonic() - self._last_touch >= self.services.config.service.idle_close_s:
            close_menu(app, "idle")

    def cancel(self) -> None:
        """The first action-bar button: back to the menu."""
        self.app.show("service_menu")

    def say_failed(self, err: Any) -> str:
        """The staff-facing text of an action that failed (ActionFailed's code)."""
        from kiosk.ui.strings import t

        texts = {"no_printer": t("svc_err_no_printer"), "no_store": t("svc_err_no_store"),
                 "audit_failed": t("svc_err_audit_failed"), "not_dead": t("svc_err_not_dead"),
                 "reason_required": t("svc_err_reason_required")}
        return t("svc_failed", why=texts.get(getattr(err, "code", ""), type(err).__name__))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
