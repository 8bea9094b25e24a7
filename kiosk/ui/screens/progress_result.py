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
from kiosk.ui.screens.progress import item_name, progress_answer
from kiosk.ui.widgets.buttons import BigButton

STRINGS: dict[str, str] = {
    "result_title": "查询结果",
    "result_found": "共查询到{n}件办件",
    "result_none_number": "未查询到这个受理编号的办件",
    "result_none_number_more": "受理编号：{number}\n请核对回执上的编号；如刚刚提交，可能还在上传，请稍后再查。",
    "result_none_card": "未查询到您名下的办件",
    "result_none_card_more": "如刚刚提交，可能还在上传，请稍后再查。",
    "result_failed": "暂时无法查询，请稍后再试。",
    "result_failed_more": "您也可以拨打12345热线，或到便民服务中心窗口查询。",
    "result_again": "重新查询",
    "result_done": "完成",
    "result_number": "受理编号：{v}",
    "result_applicant": "申请人：{name}    证件号码：{number}",
    "result_promised": "承诺办结：{v}",
    "result_accepted": "受理时间：{v}",
    "result_history": "办理记录",
    "result_pending_here": "已受理（待上传）",
    "result_pending_note": "本机已受理您的申请，联网后自动上报，上报后即可查到办理进度。",
    "result_rate": "评价此件",
    "result_rate_pick": "请在要评价的办件下点“评价此件”。每件办件只能评价一次。",
    "result_rated": "本机已收到对这件办件的评价，每件办件只能评价一次。",
    "result_none_to_rate": "查到的办件都已评价过，每件办件只能评价一次。感谢您的评价！",
}

#: The county's statuses as the citizen reads them.
STATUS_ZH = {"received": "已受理", "reviewing": "审核中", "needs_more": "需补正材料",
             "approved": "已办结（通过）", "rejected": "不予受理", "completed": "已办结"}
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


def _when(moment) -> str:
    return local_time(moment).strftime("%Y-%m-%d %H:%M")


class ProgressResultScreen(KioskScreen):
    S = STRINGS
    summary = StringProperty("")
    summary_color = ColorProperty(theme.TEXT)
    message = StringProperty("")
    message_color = ColorProperty(theme.MUTED)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.again_button = BigButton(text=STRINGS["result_again"], kind="secondary")
        self.again_button.bind(on_release=lambda *_: self.again())
        self.done_button = BigButton(text=STRINGS["result_done"], kind="primary")
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
            self.summary, self.summary_color = STRINGS["result_failed"], theme.WARN
            self.message, self.message_color = STRINGS["result_failed_more"], theme.MUTED
            return
        if answer.count == 0:
            self.summary_color, self.message_color = theme.TEXT, theme.MUTED
            if answer.by == "number":
                self.summary = STRINGS["result_none_number"]
                self.message = STRINGS["result_none_number_more"].format(number=answer.number)
            else:
                self.summary, self.message = STRINGS["result_none_card"], STRINGS["result_none_card_more"]
            return
        self.summary, self.summary_color = STRINGS["result_found"].format(n=answer.count), theme.TEXT
        offered = {case.txn_id for case in self.session.found_cases}
        for case in answer.cases:
            self._add(self._case_widget(case), case.txn_id, offered, answer.rated)
        if answer.local is not None:
            local = answer.local
            self._add(ProgressCase(
                item_name=local.item_name, status_text=STRINGS["result_pending_here"],
                status_color=theme.PRIMARY,
                details="\n".join([STRINGS["result_number"].format(v=local.txn_id),
                                   STRINGS["result_accepted"].format(v=_when(local.accepted_at))]),
                history=STRINGS["result_pending_note"]), local.txn_id, offered, answer.rated)
        if rate:
            self.message = STRINGS["result_rate_pick" if offered else "result_none_to_rate"]
            self.message_color = theme.ON_SECONDARY
        self.ids.scroll.scroll_y = 1

    def _case_widget(self, case) -> ProgressCase:
        details = [STRINGS["result_number"].format(v=case.txn_id),
                   STRINGS["result_applicant"].format(name=case.applicant.name,
                                                      number=case.applicant.id_number),
                   STRINGS["result_promised"].format(v=case.promised_by.strftime("%Y-%m-%d"))]
        # a clerk's note may name the citizen unmasked: only the status and time are shown
        history = [f"{_when(h.at)}    {STATUS_ZH.get(h.status, h.status)}"
                   for h in sorted(case.history, key=lambda h: h.at)]
        return ProgressCase(item_name=item_name(self.services, case.item_code, case.item_name),
                            status_text=STATUS_ZH.get(case.status, ""),
                            status_color=STATUS_COLOR.get(case.status, theme.PRIMARY),
                            details="\n".join(details),
                            history="\n".join([STRINGS["result_history"] + "："] + history))

    def _add(self, widget: ProgressCase, txn_id: str, offered: set[str], rated: set[str]) -> None:
        if txn_id in offered:
            button = BigButton(text=STRINGS["result_rate"], kind="primary", size_hint_x=None,
                               width=dp(300) * self.app.theme.scale)
            widget.ids.buttons.add_widget(Widget())
            button.bind(on_release=lambda *_: self.rate(txn_id))
            widget.ids.buttons.add_widget(button)
            self.rate_buttons[txn_id] = button
        elif txn_id in rated:
            widget.ids.buttons.add_widget(_note(STRINGS["result_rated"], self.app.theme.scale))
        self.ids.cases.add_widget(widget)
        self.case_widgets.append(widget)

    # -- the buttons -----------------------------------------------------------------------
    def rate(self, txn_id: str) -> None:
        """评价此件: the session takes the case to RATING."""
        try:
            self.session.rate_case(txn_id)
        except InputError as err:
            self.message, self.message_color = err.text_zh, theme.WARN
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
