"""进度查询 (state PROGRESS_QUERY): three ways to ask, any one will do —

- scan the QR code on the 受理回执 (the scanner's ``on_code``: the receipt number);
- place the ID card (``on_card``: every case in the holder's name);
- type the 受理编号 (``ZZ-EQ-0001-20261122-000042``): this machine's number is prefilled
  as the device part and the digits keypad types the date and sequence; 修改设备编号 opens
  a small letters-and-digits pad for a receipt from another machine.

Also the ``QueryProgress`` busy-state handler: the county is asked in a worker thread
(``get_progress`` by number, ``query_progress`` by id number) with the config's timeouts;
the answer (masked by ``kiosk.wire`` on parse) is kept on ``services`` for the result
screen until the visit ends, and ``session.progress_answered(count, rateable)`` is
reported, ``rateable`` being the cases found that this kiosk has not rated (好差评: one
rating per case, see ``kiosk.session.lookup``). A
network failure is a calm 暂时无法查询 with count 0, never a crash. A number the county
does not know yet but this machine accepted and has not sent is told as such.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk import wire
from kiosk.client import Final
from kiosk.session import FoundCase, InputError, InvalidTransition, QueryProgress, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import explain, language, t
from kiosk.ui.screens.certificate import call_county  # also registers FetchCertificate
from kiosk.ui.services import ACTION_HANDLERS
from kiosk.ui.theme import TOUCH
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.keypad import Keypad, KeypadKey

log = logging.getLogger(__name__)


#: Digits typed after the device part: the date (8) and the sequence (6).
TAIL_DIGITS = 14
PREFIX_MAX = 32
ALPHA_KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"

_ANSWER_ATTR = "_progress_answer"
_WATCH_ATTR = "_progress_answer_unsubscribe"


# -- the answer kept for the result screen -----------------------------------------------------
@dataclass(frozen=True)
class LocalCase:
    """A case this machine accepted and has not delivered yet (no personal data)."""

    txn_id: str
    item_name: str
    accepted_at: datetime
    promised_days: int


@dataclass(repr=False)
class ProgressAnswer:
    """What the county said (already masked), or that it could not be asked."""

    by: str  # "number" or "card"
    number: str = ""
    cases: list[wire.Progress] = field(default_factory=list)
    local: LocalCase | None = None
    failed: bool = False
    rated: set[str] = field(default_factory=set)  # numbers this kiosk holds a rating for

    @property
    def count(self) -> int:
        return len(self.cases) + (1 if self.local is not None else 0)

    def rateable(self, services: Any) -> list[FoundCase]:
        """The cases found that may be rated here: all but those rated from this kiosk."""
        found = [FoundCase(c.txn_id, item_name(services, c.item_code, c.item_name),
                           c.applicant.name, c.applicant.id_number) for c in self.cases]
        if self.local is not None:
            found.append(FoundCase(self.local.txn_id, self.local.item_name))
        return [case for case in found if case.txn_id not in self.rated]

    def wipe(self) -> None:
        self.cases.clear()
        self.rated.clear()
        self.local, self.number = None, ""

    def __repr__(self) -> str:
        return f"ProgressAnswer(by={self.by!r}, count={self.count}, failed={self.failed})"


def progress_answer(services: Any) -> ProgressAnswer | None:
    """The answer of the visit under way (None before one came, and after the visit)."""
    return getattr(services, _ANSWER_ATTR, None)


def item_name(services: Any, code: str, fallback: str) -> str:
    """The catalog's name for an item, in the citizen's language (the county may send only its code)."""
    for item in services.catalog.items:
        if item.code == code:
            return item.name_for(language())
    return fallback


def forget_answer(services: Any) -> None:
    answer = getattr(services, _ANSWER_ATTR, None)
    if answer is not None:
        answer.wipe()
    setattr(services, _ANSWER_ATTR, None)


def _keep_answer(services: Any, answer: ProgressAnswer) -> None:
    forget_answer(services)
    setattr(services, _ANSWER_ATTR, answer)
    if getattr(services, _WATCH_ATTR, None) is None:  # once: drop it when a visit ends
        def on_change(change) -> None:
            if change.new is State.HOME:
                forget_answer(services)

        setattr(services, _WATCH_ATTR, services.session.subscribe(on_change))


def _pending_here(services: Any, number: str) -> LocalCase | None:
    """The case if this machine accepted ``number`` and has not delivered it yet."""
    store = getattr(services, "store", None)
    if store is None:
        return None
    try:
        record = store.outbox.record(number)
    except Exception as err:
        log.warning("outbox not readable: %s", type(err).__name__)
        return None
    if record is None or record.state != "pending":
        return None
    return LocalCase(record.txn_id, record.item_name, record.accepted_at, record.promised_days)


def _rated_here(services: Any, numbers: list[str]) -> set[str]:
    """The numbers this kiosk has queued a rating for (the county refuses a second one)."""
    store = getattr(services, "store", None)
    if store is None:
        return set()
    try:
        return {n for n in numbers if store.outbox.state_of("rating:" + n) is not None}
    except Exception as err:
        log.warning("outbox not readable: %s", type(err).__name__)
        return set()


# -- the busy-state handler ---------------------------------------------------------------------
def _query_progress(services: Any, action: QueryProgress) -> None:
    session = services.session
    forget_answer(services)

    def work() -> ProgressAnswer:
        answer = ask()
        numbers = [case.txn_id for case in answer.cases]
        answer.rated |= _rated_here(services, numbers + ([answer.local.txn_id] if answer.local else []))
        return answer

    def ask() -> ProgressAnswer:
        if action.txn_id:
            answer = ProgressAnswer("number", action.txn_id)
            try:
                answer.cases.append(call_county(services, lambda c: c.get_progress(action.txn_id)))
            except Final as err:
                answer.failed = err.status != 404  # 404: the county has no such number
            except Exception as err:
                log.info("progress query failed: %s", type(err).__name__)
                answer.failed = True
            if not answer.cases:
                answer.local = _pending_here(services, action.txn_id)
                answer.failed = answer.failed and answer.local is None
            return answer
        answer = ProgressAnswer("card")
        try:
            found = call_county(services, lambda c: c.query_progress(action.id_number or ""))
            answer.cases.extend(found.transactions)
        except Exception as err:
            log.info("progress query failed: %s", type(err).__name__)
            answer.failed = True
        return answer

    def done(ok: bool, value: Any) -> None:
        if session.state is not State.PROGRESS_LOOKUP or session.action is not action:
            return
        answer = value if ok else ProgressAnswer("number" if action.txn_id else "card", failed=True)
        _keep_answer(services, answer)
        session.progress_answered(answer.count, answer.rateable(services))

    services.in_worker(work, done, "progress")


ACTION_HANDLERS[QueryProgress] = _query_progress


# -- the screen ---------------------------------------------------------------------------------
def tail_display(digits: str) -> str:
    """``20261122000042`` → ``20261122-000042``; what is still to type shows as ``_``."""
    return digits[:8].ljust(8, "_") + "-" + digits[8:TAIL_DIGITS].ljust(6, "_")


class ProgressScreen(KioskScreen):
    tail = staticmethod(tail_display)
    #: The device part of the number (this machine's id unless changed).
    prefix = StringProperty("")
    digits = StringProperty("")
    editing_prefix = BooleanProperty(False)
    message = StringProperty("")
    intro = StringProperty("")
    scan_note = StringProperty("")
    card_note = StringProperty("")

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.query_button = self.keyed(BigButton(kind="primary"), "progress_query")
        self.query_button.bind(on_release=lambda *_: self.query())
        self.add_action(self.query_button)
        self.ids["query_button"] = self.query_button
        scale = self.app.theme.scale
        self.keypad = Keypad(mode="digits", max_length=TAIL_DIGITS,
                             key_height=max(TOUCH, dp(84) * scale), font_size=dp(36) * scale)
        self.ids["keypad"] = self.keypad
        self.alpha_pad = self.ids.alpha_pad.__self__
        self.keypad.bind(text=self._digits_typed)
        grid = self.ids.alpha_grid
        self.alpha_keys: dict[str, KeypadKey] = {}
        for char in ALPHA_KEYS:
            key = KeypadKey(value=char, text=char, height=self.keypad.key_height * 0.9,
                            font_size=self.keypad.font_size * 0.9)
            key.bind(on_release=lambda k: self.press_prefix(k.value))
            grid.add_widget(key)
            self.alpha_keys[char] = key
        for value, key_name in (("backspace", "keypad_delete"), ("clear", "keypad_clear")):
            key = self.keyed(KeypadKey(value=value, height=self.keypad.key_height * 0.9,
                                       font_size=self.keypad.font_size * 0.8), key_name)
            key.bind(on_release=lambda k: self.press_prefix(k.value))
            grid.add_widget(key)
            self.alpha_keys[value] = key
        self._show_pad(False)

    # -- what is shown -------------------------------------------------------------------
    @property
    def number(self) -> str:
        return f"{self.prefix}-{self.digits[:8]}-{self.digits[8:]}"

    @property
    def complete(self) -> bool:
        return len(self.digits) == TAIL_DIGITS and wire.is_txn_id(self.number)

    def refresh(self) -> None:
        rate = self.app.intent == "rate"
        self.title = t("progress_title_rate" if rate else "progress_title")
        self.intro = t("progress_intro_rate" if rate else "progress_intro")
        if not self.prefix:
            self.prefix = self.services.identity.device_id
        self._devices_changed()
        self._update_button()

    def _devices_changed(self, *_args) -> None:
        hub = self.services.devices
        down = t("progress_way_down")
        self.scan_note = "" if hub.available("scanner") else down.format(device=t("dev_scanner"))
        self.card_note = "" if hub.available("idcard") else down.format(device=t("dev_idcard"))

    def _update_button(self, *_args) -> None:
        self.query_button.disabled = self.editing_prefix or not self.complete

    def _digits_typed(self, _keypad, text: str) -> None:
        self.digits = text
        self.message = ""
        self._update_button()

    def _show_pad(self, prefix: bool) -> None:
        self.editing_prefix = prefix
        pads = self.ids.pads
        pads.clear_widgets()
        pads.add_widget(self.alpha_pad if prefix else self.keypad)
        pads.add_widget(Widget())  # the pad at the top, the space below it
        self._update_button()

    # -- the device part -------------------------------------------------------------------
    def edit_prefix(self) -> None:
        self.message = ""
        self._show_pad(not self.editing_prefix)

    def press_prefix(self, value: str) -> None:
        if value == "backspace":
            self.prefix = self.prefix[:-1]
        elif value == "clear":
            self.prefix = ""
        elif len(self.prefix) < PREFIX_MAX:
            self.prefix += value
        self._update_button()

    # -- asking ----------------------------------------------------------------------------
    def query(self) -> None:
        if not self.complete:
            self.message = t("progress_not_complete")
            return
        self._ask(self.number, typed=True)

    def _ask(self, number: str, typed: bool) -> None:
        if self.session.state is not State.PROGRESS_QUERY:
            return
        try:
            self.session.progress_by_number(number)
        except InputError as err:
            self.message = explain(err) if typed else t("progress_bad_code")
        except InvalidTransition:
            pass

    def _on_code(self, _hub, code) -> None:
        text = getattr(code, "text", code)
        self._ask(str(text), typed=False)

    def _on_card(self, _hub, card) -> None:
        if self.session.state is not State.PROGRESS_QUERY:
            return
        try:
            self.session.identified_by_card(card)
        except InputError as err:
            self.message = explain(err)
        except InvalidTransition:
            pass

    def _on_card_error(self, _hub, _err) -> None:
        if self.session.state is State.PROGRESS_QUERY:
            self.message = t("progress_card_error")

    # -- life ------------------------------------------------------------------------------
    def on_pre_enter(self, *args):
        self.wipe()  # a new query starts empty
        super().on_pre_enter(*args)

    def on_enter(self, *args):
        self.services.devices.bind(on_code=self._on_code, on_card=self._on_card,
                                   on_card_error=self._on_card_error, health=self._devices_changed)

    def on_leave(self, *args):
        self.services.devices.unbind(on_code=self._on_code, on_card=self._on_card,
                                     on_card_error=self._on_card_error, health=self._devices_changed)
        self.wipe()

    def clear_personal(self) -> None:
        if self.session.state is State.PROGRESS_QUERY:
            return  # 继续办理 after the idle warning: the citizen's typing stays
        self.wipe()

    def wipe(self) -> None:
        self.keypad.clear()
        self.digits = self.message = ""
        self.prefix = ""
        if self.editing_prefix:
            self._show_pad(False)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
