"""查询结果 (state PROGRESS_RESULT): each case the county found — the item, its status in
plain Chinese, the promised date, the history and the applicant (masked: ``kiosk.wire``
masks on parse) — or 未查询到, or a calm 暂时无法查询 when the county could not be asked.

The answer is the one the ``QueryProgress`` handler kept (``progress.progress_answer``);
it is dropped when the visit ends, and every widget showing it is emptied on leaving.
When the citizen came to rate (首页 好差评: ``app.intent == "rate"``) each case has a 评价
button: the session's rating path takes it if the session offers one for a case found
here (an event ``rate_case``), else the screen says how to rate it instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.receipts import local_time
from kiosk.session import InvalidTransition, State
from kiosk.session.states import ALLOWED
from kiosk.ui import theme
from kiosk.ui.base import KioskScreen
from kiosk.ui.screens.progress import progress_answer
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
    "result_rate": "评价",
    "result_rate_elsewhere": "本机只能在办理结束时当场评价。对这件事项的评价，"
                             "请拨打12345热线，或到便民服务中心窗口填写评价。",
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
        for case in answer.cases:
            self._add(self._case_widget(case), case.txn_id if rate else None)
        if answer.local is not None:
            local = answer.local
            self._add(ProgressCase(
                item_name=local.item_name, status_text=STRINGS["result_pending_here"],
                status_color=theme.PRIMARY,
                details="\n".join([STRINGS["result_number"].format(v=local.txn_id),
                                   STRINGS["result_accepted"].format(v=_when(local.accepted_at))]),
                history=STRINGS["result_pending_note"]), None)
        self.ids.scroll.scroll_y = 1

    def _item_name(self, case) -> str:
        """The catalog's name for the item (the county may send only its code)."""
        for item in self.services.catalog.items:
            if item.code == case.item_code:
                return item.name
        return case.item_name

    def _case_widget(self, case) -> ProgressCase:
        details = [STRINGS["result_number"].format(v=case.txn_id),
                   STRINGS["result_applicant"].format(name=case.applicant.name,
                                                      number=case.applicant.id_number),
                   STRINGS["result_promised"].format(v=case.promised_by.strftime("%Y-%m-%d"))]
        # a clerk's note may name the citizen unmasked: only the status and time are shown
        history = [f"{_when(h.at)}    {STATUS_ZH.get(h.status, h.status)}"
                   for h in sorted(case.history, key=lambda h: h.at)]
        return ProgressCase(item_name=self._item_name(case),
                            status_text=STATUS_ZH.get(case.status, ""),
                            status_color=STATUS_COLOR.get(case.status, theme.PRIMARY),
                            details="\n".join(details),
                            history="\n".join([STRINGS["result_history"] + "："] + history))

    def _add(self, widget: ProgressCase, rate_txn: str | None) -> None:
        if rate_txn is not None:
            button = BigButton(text=STRINGS["result_rate"], kind="primary", size_hint_x=None,
                               width=dp(260) * self.app.theme.scale)
            widget.ids.buttons.add_widget(Widget())
            button.bind(on_release=lambda *_: self.rate(rate_txn))
            widget.ids.buttons.add_widget(button)
            self.rate_buttons[rate_txn] = button
        self.ids.cases.add_widget(widget)
        self.case_widgets.append(widget)

    # -- the buttons -----------------------------------------------------------------------
    def rate(self, txn_id: str) -> None:
        session: Any = self.session
        start = getattr(session, "rate_case", None)
        if callable(start) and session.state in ALLOWED.get("rate_case", ()):
            try:
                start(txn_id)
                return
            except InvalidTransition:
                pass
        self.message, self.message_color = STRINGS["result_rate_elsewhere"], theme.ON_SECONDARY

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
