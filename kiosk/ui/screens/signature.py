"""手写签名 (state SIGNATURE): sign on the :class:`SignaturePad` with a finger.

重写 clears the pad; 确认签名 exports the strokes as a black-on-white PNG (``kiosk.draft.Blob``)
and hands it to ``session.signed``. A dot or a scratch is not a signature: 请在框内签名.
The pad is wiped when the screen is left and when the visit ends (:meth:`clear_personal`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from drivers.privacy import mask_name
from kiosk.draft import Blob
from kiosk.session import InvalidTransition, SessionError, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.signature_pad import NotEnoughInk, SignaturePad  # noqa: F401  (kv)

STRINGS: dict[str, str] = {
    "sign_title": "手写签名",
    "sign_intro": "请{name}本人用手指在下面的白框内签写姓名，写好后点击“确认签名”。",
    "sign_intro_anon": "请用手指在下面的白框内签写姓名，写好后点击“确认签名”。",
    "sign_hint": "请在此处签名",
    "sign_more_ink": "请在框内签名",
    "sign_clear": "重写",
    "sign_confirm": "确认签名",
    "back": "上一步",
}


def _t(key: str, **values: Any) -> str:
    text = STRINGS[key]
    return text.format(**values) if values else text


class SignatureScreen(KioskScreen):
    strings = STRINGS  # read by the .kv rule
    intro = StringProperty("")
    message = StringProperty("")

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.back_button = BigButton(text=_t("back"), kind="secondary")
        self.back_button.bind(on_release=lambda *_: self.back())
        self.clear_button = BigButton(text=_t("sign_clear"), kind="secondary")
        self.clear_button.bind(on_release=lambda *_: self.rewrite())
        self.confirm_button = BigButton(text=_t("sign_confirm"), kind="primary")
        self.confirm_button.bind(on_release=lambda *_: self.confirm())
        for name in ("back_button", "clear_button", "confirm_button"):
            self.add_action(getattr(self, name))
            self.ids[name] = getattr(self, name)
        self.ids.pad.bind(is_empty=lambda *_: setattr(self, "message", ""))

    def refresh(self) -> None:
        session = self.session
        if session.state is not State.SIGNATURE or session.item is None:
            return
        self.title = f"{_t('sign_title')}·{session.item.name}"
        applicant = session.applicant
        self.intro = (_t("sign_intro", name=mask_name(applicant.name)) if applicant
                      else _t("sign_intro_anon"))
        steps = session.steps
        here = steps.index(State.SIGNATURE)
        can_back = here > 0 and steps[here - 1] is not State.IDENTIFY
        self.back_button.disabled = not can_back
        self.back_button.opacity = 1 if can_back else 0

    def rewrite(self) -> None:
        self.ids.pad.clear()
        self.message = ""

    def confirm(self) -> None:
        if self.session.state is not State.SIGNATURE:
            return
        pad = self.ids.pad
        try:
            png = pad.export_png(crop=True)
        except NotEnoughInk:
            self.message = _t("sign_more_ink")
            return
        try:
            self.session.signed(Blob("image/png", bytearray(png)))
        except SessionError as err:
            self.message = err.text_zh

    def back(self) -> None:
        try:
            self.session.back()
        except InvalidTransition:
            pass

    def on_leave(self, *args):
        self.clear_personal()

    def clear_personal(self) -> None:
        self.ids.pad.wipe()
        self.message = self.intro = ""


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
