"""The catalog in English, tapped through: catalog → guide → form → materials for 房屋租赁登记备案.
Names, categories, the guide's summary and materials, the form's labels, captions and help, the
materials' names and notes and the summary's rows are the catalog's English; the values the
session keeps (and the county gets) are the catalog's Chinese options."""

from __future__ import annotations

import re

from drivers.idcard import samples
from kiosk import i18n
from kiosk.session import State
from kiosk.ui.screens.confirm import summary_rows

from .test_screen_form import GOOD_PHONE, tap_in_view, type_keys

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
NAME = "Lease registration (rented property)"


def _chinese(texts) -> list[str]:
    return [t for t in texts if CJK.search(t)]


def _english_catalog(kiosk):
    kiosk.tap(kiosk.screen.ids.language_button)
    kiosk.idle()
    assert i18n.language() == "en"
    kiosk.tap(kiosk.screen.ids.tile_apply)
    assert kiosk.screen_name == "catalog"
    return kiosk.screen


def test_a_form_in_english_submits_the_catalogs_chinese_values(kiosk):
    catalog = _english_catalog(kiosk)
    buttons = catalog.category_buttons
    assert buttons["住房保障"].text == "Housing" and buttons["养老服务"].text == "Elderly care"
    assert _chinese(b.text for b in buttons.values()) == []
    assert _chinese(t for tile in catalog.item_tiles.values() for t in (tile.title, tile.subtitle)) == []
    kiosk.tap(buttons["住房保障"])  # the filter is still the catalog's category
    assert list(catalog.item_tiles) == ["zz-fwzlba"]
    tile = catalog.item_tiles["zz-fwzlba"]
    assert tile.title == NAME and tile.subtitle.startswith("Housing · ")
    kiosk.tap(tile)

    assert kiosk.session.state is State.GUIDE
    guide = kiosk.screen
    assert guide.title == NAME
    assert guide.ids.department.text.endswith("Erqi District Housing Security and Real Estate Bureau")
    sections = {s.heading: s.body for s in guide.ids.sections.children}
    about = sections["About this service"]
    assert about.startswith("The landlord or tenant registers the lease") and "in Chinese only" in about
    assert "Lease contract (original" in sections["What to bring"]
    assert "Letter of authorisation" in sections["What to bring"] and sections["Fees"] == "Free of charge"
    assert _chinese([about, sections["What to bring"], sections["Fees"]]) == []
    kiosk.tap(guide.start_button)
    assert kiosk.session.state is State.IDENTIFY and kiosk.screen.title == NAME
    kiosk.session.identified_by_card(samples.LI_XIAOMING)  # as the identify screen hands it on
    kiosk.idle(3)

    assert kiosk.session.state is State.FORM
    form = kiosk.screen
    assert form.title.endswith(NAME)
    role, use = form.rows["role"], form.rows["use"]
    assert role.label_text == "*Applying as"
    assert {value: chip.text for value, chip in role.chips.items()} == {"出租人": "Landlord", "承租人": "Tenant"}
    assert [use.chips[v].text for v in ("居住", "商业", "办公", "其他")] == [
        "Home", "Shop or business", "Office", "Other"]
    assert form.rows["house_address"].note.startswith("Building, unit and door number")
    assert "Other party's name or organisation" in form.rows["other_name"].label_text
    labels = [row.label_text for row in form.rows.values()]
    notes = [row.note for name, row in form.rows.items() if name != "cert_number"]  # its example is Chinese
    assert _chinese(labels + notes) == []

    kiosk.tap(form.rows["role"].chips["承租人"])  # the citizen taps "Tenant"
    tap_in_view(kiosk, form, form.rows["house_address"].chips[samples.LI_XIAOMING.address])
    type_keys(kiosk, form, "area", "85")
    assert form.active_label == "Filling in: Rented area (square metres)"
    type_keys(kiosk, form, "rent", "2300")
    tap_in_view(kiosk, form, use.chips["居住"])  # "Home"
    type_keys(kiosk, form, "start_date", "20261201")
    type_keys(kiosk, form, "end_date", "20271130")
    form.set_text("other_name", "张建国")
    type_keys(kiosk, form, "phone", GOOD_PHONE)
    kiosk.tap(form.ids.next_button)

    assert kiosk.session.state is State.MATERIALS
    values = dict(kiosk.session.form_values)
    assert values["role"] == "承租人" and values["use"] == "居住"  # what the county expects
    materials = kiosk.screen
    assert materials.title.endswith(NAME)
    assert materials.heading == "Please photograph: Lease contract"
    assert materials.note.startswith("Signed (or sealed) by both parties; photograph every page")
    assert materials.rows["proxy"].name_text == "Letter of authorisation (optional)"
    assert _chinese([row.name_text for row in materials.rows.values()] + [materials.heading]) == []

    rows = dict(summary_rows(kiosk.session))  # what the confirm screen will list
    assert rows["Service"] == NAME
    assert rows["Applying as"] == "Tenant" and rows["Use of the property"] == "Home"
    assert rows["Monthly rent (yuan)"] == "2300"


def test_the_catalog_in_chinese_is_unchanged(kiosk):
    kiosk.tap(kiosk.screen.ids.tile_apply)
    catalog = kiosk.screen
    assert catalog.category_buttons["住房保障"].text == "住房保障"
    kiosk.tap(catalog.category_buttons["住房保障"])
    assert catalog.item_tiles["zz-fwzlba"].title == "房屋租赁登记备案"
    kiosk.tap(catalog.item_tiles["zz-fwzlba"])
    assert kiosk.screen_name == "guide"
    headings = [s.heading for s in kiosk.screen.ids.sections.children]
    assert "事项简介" not in headings and kiosk.screen.title == "房屋租赁登记备案"
    materials = next(s.body for s in kiosk.screen.ids.sections.children if s.heading == "申请材料")
    assert "房屋租赁合同（原件" in materials
