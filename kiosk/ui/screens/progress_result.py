"""查询结果 (state PROGRESS_RESULT): each case the county found — the item, its status in
plain Chinese, the promised date, the history and the applicant (masked: ``kiosk.wire``
masks on parse) — or 未查询到, or a calm 暂时无法查询 when the county could not be asked.

The answer is the one the ``QueryProgress`` handler kept (``progress.progress_answer``);
it is dropped when the visit ends, and every widget showing it is emptied on leaving.
Each case the session offers for rating (``session.found_cases``: those this kiosk has not
rated) has a 评价此件 button, which takes it to RATING (``session.rate_case``); a case
rated here before says so instead. When the citizen came to rate (首页 好差评:
``app.intent == "rate"``) a line says to pick the case.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.receipts import local_time
from kiosk.session import InputError, InvalidTransition, State
from kiosk.ui import theme
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import explain, t
from kiosk.ui.screens.progress import item_name, progress_answer
from kiosk.ui.widgets.buttons import BigButton


#: The county's statuses (each shown as ``status_<code>``).
STATUSES = ("received", "reviewing", "needs_more", "approved", "rejected", "completed")
STATUS_COLOR = {"needs_more": theme.WARN, "rejected": theme.WARN, "approved": theme.OK,
                "completed": theme.OK}


class ProgressCase(BoxLayout):
    """One case: the item, its status, the facts, the history; 评价 when rating."""

    item_name = StringProperty("")
    status_text = StringProperty("")
    status_color = ColorProperty(theme.PRIMARY)
    details = StringProperty("")
    history = StringProperty("")


def _note(text: str, scale: float) -> Label:
    note = Label(text=text, font_size=dp(24) * scale, bold=True, color=theme.OK,
                 size_hint_y=None, halign="left")
    note.bind(width=lambda w, width: setattr(w, "text_size", (width, None)),
              texture_size=lambda w, size: setattr(w, "height", size[1] + dp(8)))
    return note


def _status(code: str) -> str:
    return t(f"status_{code}") if code in STATUSES else ""


def _when(moment) -> str:
    return local_time(moment).strftime("%Y-%m-%d %H:%M")


class ProgressResultScreen(KioskScreen):
    summary = StringProperty("")
    summary_color = ColorProperty(theme.TEXT)
    message = StringProperty("")
    message_color = ColorProperty(theme.MUTED)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.again_button = self.keyed(BigButton(kind="secondary"), "result_again")
        self.again_button.bind(on_release=lambda *_: self.again())
        self.done_button = self.keyed(BigButton(kind="primary"), "result_done")
        self.done_button.bind(on_release=lambda *_: self.done())
        for button in (self.again_button, self.done_button):
            self.add_action(button)
        self.ids["again_button"], self.ids["done_button"] = self.again_button, self.done_button
        self.case_widgets: list[ProgressCase] = []
        self.rate_buttons: dict[str, BigButton] = {}

    def refresh(self) -> None:
        self.wipe()
        answer = progress_answer(self.services)
        if self.session.state is not State.PROGRESS_RESULT:
            return
        rate = self.app.intent == "rate"
        if answer is None or answer.failed:
            self.summary, self.summary_color = t("result_failed"), theme.WARN
            self.message, self.message_color = t("result_failed_more"), theme.MUTED
            return
        if answer.count == 0:
            self.summary_color, self.message_color = theme.TEXT, theme.MUTED
            if answer.by == "number":
                self.summary = t("result_none_number")
                self.message = t("result_none_number_more", number=answer.number)
            else:
                self.summary, self.message = t("result_none_card"), t("result_none_card_more")
            return
        self.summary, self.summary_color = t("result_found", n=answer.count), theme.TEXT
        offered = {case.txn_id for case in self.session.found_cases}
        for case in answer.cases:
            self._add(self._case_widget(case), case.txn_id, offered, answer.rated)
        if answer.local is not None:
            local = answer.local
            self._add(ProgressCase(
                item_name=local.item_name, status_text=t("result_pending_here"),
                status_color=theme.PRIMARY,
                details="\n".join([t("result_number", v=local.txn_id),
                                   t("result_accepted", v=_when(local.accepted_at))]),
                history=t("result_pending_note")), local.txn_id, offered, answer.rated)
        if rate:
            self.message = t("result_rate_pick" if offered else "result_none_to_rate")
            self.message_color = theme.ON_SECONDARY
        self.ids.scroll.scroll_y = 1

    def _case_widget(self, case) -> ProgressCase:
        details = [t("result_number", v=case.txn_id),
                   t("result_applicant", name=case.applicant.name,
                                                      number=case.applicant.id_number),
                   t("result_promised", v=case.promised_by.strftime("%Y-%m-%d"))]
        # a clerk's note may name the citizen unmasked: only the status and time are shown
        history = [f"{_when(h.at)}    {_status(h.status) or h.status}"
                   for h in sorted(case.history, key=lambda h: h.at)]
        return ProgressCase(item_name=item_name(self.services, case.item_code, case.item_name),
                            status_text=_status(case.status),
                            status_color=STATUS_COLOR.get(case.status, theme.PRIMARY),
                            details="\n".join(details),
                            history="\n".join([t("label_value", label=t("result_history"), value="")]
                                              + history))

    def _add(self, widget: ProgressCase, txn_id: str, offered: set[str], rated: set[str]) -> None:
        if txn_id in offered:
            button = BigButton(text=t("result_rate"), kind="primary", size_hint_x=None,
                               width=dp(300) * self.app.theme.scale)
            widget.ids.buttons.add_widget(Widget())
            button.bind(on_release=lambda *_: self.rate(txn_id))
            widget.ids.buttons.add_widget(button)
            self.rate_buttons[txn_id] = button
        elif txn_id in rated:
            widget.ids.buttons.add_widget(_note(t("result_rated"), self.app.theme.scale))
        self.ids.cases.add_widget(widget)
        self.case_widgets.append(widget)

    # -- the buttons -----------------------------------------------------------------------
    def rate(self, txn_id: str) -> None:
        """评价此件: the session takes the case to RATING."""
        try:
            self.session.rate_case(txn_id)
        except InputError as err:
            self.message, self.message_color = explain(err), theme.WARN
        except InvalidTransition:
            pass

    def done(self) -> None:
        if self.session.state is State.PROGRESS_RESULT:
            self.session.finish()

    def again(self) -> None:
        """重新查询: this visit ends (its answer dropped) and a new query starts."""
        if self.session.state is not State.PROGRESS_RESULT:
            return
        intent = self.app.intent
        self.session.finish()
        self.app.intent = intent
        try:
            self.session.query_progress()
        except InvalidTransition:
            self.app.go_home()

    # -- wiping ----------------------------------------------------------------------------
    def on_leave(self, *args):
        self.wipe()

    def clear_personal(self) -> None:
        self.wipe()

    def wipe(self) -> None:
        self.ids.cases.clear_widgets()
        self.case_widgets = []
        self.rate_buttons = {}
        self.summary = self.message = ""


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
