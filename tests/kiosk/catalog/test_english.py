"""The catalog in English: the overlay is read, falls back to Chinese, is checked like the rest
of the catalog, is complete for every shipped item, and search finds items by English words.
The values a citizen submits stay the catalog's Chinese options."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from kiosk.catalog.forms import FieldError, validate
from kiosk.catalog.loader import CatalogError, catalog_payload, load_shipped, parse_catalog
from kiosk.catalog.model import Item

from .samples import shipped_item_dict

CATALOG = load_shipped()
ITEMS = {item.code: item for item in CATALOG.items}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: English texts that may hold Chinese, and why.
CHINESE_ALLOWED = {
    ("zz-fwzlba", "cert_number"): "the example is the certificate number as it is printed",
}


def _field(item: Item, name: str):
    return next(f for f in item.fields if f.name == name)


def _material(item: Item, code: str):
    return next(m for m in item.materials if m.code == code)


def test_the_overlay_is_read_in_english_and_chinese_stays_chinese() -> None:
    item = ITEMS["zz-cjrlxbt"]
    assert item.name_for("en") == "Disability allowances (living and care)"
    assert item.name_for("zh") == item.name == "残疾人两项补贴申请"
    assert item.category_for("en") == "Disability services" and item.category_for("zh") == "残疾人服务"
    assert item.department_for("en") == "Erqi District Civil Affairs Bureau"
    assert item.summary_for("en").startswith("A living allowance") and item.summary_for("zh") == item.summary
    level = _field(item, "disability_level")
    assert level.label_for("en") == "Grade of disability" and level.label_for("zh") == "残疾等级"
    assert level.option_captions("en") == ["Grade 1", "Grade 2", "Grade 3", "Grade 4"]
    assert level.option_captions("zh") == level.options == ["一级", "二级", "三级", "四级"]
    assert level.caption_for("二级", "en") == "Grade 2" and level.caption_for("二级", "zh") == "二级"
    assert level.caption_for("五级", "en") == "五级"  # not an option: shown as it is
    cert = _field(item, "disability_cert")
    assert cert.help_for("en").startswith("Second-generation") and cert.help_for("zh").startswith("第二代")
    income = _material(item, "low-income-cert")
    assert income.name_for("en") == "Dibao certificate or low-income household certificate"
    assert income.note_for("en") == "If you apply for the living allowance" and income.note_for("zh") == income.note
    assert ITEMS["zz-gljt"].notice_for("en").startswith("Zhengzhou residents may apply")
    assert ITEMS["zz-gljt"].notice_for("zh") == ITEMS["zz-gljt"].eligibility.notice
    assert CATALOG.category_for("养老服务", "en") == "Elderly care"
    assert CATALOG.category_for("养老服务", "zh") == "养老服务"
    assert CATALOG.category_for("没有的类别", "en") == "没有的类别"


def test_without_an_overlay_everything_is_chinese() -> None:
    data = shipped_item_dict("zz-gljt")
    data.pop("en")
    for field in data["fields"]:
        field.pop("en")
    data["materials"][0].pop("en")
    data["materials"][1]["en"] = {"name": "Bank card"}  # a partial overlay: no note
    item = Item.model_validate(data)
    assert item.name_for("en") == "高龄津贴申领" and item.category_for("en") == "养老服务"
    assert item.summary_for("en") == item.summary and item.notice_for("en") == item.eligibility.notice
    street = _field(item, "street")
    assert street.label_for("en") == "所在街道（乡镇）" and street.option_captions("en") == street.options
    assert street.help_for("en") == street.help
    assert item.materials[0].name_for("en") == item.materials[0].name
    assert item.materials[1].name_for("en") == "Bank card"
    assert item.materials[1].note_for("en") == item.materials[1].note  # no English note: the Chinese
    assert ITEMS["zz-gljt"].name_for("fr") == "高龄津贴申领"  # no overlay in that language


def test_an_english_text_whose_chinese_was_dropped_is_not_shown() -> None:
    data = shipped_item_dict("zz-gljt")
    data["materials"][1]["note"] = ""  # the county dropped the note, not its English
    data["eligibility"]["notice"] = ""
    item = Item.model_validate(data)
    assert item.materials[1].note_for("en") == "" and item.notice_for("en") == ""


def _with_item(code: str, change) -> dict[str, Any]:
    data = copy.deepcopy(catalog_payload(CATALOG))
    item = next(i for i in data["items"] if i["code"] == code)
    change(item)
    return data


def _en(item: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in item["fields"] if f["name"] == name)["en"]


@pytest.mark.parametrize("change, message", [
    (lambda i: _en(i, "disability_level")["options"].pop(), r"item zz-cjrlxbt: field disability_level: en.options has 3 captions for 4"),
    (lambda i: _en(i, "disability_level")["options"].append("Grade 5"), r"item zz-cjrlxbt: .* has 5 captions for 4"),
    (lambda i: _en(i, "disability_level").update(options=["A", "A", "B", "C"]), r"item zz-cjrlxbt: .*repeats"),
    (lambda i: _en(i, "disability_level").update(options=["A", " ", "B", "C"]), r"item zz-cjrlxbt: .*empty caption"),
    (lambda i: _en(i, "phone").update(options=["Mobile", "Landline"]), r"item zz-cjrlxbt: field phone: en.options has 2 captions for 0"),
    (lambda i: _en(i, "phone").update(colour="red"), r"colour"),
    (lambda i: _en(i, "phone").update(label=""), r"label"),
    (lambda i: i["en"].pop("name"), r"en.name"),
    (lambda i: i["materials"][0]["en"].update(name="x" * 101), r"name"),
    (lambda i: i["en"].update(keywords="disability"), r"keywords"),
])
def test_a_bad_overlay_is_a_catalog_error_naming_the_item(change, message) -> None:
    code = "zz-cjrlxbt"
    with pytest.raises(CatalogError, match=message) as caught:
        parse_catalog(_with_item(code, change))
    assert "\n" not in str(caught.value)


def test_the_english_of_one_category_must_agree_across_items() -> None:
    data = _with_item("zz-lnrydz", lambda i: i["en"].update(category="Seniors"))  # 养老服务, like 高龄津贴
    with pytest.raises(CatalogError, match="zz-lnrydz: category 养老服务 is 'Elderly care'"):
        parse_catalog(data)


def test_the_overlay_goes_over_the_wire_and_back() -> None:
    wire = catalog_payload(CATALOG)
    first = next(i for i in wire["items"] if i["code"] == "zz-cjrlxbt")
    assert first["en"]["name"] == "Disability allowances (living and care)"
    assert first["fields"][0]["en"]["options"][2] == "Both allowances"
    assert parse_catalog(wire) == CATALOG


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_every_shipped_item_has_a_complete_english_overlay(code: str) -> None:
    """A new item, field, option, material or note without its English fails here."""
    item = ITEMS[code]
    en = item.en
    assert en is not None, "the item has no English"
    assert en.name and en.category and en.department and en.keywords
    assert bool(en.summary) == bool(item.summary) and bool(en.notice) == bool(item.eligibility.notice)
    texts = {"name": en.name, "category": en.category, "department": en.department,
             "summary": en.summary, "notice": en.notice, "keywords": " ".join(en.keywords)}
    for field in item.fields:
        assert field.en is not None, f"field {field.name} has no English"
        assert len(field.en.options) == len(field.options), f"field {field.name}: captions"
        assert bool(field.en.help) == bool(field.help), f"field {field.name}: help"
        texts[field.name] = " ".join([field.en.label, field.en.help, *field.en.options])
    for material in item.materials:
        assert material.en is not None, f"material {material.code} has no English"
        assert bool(material.en.note) == bool(material.note), f"material {material.code}: note"
        texts[material.code] = material.en.name + " " + material.en.note
    chinese = {key for key, text in texts.items() if CJK.search(text)}
    assert chinese <= {key for c, key in CHINESE_ALLOWED if c == code}, chinese


def test_search_finds_items_by_english_or_chinese_words() -> None:
    def codes(query: str) -> list[str]:
        return [item.code for item in CATALOG.search(query)]

    assert set(codes("disability")) == {"zz-cjrlxbt", "zz-yysmdb"}  # the allowance, and home visits for it
    assert "zz-cjrlxbt" in codes("Disability allowance")
    assert codes("old-age allowance")[0] == "zz-gljt"
    assert codes("LEASE") == ["zz-fwzlba"]
    assert "zz-ydjyba" in codes("hospital")
    assert "zz-gljt" in codes("高龄") and "zz-fwzlba" in codes("租房")
    assert codes("lease pension") == []  # every word must match
    assert codes("") == [] and codes("   ") == []


def test_the_value_submitted_is_the_chinese_option_not_the_caption() -> None:
    field = _field(ITEMS["zz-fwzlba"], "role")
    caption = field.option_captions("en")[1]
    assert caption == "Tenant"
    assert validate(field, field.options[1]) == "承租人"
    with pytest.raises(FieldError):
        validate(field, caption)
