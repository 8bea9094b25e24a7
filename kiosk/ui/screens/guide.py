"""办事指南: the ten guide elements of the chosen item, readable and scrollable.

打印一次性告知单 asks the session to print (GUIDE → GUIDE_PRINT: the app shows ``working``
and the printer prints in a worker thread, see ``services._print_guide``; then back here
with the outcome). 开始办理 starts the flow (GUIDE → IDENTIFY)."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.session import InvalidTransition, State
from kiosk.ui.base import KioskScreen
from kiosk.i18n import DEFAULT
from kiosk.ui.strings import device_names, language, t
from kiosk.ui.widgets.buttons import BigButton


#: ``MaterialRequirement.form_code`` → its text.
FORM_KEYS = {"original": "mat_form_original", "copy": "mat_form_copy",
             "original_and_copy": "mat_form_both"}


class GuideSection(BoxLayout):
    heading = StringProperty("")
    body = StringProperty("")


def guide_sections(item) -> list[tuple[str, str]]:
    """(heading, body) for the ten elements, in the order county standards give them. In a
    language other than Chinese, first the item's summary and a line saying that the long texts
    (the catalog has them in Chinese only) are in Chinese and staff can help; the materials, the
    fees when free and the time limits are in the citizen's language."""
    g = item.guide

    def lines(values: list[str]) -> str:
        # no space after the number: Kivy wraps CJK at spaces, and would strand "1." alone
        return "\n".join(f"{n}.{v}" for n, v in enumerate(values, 1)) if len(values) > 1 else values[0]

    lang = language()

    def material(m) -> str:
        form = t(FORM_KEYS[m.form_code]) if m.form_code else m.form
        text = t("guide_material", name=m.name_for(lang), form=form, copies=m.copies,
                 if_any="" if m.required else t("guide_material_if_any"))
        note = m.note_for(lang)
        return t("label_value", label=text, value=note) if note else text

    def days(n: int) -> str:
        return t("guide_days", n=n, unit=t(f"unit.{tl.unit}", n=n))

    materials = [material(m) for m in item.materials]
    fee = t("guide_fee_basis", fee=g.fees.standard, basis=g.fees.basis) if g.fees.basis else g.fees.standard
    if lang != DEFAULT and not g.fees.charged:
        fee = t("guide_free")
    tl = g.time_limit
    legal = (days(tl.legal_days) if tl.legal_days
             else t("guide_no_legal") if tl.promised_days else t("guide_instant"))
    promised = days(tl.promised_days) if tl.promised_days else t("guide_instant_done")
    venues = [t("guide_venue_phone" if v.phone else "guide_venue", name=v.name, address=v.address,
                phone=v.phone) for v in g.venues]
    about = []
    if lang != DEFAULT:
        summary = item.summary_for(lang)
        about = [(t("guide_about"), "\n".join(filter(None, [summary, t("guide_in_chinese")])))]
    return about + [
        (t("guide_basis"), lines(g.basis)),
        (t("guide_conditions"), lines(g.conditions)),
        (t("guide_materials"), lines(materials) if materials else t("guide_no_materials")),
        (t("guide_venues"), lines(venues)),
        (t("guide_process"), lines(g.process)),
        (t("guide_fees"), fee),
        (t("guide_time_limit"), t("guide_legal", text=legal) + "\n" + t("guide_promised", text=promised)),
        (t("guide_hours"), g.hours),
        (t("guide_consult"), lines(g.consult)),
        (t("guide_supervise"), g.supervise),
    ]


class GuideScreen(KioskScreen):
    message = StringProperty("")

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.print_button = self.keyed(BigButton(kind="secondary"), "print_notice")
        self.print_button.bind(on_release=lambda *_: self.print_notice())
        self.start_button = self.keyed(BigButton(kind="primary"), "start")
        self.start_button.bind(on_release=lambda *_: self.start())
        for button in (self.print_button, self.start_button):
            self.add_action(button)
        self.ids["print_button"], self.ids["start_button"] = self.print_button, self.start_button

    def refresh(self) -> None:
        item = self.session.item
        box = self.ids.sections
        box.clear_widgets()
        if item is None:
            return
        lang = language()
        self.title = item.name_for(lang)
        self.ids.department.text = t("label_value", label=t("guide_department"),
                                     value=item.department_for(lang))
        for heading, body in guide_sections(item):
            box.add_widget(GuideSection(heading=heading, body=body))
        self.ids.scroll.scroll_y = 1
        printer_ok = self.services.devices.available("printer")
        self.print_button.disabled = not printer_ok
        missing = self.services.devices.missing_for(item)
        self.start_button.disabled = bool(missing)
        printed = self.session.guide_print_ok
        if missing:
            self.message = t("unavailable_why", names=device_names(missing))
        elif printed is True:
            self.message = t("printed_ok")
        elif printed is False:
            self.message = t("printed_failed")
        elif not printer_ok:
            self.message = t("printer_down")
        else:
            self.message = ""

    def print_notice(self) -> None:
        if self.session.state is State.GUIDE:
            self.session.print_guide()

    def start(self) -> None:
        try:
            self.session.start()
        except InvalidTransition:
            self.app.go_home()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
