"""核对并承诺 (state CONFIRM): a masked summary of the application, the 告知承诺 to agree to
with one big checkbox, and 确认提交 (``session.confirm(True)`` → SUBMITTING).

Also the ``SubmitDraft`` handler: the outbox commits the draft (numbered, sealed, fsynced)
in a worker thread, and only then does the session hear ``submitted(...)`` — so the
receipt, which prints after, never names a transaction that could be lost. Without a
store, or when the commit fails, ``submit_failed()`` brings the citizen back here with a
calm message and everything they entered still in place.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from kivy.clock import mainthread
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from drivers.privacy import is_name_label, mask_address, mask_phone, mask_name, mask_number
from kiosk.session import InputError, InvalidTransition, State, SubmitDraft
from kiosk.ui.base import KioskScreen
from kiosk.ui.strings import explain, language, t
from kiosk.ui.services import ACTION_HANDLERS
from kiosk.ui.widgets.buttons import BigButton

log = logging.getLogger(__name__)




# -- masking -----------------------------------------------------------------------------------
_NUMBER_LABEL = re.compile(r"(证号|号码|卡号|账号|编号|身份证号)$")
def masked_value(field: Any, value: Any) -> str:
    """How one form value shows on the summary: personal ones masked, the rest as typed."""
    text = str(value if value is not None else "").strip()
    if not text:
        return "—"
    if field.type == "id_number" or _NUMBER_LABEL.search(field.label):
        return mask_number(text)
    if field.type == "phone":
        return mask_phone(text)
    if field.type == "address":
        return mask_address(text)
    if is_name_label(field.label):
        return mask_name(text)
    return text


def summary_rows(session: Any) -> list[tuple[str, str]]:
    """(label, shown value) for the summary: everything personal masked; labels, the item's name
    and a choice's caption in the citizen's language (the value kept is the catalog's option)."""
    item, applicant = session.item, session.applicant
    if item is None or applicant is None:
        return []
    lang = language()
    rows = [(t("confirm_item"), item.name_for(lang)),
            (t("confirm_applicant"), mask_name(applicant.name)),
            (t("confirm_id_number"), mask_number(applicant.id_number))]
    values = session.form_values
    for field in item.fields:
        if field.name in values or field.required:
            value = values.get(field.name)
            if field.type == "choice" and value is not None:
                value = field.caption_for(str(value), lang)
            rows.append((field.label_for(lang), masked_value(field, value)))
    if item.materials:
        taken = [req for req in item.materials if session.pages_taken(req.code)]
        pages = sum(session.pages_taken(req.code) for req in item.materials)
        rows.append((t("confirm_materials"), t("confirm_materials_n", n=len(taken), pages=pages)
                     if taken else t("confirm_materials_none")))
    if item.face_photo:
        rows.append((t("confirm_face"), t("confirm_face_done")))
    if item.signature:
        rows.append((t("confirm_signature"), t("confirm_signature_done")))
    return rows


# -- widgets -----------------------------------------------------------------------------------
class SummaryRow(BoxLayout):
    label = StringProperty("")
    value = StringProperty("")


class AgreeBox(ButtonBehavior, BoxLayout):
    """A big checkbox with its sentence: the whole row is the touch target."""

    checked = BooleanProperty(False)
    text = StringProperty("")

    def on_release(self) -> None:
        self.checked = not self.checked


class ConfirmScreen(KioskScreen):
    message = StringProperty("")
    agreed = BooleanProperty(False)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.back_button = self.keyed(BigButton(kind="secondary"), "confirm_back")
        self.back_button.bind(on_release=lambda *_: self.back())
        self.submit_button = self.keyed(BigButton(kind="primary"), "confirm_submit")
        self.submit_button.bind(on_release=lambda *_: self.submit())
        for button in (self.back_button, self.submit_button):
            self.add_action(button)
        self.ids["back_button"], self.ids["submit_button"] = self.back_button, self.submit_button
        self.ids.agree.bind(checked=lambda _w, on: setattr(self, "agreed", on))
        self.bind(agreed=self._agreed_changed)
        self._unsubscribe = self.session.subscribe(self._session_changed)
        self._agreed_changed()

    def _agreed_changed(self, *_args) -> None:
        self.submit_button.disabled = not self.agreed
        if self.agreed and self.message == t("confirm_need_agree"):
            self.message = ""

    def _session_changed(self, change) -> None:
        """A failed commit comes back here with the message; any other arrival starts clean."""
        if change.new is not State.CONFIRM or change.reason == "resumed":
            return  # back from the idle warning: as it was
        failed = change.reason == "submit_failed"
        self.message = t("confirm_failed") if failed else ""
        if not failed:
            self.ids.agree.checked = False

    def refresh(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        item = self.session.item
        if item is None or self.session.state is not State.CONFIRM:
            return
        self.title = t("confirm_title")
        steps = self.session.steps
        self.back_button.disabled = steps.index(State.CONFIRM) < 1 or \
            steps[steps.index(State.CONFIRM) - 1] is State.IDENTIFY
        for label, value in summary_rows(self.session):
            box.add_widget(SummaryRow(label=label, value=value))
        self.ids.scroll.scroll_y = 1

    def submit(self) -> None:
        if not self.agreed:
            self.message = t("confirm_need_agree")
            return
        try:
            self.session.confirm(True)
        except InputError as err:
            self.message = explain(err)
        except InvalidTransition:
            self.app.go_home()

    def clear_personal(self) -> None:
        self.ids.rows.clear_widgets()
        self.ids.agree.checked = False
        self.message = ""


# -- the busy-state action -----------------------------------------------------------------------
def _submit(services: Any, action: SubmitDraft) -> None:
    """Commit the draft to the outbox in a worker thread, then tell the session."""
    session = services.session

    def current() -> bool:
        return session.state is State.SUBMITTING and session.action is action

    def done(ok: bool, value: Any) -> None:
        if not current():
            return
        try:
            if ok:
                session.submitted(value.txn_id, value.accepted_at, delivered=False)
            else:
                session.submit_failed()
        except Exception as err:  # never into Kivy; the visit must not stick in SUBMITTING
            log.error("submit report failed: %s", type(err).__name__)
            if current():
                session.submit_failed()

    store = services.store
    if store is None:
        log.error("no store: the transaction cannot be kept")
        mainthread(done)(False, None)  # never inside the caller's frame
        return
    try:
        device_id = services.config.identity.device_id
        now = services.config.now()
    except Exception as err:
        log.error("submit not started: %s", type(err).__name__)
        mainthread(done)(False, err)
        return
    services.in_worker(lambda: store.outbox.submit(action.draft, device_id, now), done, "submit")


ACTION_HANDLERS[SubmitDraft] = _submit

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
