"""失败件: the dead letters (transactions and ratings the backend refused for good).

Each is listed with its number, item, code and the backend's message, oldest first, with
重新发送 (back into the queue, at once) and 放弃. 放弃 asks for the reason, typed on the
pinyin keyboard; 确认放弃 with no reason does nothing but say one is required. Both are
written to the audit log (the reason too, and kept on the row: kiosk/store/lifecycle.py).
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.service.actions import ActionFailed
from kiosk.ui.screens.service_base import ServiceScreen, service_line
from kiosk.ui.strings import t
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.pinyin_keyboard import PinyinKeyboard

REASON_MAX = 100


class ServiceDeadScreen(ServiceScreen):
    message = StringProperty("")
    #: the dead letter being discarded (its key); empty: the reason panel is closed
    discarding = StringProperty("")
    reason = StringProperty("")

    def __init__(self, **kwargs):
        self.rows: dict[str, tuple[BigButton, BigButton]] = {}
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.keyboard = PinyinKeyboard(max_length=REASON_MAX)
        self.keyboard.bind(text=lambda _kb, text: setattr(self, "reason", text))

    def refresh(self) -> None:
        box = self.ids.letters
        box.clear_widgets()
        self.rows = {}
        actions = self.actions
        if actions is None:
            return
        try:
            letters = actions.dead_letters()
        except ActionFailed as err:
            self.message = self.say_failed(err)
            return
        if not letters:
            box.add_widget(service_line(t("svc_dead_none")))
        for letter in letters:
            box.add_widget(service_line(t("svc_dead_line", txn=letter.key, item=letter.item_name or letter.kind,
                                          code=letter.code, message=letter.message,
                                          at=letter.dead_at.astimezone().strftime("%m-%d %H:%M"))))
            row = BoxLayout(size_hint_y=None, spacing=dp(18))
            retry = BigButton(text=t("svc_dead_retry"), kind="secondary")
            discard = BigButton(text=t("svc_dead_discard"), kind="danger")
            retry.bind(on_release=lambda _b, k=letter.key: self.retry(k))
            discard.bind(on_release=lambda _b, k=letter.key: self.ask_reason(k))
            row.height = retry.height
            row.add_widget(retry)
            row.add_widget(discard)
            box.add_widget(row)
            self.rows[letter.key] = (retry, discard)

    def on_leave(self, *args):
        super().on_leave(*args)
        self.close_reason()
        self.message = ""

    # -- actions -------------------------------------------------------------------------
    def retry(self, key: str) -> None:
        try:
            self.actions.retry_dead(key)
        except ActionFailed as err:
            self.message = self.say_failed(err)
        else:
            self.message = t("svc_dead_retried", txn=key)
        self.refresh()

    def ask_reason(self, key: str) -> None:
        self.keyboard.clear()
        self.reason, self.discarding = "", key
        slot = self.ids.keyboard_slot
        if self.keyboard.parent is None:
            slot.add_widget(self.keyboard)
        self.message = t("svc_dead_reason", txn=key)

    def close_reason(self) -> None:
        if self.keyboard.parent is not None:
            self.keyboard.parent.remove_widget(self.keyboard)
        self.keyboard.clear()
        self.discarding, self.reason = "", ""

    def confirm_discard(self) -> None:
        key = self.discarding
        if not key:
            return
        try:
            self.actions.discard_dead(key, self.reason)
        except ActionFailed as err:
            self.message = self.say_failed(err)
            if err.code == "reason_required":
                return  # the panel stays open for the reason
        else:
            self.message = t("svc_dead_discarded", txn=key)
        self.close_reason()
        self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
