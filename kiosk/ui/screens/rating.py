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
from kiosk.i18n import DEFAULT, tr
from kiosk.ui.strings import explain, t
from kiosk.ui.screens.receipt import call_text, receipt_info
from kiosk.ui.widgets.buttons import BigButton

log = logging.getLogger(__name__)

#: The scores, best first; each button's words are ``rating_level_<score>``.
LEVELS: list[int] = [5, 4, 3, 2, 1]
#: Reasons offered for 不满意 and 非常不满意 (one at least must be ticked): the words are
#: ``rating_reason_<code>``; the county receives them in Chinese, whatever the screen shows.
REASONS: list[str] = ["wait", "complex", "device", "unclear", "materials", "other"]
LOW = 2




class ReasonToggle(ButtonBehavior, Label):
    """One reason to tick; ≥ 64 px high."""

    checked = BooleanProperty(False)

    def on_release(self) -> None:
        self.checked = not self.checked


class RatingScreen(KioskScreen):
    score = NumericProperty(0)
    message = StringProperty("")
    show_reasons = BooleanProperty(False)
    printed_note = StringProperty("")
    show_card = BooleanProperty(False)
    ask = StringProperty("")
    case_text = StringProperty("")
    once_note = StringProperty("")

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.keyed(self, "rating_skip", prop="cancel_text")
        self.level_buttons: dict[int, BigButton] = {}
        for score in LEVELS:
            button = self.keyed(BigButton(kind="secondary"), f"rating_level_{score}")
            button.padding = (dp(6), dp(8))  # five in a row: 非常不满意 fits on one line
            button.score = score
            button.bind(on_release=lambda b: self.choose(b.score))
            self.ids.levels.add_widget(button)
            self.level_buttons[score] = button
        self.reason_toggles: dict[str, ReasonToggle] = {}
        for reason in REASONS:  # by the words the county receives
            toggle = self.keyed(ReasonToggle(), f"rating_reason_{reason}")
            toggle.bind(checked=lambda *_: self._reasons_changed())
            self.ids.reasons.add_widget(toggle)
            self.reason_toggles[tr(f"rating_reason_{reason}", DEFAULT)] = toggle
        self.submit_button = self.keyed(BigButton(kind="primary"), "rating_submit")
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
        if self.message == t("rating_need_reason") and self.chosen_reasons():
            self.message = ""

    def chosen_reasons(self) -> list[str]:
        return [r for r, toggle in self.reason_toggles.items() if toggle.checked]

    # -- the screen ------------------------------------------------------------------------
    def refresh(self) -> None:
        self.title = t("rating_title")
        session = self.session
        if session.state is not State.RATING:
            return
        self._show_case(session.rating_case)
        info = receipt_info(session)
        printed = session.receipt_ok
        card = self.ids.card
        if info is not None and printed is not True:
            card.show(info, qr=True, help_text=t("receipt_not_printed")
                      + call_text(self.services.identity))
            card.set_network(self.services.network)
            self.show_card, self.printed_note = True, ""
        else:
            card.clear()
            self.show_card = False
            self.printed_note = t("rating_printed") if printed else ""
        self.ids.scroll.scroll_y = self.ids.card_scroll.scroll_y = 1

    def _show_case(self, case: Any) -> None:
        """The case found by a progress query (masked by the session), or nothing."""
        if case is None:
            self.ask, self.case_text, self.once_note = t("rating_ask"), "", ""
            return
        lines = [case.item_name, t("rating_case_number", v=case.txn_id)]
        if case.applicant_name or case.applicant_id_number:
            lines.append(t("rating_case_applicant", name=case.applicant_name,
                           number=case.applicant_id_number))
        self.ask, self.case_text, self.once_note = t("rating_ask_case"), "\n".join(lines), t("rating_once")

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
            self.message = t("rating_need_level")
            return
        reasons = self.chosen_reasons() if self.score <= LOW else []
        if self.score <= LOW and not reasons:
            self.message = t("rating_need_reason")
            return
        try:
            rating = self.session.rate(int(self.score), reasons)
        except InputError as err:
            self.message = explain(err)
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
        self.ask = t("rating_ask")
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
