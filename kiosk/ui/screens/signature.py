"""手写签名 (state SIGNATURE): sign on the :class:`SignaturePad` with a finger.

重写 clears the pad; 确认签名 exports the strokes as a black-on-white PNG (``kiosk.draft.Blob``)
and hands it to ``session.signed``. A dot or a scratch is not a signature: 请在框内签名.
The pad is wiped when the screen is left and when the visit ends (:meth:`clear_personal`).
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from drivers.privacy import mask_name
from kiosk.draft import Blob
from kiosk.session import SessionError, State
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import explain, language, t
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.signature_pad import NotEnoughInk, SignaturePad  # noqa: F401  (kv)




class SignatureScreen(KioskScreen):
    intro = StringProperty("")
    message = StringProperty("")

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.back_button = self.keyed(BigButton(kind="secondary"), "back")
        self.back_button.bind(on_release=lambda *_: self.back())
        self.clear_button = self.keyed(BigButton(kind="secondary"), "sign_clear")
        self.clear_button.bind(on_release=lambda *_: self.rewrite())
        self.confirm_button = self.keyed(BigButton(kind="primary"), "sign_confirm")
        self.confirm_button.bind(on_release=lambda *_: self.confirm())
        for name in ("back_button", "clear_button", "confirm_button"):
            self.add_action(getattr(self, name))
            self.ids[name] = getattr(self, name)
        self.ids.pad.bind(is_empty=lambda *_: setattr(self, "message", ""))

    def refresh(self) -> None:
        session = self.session
        if session.state is not State.SIGNATURE or session.item is None:
            return
        self.title = f"{t('sign_title')}·{session.item.name_for(language())}"
        applicant = session.applicant
        self.intro = (t("sign_intro", name=mask_name(applicant.name)) if applicant
                      else t("sign_intro_anon"))
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
            self.message = t("sign_more_ink")
            return
        try:
            self.session.signed(Blob("image/png", bytearray(png)))
        except SessionError as err:
            self.message = explain(err)

    def on_leave(self, *args):
        self.clear_personal()

    def clear_personal(self) -> None:
        self.ids.pad.wipe()
        self.message = self.intro = ""


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
