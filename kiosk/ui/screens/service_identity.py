"""设备身份证: edit the identity card's fields (name, category, maintainer, phone, location).

Tap a field to type it: the pinyin keyboard for text, the keypad for the phone number.
保存 validates the whole card as the ``set_identity`` command does
(:mod:`kiosk.agent.identity_override`; the device id never changes) and keeps it in the
store, where the footer, the receipts and the beacon read it. A field that does not pass is
named and nothing is saved. The change is written to the audit log.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import DictProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.agent.identity_override import IdentityRejected
from kiosk.service.actions import EDITABLE_FIELDS, ActionFailed
from kiosk.ui.screens.service_base import ServiceScreen
from kiosk.ui.strings import t
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.cjk_text import CJKLabel
from kiosk.ui.widgets.keypad import Keypad
from kiosk.ui.widgets.pinyin_keyboard import PinyinKeyboard

#: Field → the key of its label.
LABEL_KEYS = {"name": "identity_name", "category": "identity_category", "maintainer": "identity_maintainer",
              "phone": "identity_phone", "location": "identity_location"}
MAX_CHARS = {"name": 40, "category": 40, "maintainer": 60, "phone": 24, "location": 80}


class ServiceIdentityScreen(ServiceScreen):
    message = StringProperty("")
    #: the field being typed ("" none)
    editing = StringProperty("")
    draft = DictProperty({})

    def __init__(self, **kwargs):
        self.fields: dict[str, BigButton] = {}
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.keyboard = PinyinKeyboard()
        self.keyboard.bind(text=self._typed, on_done=lambda *_: self.stop_editing())
        self.keypad = Keypad(mode="phone", size_hint_x=None, width=dp(560))
        self.keypad.bind(text=self._typed)
        self.save_button = self.keyed(BigButton(), "svc_id_save")
        self.save_button.bind(on_release=lambda *_: self.save())
        self.add_action(self.save_button)

    def refresh(self) -> None:
        actions = self.actions
        if actions is None:
            return
        card = actions.identity()
        self.draft = {f: getattr(card, f) for f in EDITABLE_FIELDS}
        box = self.ids.fields
        box.clear_widgets()
        self.fields = {}
        for field in EDITABLE_FIELDS:
            row = BoxLayout(size_hint_y=None, spacing=dp(16))
            label = CJKLabel(text=t(LABEL_KEYS[field]), font_size=dp(26), size_hint_x=None, width=dp(220),
                             color=self.app.theme.muted, halign="right", valign="middle")
            label.bind(size=lambda w, s: setattr(w, "text_size", s))
            value = BigButton(text=self.draft[field], kind="quiet")
            value.bind(on_release=lambda _b, f=field: self.edit(f))
            row.height = value.height
            row.add_widget(label)
            row.add_widget(value)
            box.add_widget(row)
            self.fields[field] = value

    def on_leave(self, *args):
        super().on_leave(*args)
        self.stop_editing()
        self.message = ""

    # -- typing --------------------------------------------------------------------------
    def edit(self, field: str) -> None:
        self.stop_editing()
        self.editing = field
        self.fields[field].kind = "primary"
        slot = self.ids.editor
        if field == "phone":
            self.keypad.text = ""
            slot.add_widget(self.keypad)
            self.keypad.text = self.draft[field]
        else:
            self.keyboard.max_length = MAX_CHARS[field]
            self.keyboard.target_text = self.draft[field]
            slot.add_widget(self.keyboard)

    def _typed(self, _widget, text: str) -> None:
        if self.editing:
            self.draft[self.editing] = text
            self.fields[self.editing].text = text

    def stop_editing(self) -> None:
        if self.editing in self.fields:
            self.fields[self.editing].kind = "quiet"
        self.editing = ""
        self.ids.editor.clear_widgets()

    def save(self) -> None:
        self.stop_editing()
        try:
            new = self.actions.edit_identity(dict(self.draft))
        except IdentityRejected as err:
            field = str(err).split(":")[0]
            self.message = t("svc_id_bad", field=t(LABEL_KEYS[field]) if field in LABEL_KEYS else field)
            return
        except ActionFailed as err:
            self.message = self.say_failed(err)
            return
        self.app.identity = new  # the footer at once (the app also reads it every second)
        self.message = t("svc_id_saved")
        self.refresh()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
