"""证明打印: the ``FetchCertificate`` busy-state handler (no screen of its own: the app shows
``working`` in CERTIFICATE).

In a worker thread: ``POST /certificates`` (``client.certificate(kind, id_number)``), the
paper made by ``kiosk.receipts.certificate`` (with the machine's identity card at its foot)
and printed; then, on the main thread, a plain message on the working screen for a few
seconds and ``session.certificate_printed(ok)`` (which ends the visit either way). No
record at the county (404 ``no_record``) is told plainly; a network or printer failure is
told calmly. Nothing raises into Kivy.

Also home to the county client the UI process shares (:func:`county_client`): made lazily
from the config and the device key, cached on ``services`` and used from one worker at a
time (the session is busy while a county call runs).
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.app import App
from kivy.clock import Clock

from kiosk.client import ClockSkew, CountyClient, Final
from kiosk.receipts import certificate as certificate_document
from kiosk.session import FetchCertificate, State
from kiosk.signing import DeviceKey
from kiosk.ui.services import ACTION_HANDLERS
from kiosk.ui.strings import language, t

log = logging.getLogger(__name__)


#: How long the outcome stays on the working screen before the visit ends (tests: 0).
NOTICE_S = {True: 3.0, False: 8.0}

_CLIENT_ATTR = "_progress_cert_county_client"


def county_client(services: Any) -> CountyClient:
    """The county client for this UI process, made on first use (call it in a worker: it
    reads the device key file). Raises when the key cannot be loaded (not enrolled)."""
    client = getattr(services, _CLIENT_ATTR, None)
    if client is None:
        config = services.config
        key = DeviceKey.load(config.path(config.paths.device_key))
        client = CountyClient.from_config(config, key)
        setattr(services, _CLIENT_ATTR, client)
    return client


def call_county(services: Any, request) -> Any:
    """``request(client)`` with the config's timeouts; once more after a clock correction."""
    client = county_client(services)
    try:
        return request(client)
    except ClockSkew:
        return request(client)  # the client has corrected its offset


def _working_screen():
    app = App.get_running_app()
    manager = getattr(app, "manager", None)
    if manager is None or "working" not in manager.screen_names:
        return None
    return manager.get_screen("working")


def show_notice(text: str, title: str = "") -> None:
    """A message in place of the spinner on the working screen (until it is shown again)."""
    screen = _working_screen()
    if screen is not None:
        screen.busy = False
        screen.message = text
        if title:
            screen.title = title


class _Failed(Exception):
    """Why no certificate was printed (the text for the citizen is chosen by ``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fetch_certificate(services: Any, action: FetchCertificate) -> None:
    session = services.session
    identity = services.identity  # read here: it may come from the store
    phone = identity.phone
    printer = services.devices.driver("printer")
    printer_ok = printer is not None and services.devices.available("printer")

    def work() -> None:
        if not printer_ok:
            raise _Failed("printer_down")  # do not ask the county for what cannot be printed
        try:
            cert = call_county(services, lambda c: c.certificate(action.kind, action.id_number))
        except Final as err:
            raise _Failed("no_record" if err.status == 404 else "unavailable") from None
        except Exception as err:  # the network, the key, a bad answer: all told the same way
            log.warning("certificate not fetched: %s", type(err).__name__)
            raise _Failed("unavailable") from None
        doc = certificate_document(cert, identity)
        del cert
        try:
            printer.print_document(doc)
        except Exception as err:
            log.warning("certificate not printed: %s", type(err).__name__)
            raise _Failed("print_failed") from None

    def done(ok: bool, value: Any) -> None:
        if session.state is not State.CERTIFICATE or session.action is not action:
            return
        reason = "" if ok else (value.reason if isinstance(value, _Failed) else "unavailable")
        text = {"": t("cert_printed"),
                "no_record": t("cert_no_record"),
                "printer_down": t("cert_printer_down", phone=phone),
                "print_failed": t("cert_print_failed", phone=phone),
                }.get(reason, t("cert_unavailable"))
        show_notice(text + "\n\n" + t("cert_going_home"), action.item.name_for(language()))

        def report(_dt: float = 0) -> None:
            if session.state is State.CERTIFICATE and session.action is action:
                session.certificate_printed(ok)

        Clock.schedule_once(report, NOTICE_S[ok])

    services.in_worker(work, done, "certificate")


ACTION_HANDLERS[FetchCertificate] = _fetch_certificate
