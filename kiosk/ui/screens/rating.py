"""好差评 (state RATING): five levels as big buttons, reasons to tick for the low ones, 提交评价
(``session.rate`` ends the visit; the rating is queued in the outbox in a worker thread) or
跳过 (``session.finish()``; the frame's first button).

Reached from a progress answer (评价此件: ``session.rating_case``) the screen names the case
— item, 受理编号 and the applicant as the county masked them — and says that a case is
rated once. When the 受理回执 did not print, the receipt is shown here on screen (``ReceiptCard`` with
the number as a QR code and whom to call) until the visit ends, so that the citizen can
photograph it; when it printed, one line says to take it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from kiosk.session import InputError, InvalidTransition, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.screens.receipt import call_text, receipt_info
from kiosk.ui.screens.receipt import s as receipt_s
from kiosk.ui.widgets.buttons import BigButton

log = logging.getLogger(__name__)

#: score → the words on its button, best first.
LEVELS: list[tuple[int, str]] = [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"),
                                 (1, "非常不满意")]
#: Reasons offered for 不满意 and 非常不满意 (one at least must be ticked).
REASONS: list[str] = ["等待时间长", "操作复杂", "设备故障", "指引不清", "材料要求多", "其他"]
LOW = 2

STRINGS: dict[str, str] = {
    "rating_title": "服务评价",
    "rating_ask": "请您对本次办理进行评价",
    "rating_why": "请选择不满意的原因（可多选）：",
    "rating_need_level": "请先选择一个评价等级。",
    "rating_need_reason": "请至少选择一个不满意的原因，我们会认真改进。",
    "rating_submit": "提交评价",
    "rating_skip": "跳过",
    "rating_printed": "受理回执已打印，请从出纸口取走并妥善保管。",
    "rating_thanks_note": "评价不记名，仅用于改进服务。",
    "rating_ask_case": "请您对这件办件进行评价",
    "rating_case_number": "受理编号：{v}",
    "rating_case_applicant": "申请人：{name}    证件号码：{number}",
    "rating_once": "每件办件只能评价一次；如已在其他地方评价过，以第一次评价为准。",
}


def s(key: str, **values: Any) -> str:
    text = STRINGS[key]
    return text.format(**values) if values else text


class ReasonToggle(ButtonBehavior, Label):
    """One reason to tick; ≥ 64 px high."""

    checked = BooleanProperty(False)

    def on_release(self) -> None:
        self.checked = not self.checked


class RatingScreen(KioskScreen):
    S = STRINGS
    score = NumericProperty(0)
    message = StringProperty("")
    show_reasons = BooleanProperty(False)
    printed_note = StringProperty("")
    show_card = BooleanProperty(False)
    ask = StringProperty(STRINGS["rating_ask"])
    case_text = StringProperty("")
    once_note = StringProperty("")

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.cancel_text = s("rating_skip")
        self.level_buttons: dict[int, BigButton] = {}
        for score, words in LEVELS:
            button = BigButton(text=words, kind="secondary")
            button.padding = (dp(6), dp(8))  # five in a row: 非常不满意 fits on one line
            button.score = score
            button.bind(on_release=lambda b: self.choose(b.score))
            self.ids.levels.add_widget(button)
            self.level_buttons[score] = button
        self.reason_toggles: dict[str, ReasonToggle] = {}
        for reason in REASONS:
            toggle = ReasonToggle(text=reason)
            toggle.bind(checked=lambda *_: self._reasons_changed())
            self.ids.reasons.add_widget(toggle)
            self.reason_toggles[reason] = toggle
        self.submit_button = BigButton(text=s("rating_submit"), kind="primary")
        self.submit_button.bind(on_release=lambda *_: self.submit())
        self.add_action(self.submit_button)
        self.ids["submit_button"] = self.submit_button
        self.ids["skip_button"] = self.ids.cancel_button
        self._show_score()

    # -- choosing ----------------------------------------------------------------------------
    def choose(self, score: int) -> None:
        self.score = score
        self.message = ""
        self._show_score()

    def _show_score(self) -> None:
        for score, button in self.level_buttons.items():
            chosen = score == self.score
            button.kind = ("danger" if score <= LOW else "primary") if chosen else "secondary"
        self.show_reasons = 0 < self.score <= LOW
        if not self.show_reasons:
            for toggle in self.reason_toggles.values():
                toggle.checked = False
        self.submit_button.disabled = not self.score

    def _reasons_changed(self) -> None:
        if self.message == s("rating_need_reason") and self.chosen_reasons():
            self.message = ""

    def chosen_reasons(self) -> list[str]:
        return [r for r, toggle in self.reason_toggles.items() if toggle.checked]

    # -- the screen ------------------------------------------------------------------------
    def refresh(self) -> None:
        self.title = s("rating_title")
        session = self.session
        if session.state is not State.RATING:
            return
        self._show_case(session.rating_case)
        info = receipt_info(session)
        printed = session.receipt_ok
        card = self.ids.card
        if info is not None and printed is not True:
            card.show(info, qr=True, help_text=receipt_s("receipt_not_printed")
                      + call_text(self.services.identity))
            card.set_network(self.services.network)
            self.show_card, self.printed_note = True, ""
        else:
            card.clear()
            self.show_card = False
            self.printed_note = s("rating_printed") if printed else ""
        self.ids.scroll.scroll_y = self.ids.card_scroll.scroll_y = 1

    def _show_case(self, case: Any) -> None:
        """The case found by a progress query (masked by the session), or nothing."""
        if case is None:
            self.ask, self.case_text, self.once_note = s("rating_ask"), "", ""
            return
        lines = [case.item_name, s("rating_case_number", v=case.txn_id)]
        if case.applicant_name or case.applicant_id_number:
            lines.append(s("rating_case_applicant", name=case.applicant_name,
                           number=case.applicant_id_number))
        self.ask, self.case_text, self.once_note = s("rating_ask_case"), "\n".join(lines), s("rating_once")

    def on_enter(self, *args):
        self.services.bind(network=self._network_changed)

    def on_leave(self, *args):
        self.services.unbind(network=self._network_changed)
        self.clear_personal()

    def _network_changed(self, *_args) -> None:
        if self.show_card:
            self.ids.card.set_network(self.services.network)

    def submit(self) -> None:
        if not self.score:
            self.message = s("rating_need_level")
            return
        reasons = self.chosen_reasons() if self.score <= LOW else []
        if self.score <= LOW and not reasons:
            self.message = s("rating_need_reason")
            return
        try:
            rating = self.session.rate(int(self.score), reasons)
        except InputError as err:
            self.message = err.text_zh
            return
        except InvalidTransition:
            self.app.go_home()
            return
        queue_rating(self.services, rating)

    def cancel(self) -> None:
        """跳过: the visit ends with nothing lost (the transaction is already queued)."""
        try:
            self.session.finish()
        except InvalidTransition:
            self.app.go_home()

    def clear_personal(self) -> None:
        self.ids.card.clear()
        self.show_card = False
        self.printed_note = self.message = self.case_text = self.once_note = ""
        self.ask = s("rating_ask")
        self.score = 0
        self._show_score()


def queue_rating(services: Any, rating: Any) -> None:
    """``Outbox.add_rating`` in a worker thread (the agent sends it); a failure is logged."""
    store = services.store
    if store is None:
        log.error("no store: rating for %s not kept", rating.txn_id)
        return

    def done(ok: bool, value: Any) -> None:
        if not ok:
            log.error("rating for %s not queued: %s", rating.txn_id, type(value).__name__)

    services.in_worker(lambda: store.outbox.add_rating(rating), done, "rating")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
