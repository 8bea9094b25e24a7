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
from kiosk.ui.strings import device_names, t
from kiosk.ui.widgets.buttons import BigButton


class GuideSection(BoxLayout):
    heading = StringProperty("")
    body = StringProperty("")


def guide_sections(item) -> list[tuple[str, str]]:
    """(heading, body) for the ten elements, in the order county standards give them."""
    g = item.guide

    def lines(values: list[str]) -> str:
        # no space after the number: Kivy wraps CJK at spaces, and would strand "1." alone
        return "\n".join(f"{n}.{v}" for n, v in enumerate(values, 1)) if len(values) > 1 else values[0]

    def material(m) -> str:
        text = t("guide_material", name=m.name, form=m.form, copies=m.copies,
                 if_any="" if m.required else t("guide_material_if_any"))
        return t("label_value", label=text, value=m.note) if m.note else text

    def days(n: int) -> str:
        return t("guide_days", n=n, unit=t(f"unit.{tl.unit}"))

    materials = [material(m) for m in item.materials]
    fee = t("guide_fee_basis", fee=g.fees.standard, basis=g.fees.basis) if g.fees.basis else g.fees.standard
    tl = g.time_limit
    legal = (days(tl.legal_days) if tl.legal_days
             else t("guide_no_legal") if tl.promised_days else t("guide_instant"))
    promised = days(tl.promised_days) if tl.promised_days else t("guide_instant_done")
    venues = [t("guide_venue_phone" if v.phone else "guide_venue", name=v.name, address=v.address,
                phone=v.phone) for v in g.venues]
    return [
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
        self.title = item.name
        self.ids.department.text = t("label_value", label=t("guide_department"), value=item.department)
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
