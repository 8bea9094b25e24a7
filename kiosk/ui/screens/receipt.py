"""受理成功 (state RECEIPT): the 受理编号 big, the promised date, and the 受理回执 printing.

The ``PrintReceipt`` handler prints ``kiosk.receipts.acceptance_receipt`` (the applicant
masked there) in a worker thread, with a watchdog, then reports ``receipt_printed(ok)``.
What the screens need afterwards is kept as a :class:`ReceiptInfo` — masked, no full name
or id number — for the session's current transaction only (:func:`receipt_info`).

When the receipt did not print, :class:`ReceiptCard` shows the receipt on screen with a QR
code of the number to photograph and whom to call; the rating screen (where the visit goes
next) shows that card until the visit ends. When the backend is not reachable
(``services.network``) the card says 已受理，联网后自动上报: the agent sends it later.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kivy.clock import Clock, mainthread
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from drivers.privacy import mask_name
from kiosk.receipts import acceptance_receipt, local_time, promised_date
from kiosk.session import PrintReceipt, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import date_text, language, t
from kiosk.ui.services import ACTION_HANDLERS
from kiosk.ui.widgets.qr_image import QrImage  # noqa: F401  (used by receipt.kv)

log = logging.getLogger(__name__)

#: A print that has not answered by then is reported as failed (a late answer is ignored).
PRINT_TIMEOUT_S = 30.0




@dataclass(frozen=True)
class ReceiptInfo:
    """What the screens show of a receipt: masked; no full name or id number."""

    txn_id: str
    item_name: str
    applicant: str          # masked: 张*三
    accepted_at: datetime
    promised_by: date
    promised_days: int
    unit: str

    @property
    def promised_text(self) -> str:
        day = date_text(self.promised_by)
        if self.promised_days == 0:
            return t("receipt_promised_now", day=day)
        n = self.promised_days
        return t("receipt_promised_days", day=day, n=n, unit=t(f"unit.{self.unit}", n=n))

    @property
    def accepted_text(self) -> str:
        return local_time(self.accepted_at).strftime("%Y-%m-%d %H:%M")


_INFO: "weakref.WeakKeyDictionary[Any, ReceiptInfo]" = weakref.WeakKeyDictionary()


def info_from(action: PrintReceipt) -> ReceiptInfo:
    item = action.item
    limit = item.guide.time_limit
    accepted = local_time(action.accepted_at)
    # on screen, in the citizen's language (the printed receipt is Chinese: kiosk/receipts.py)
    return ReceiptInfo(action.txn_id, item.name_for(language()), mask_name(action.applicant_name), accepted,
                       promised_date(accepted.date(), limit.promised_days, limit.unit),
                       limit.promised_days, limit.unit)


def receipt_info(session: Any) -> ReceiptInfo | None:
    """The receipt of the session's transaction now; None once the visit has ended."""
    action = session.action
    if isinstance(action, PrintReceipt) and getattr(_INFO.get(session), "txn_id", None) != action.txn_id:
        _INFO[session] = info_from(action)
    info = _INFO.get(session)
    if info is None or session.txn_id != info.txn_id:
        _INFO.pop(session, None)
        return None
    return info


class ReceiptCard(GridLayout):
    """The receipt on screen: 受理编号 big, promised date, a status line, and (``show_qr``)
    the number as a QR code with whom to call."""

    number = StringProperty("")
    item_name = StringProperty("")
    applicant = StringProperty("")
    accepted = StringProperty("")
    promised = StringProperty("")
    status = StringProperty("")
    status_warn = BooleanProperty(False)
    note = StringProperty("")
    help_text = StringProperty("")
    show_qr = BooleanProperty(False)
    wide = BooleanProperty(False)  # the QR beside the text (landscape), else below it
    allow_wide = BooleanProperty(True)

    def show(self, info: ReceiptInfo | None, *, qr: bool = False, help_text: str = "") -> None:
        if info is None:
            self.clear()
            return
        self.number, self.item_name, self.applicant = info.txn_id, info.item_name, info.applicant
        self.accepted, self.promised = info.accepted_text, info.promised_text
        self.show_qr, self.help_text = qr, help_text
        self.ids.qr.data = info.txn_id if qr else ""

    def set_network(self, network: str) -> None:
        """已受理，联网后自动上报 unless the backend answers."""
        offline = network != "ok"
        self.status_warn = offline
        self.status = t("receipt_offline") if offline else t("receipt_online")
        self.note = t("receipt_offline_more") if offline else ""

    def clear(self) -> None:
        for name in ("number", "item_name", "applicant", "accepted", "promised", "status", "note",
                     "help_text"):
            setattr(self, name, "")
        self.show_qr = False
        self.ids.qr.clear()


def call_text(identity: Any) -> str:
    return t("receipt_call", maintainer=identity.maintainer, phone=identity.phone)


class ReceiptScreen(KioskScreen):
    message = StringProperty("")

    def on_enter(self, *args):
        self.services.bind(network=self._network_changed)

    def on_leave(self, *args):
        self.services.unbind(network=self._network_changed)

    def _network_changed(self, *_args) -> None:
        self.ids.card.set_network(self.services.network)

    def refresh(self) -> None:
        session = self.session
        info = receipt_info(session) if session.state is State.RECEIPT else None
        card = self.ids.card
        self.title = t("receipt_title")
        if info is None:
            card.clear()
            self.message = ""
            return
        printer_ok = self.services.devices.available("printer")
        # the printer known down: the QR is on screen at once (the rating screen keeps it)
        card.show(info, qr=not printer_ok,
                  help_text="" if printer_ok else t("receipt_not_printed") + call_text(self.services.identity))
        card.set_network(self.services.network)
        self.message = t("receipt_printing") if printer_ok else ""

    def clear_personal(self) -> None:
        self.ids.card.clear()
        self.message = ""


# -- the busy-state action -----------------------------------------------------------------------
def _print_receipt(services: Any, action: PrintReceipt) -> None:
    """Print the 受理回执 in a worker thread; ``receipt_printed(ok)`` once, on the main thread."""
    session = services.session
    reported = []

    def report(ok: bool) -> None:
        if reported or session.state is not State.RECEIPT or session.action is not action:
            return
        reported.append(ok)
        watchdog.cancel()
        try:
            session.receipt_printed(ok)
        except Exception as err:  # never into Kivy
            log.error("receipt report failed: %s", type(err).__name__)

    def done(ok: bool, value: Any) -> None:
        if not ok:
            log.warning("receipt %s not printed: %s", action.txn_id, type(value).__name__)
        report(ok)

    watchdog = Clock.schedule_once(lambda dt: report(False), PRINT_TIMEOUT_S)
    try:
        receipt_info(session)  # kept (masked) for the screens before the action is dropped
        info = info_from(action)
        doc = acceptance_receipt(action.txn_id, action.item, action.applicant_name,
                                 action.applicant_id_number, action.accepted_at, info.promised_by,
                                 services.identity, action.delivered)
    except Exception as err:
        log.error("receipt not built: %s", type(err).__name__)
        mainthread(done)(False, err)
        return
    services.print_document(doc, done)


ACTION_HANDLERS[PrintReceipt] = _print_receipt

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
