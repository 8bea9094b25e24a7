"""Form checks on tables: every field type with good and bad values, prefill from the card."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from kiosk.catalog.forms import FieldError, FormErrors, check_digit, prefill, validate, validate_all
from kiosk.catalog.model import FormField
from kiosk.i18n import explain
from tests.kiosk.catalog.samples import make_item, person_id


def field(type_: str, **kw: Any) -> FormField:
    return FormField(name="f", label=kw.pop("label", "项目"), type=type_, **kw)


GOOD = [
    (field("text"), "  王秀英 ", "王秀英"),
    (field("text"), "ＡＢＣ１２３", "ABC123"),  # full-width becomes half-width
    (field("text", pattern=r"\d{16,19}"), "6222021702012345678", "6222021702012345678"),
    (field("text", min_length=2, max_length=4), "二七", "二七"),
    (field("number"), "12", 12),
    (field("number"), "１２.５", 12.5),
    (field("number"), 3, 3),
    (field("number"), 2.0, 2),
    (field("number"), "1,200", 1200),
    (field("number", minimum=0.5, maximum=2000), "0.5", 0.5),
    (field("number", minimum=0.5, maximum=2000), 2000, 2000),
    (field("phone"), "13800138000", "13800138000"),
    (field("phone"), "138 0013 8000", "13800138000"),
    (field("phone"), "+86 138-0013-8000", "13800138000"),
    (field("phone"), "0371-68665010", "0371-68665010"),
    (field("phone"), "037168665010", "0371-68665010"),
    (field("phone"), "(0371)68665010", "0371-68665010"),
    (field("phone"), "010-62345678", "010-62345678"),
    (field("phone"), "0371-6866501-801", "0371-6866501-801"),
    (field("date"), "2026-01-31", "2026-01-31"),
    (field("date"), "2026/1/5", "2026-01-05"),
    (field("date"), "2024年2月29日", "2024-02-29"),
    (field("date"), date(2026, 3, 1), "2026-03-01"),
    (field("date"), datetime(2026, 3, 1, 9, 30), "2026-03-01"),
    (field("choice", options=["是", "否"]), "否", "否"),
    (field("choice", options=["是", "否"]), " 是 ", "是"),
    (field("id_number"), "11010519491231002x", "11010519491231002X"),
    (field("id_number"), "110105 19491231 002X", "11010519491231002X"),
    (field("id_number"), person_id(), person_id()),
    (field("address"), "郑州市二七区大学路 88号  3单元", "郑州市二七区大学路 88号 3单元"),
]


@pytest.mark.parametrize("f, value, clean", GOOD)
def test_good_values(f: FormField, value: Any, clean: Any) -> None:
    assert validate(f, value) == clean
    assert type(validate(f, value)) is type(clean)


BAD = [
    (field("text"), "", "required"),
    (field("text"), "   ", "required"),
    (field("text"), None, "required"),
    (field("text"), 12, "bad_type"),
    (field("text"), "王\x00秀英", "bad_chars"),
    (field("text"), "王\u202e秀英", "bad_chars"),
    (field("text", min_length=2), "王", "too_short"),
    (field("text", max_length=3), "王秀英英", "too_long"),
    (field("text", pattern=r"\d{16,19}"), "6222-0217", "pattern"),
    (field("number"), "十二", "not_number"),
    (field("number"), "1e5", "not_number"),
    (field("number"), True, "not_number"),
    (field("number"), float("nan"), "not_number"),
    (field("number"), float("inf"), "not_number"),
    (field("number"), "nan", "not_number"),
    (field("number"), [1], "not_number"),
    (field("number", minimum=0.5), "0.4", "too_small"),
    (field("number", maximum=2000), "2000.01", "too_large"),
    (field("phone"), "1380013800", "bad_phone"),  # ten digits
    (field("phone"), "12800138000", "bad_phone"),  # no 12x mobiles
    (field("phone"), "138001380001", "bad_phone"),
    (field("phone"), "68665010", "bad_phone"),  # a landline needs its area code
    (field("phone"), "0371-0866501", "bad_phone"),
    (field("phone"), "12345", "bad_phone"),
    (field("date"), "2026-02-29", "bad_date"),
    (field("date"), "2026-13-01", "bad_date"),
    (field("date"), "明天", "bad_date"),
    (field("date"), "26-1-1", "bad_date"),
    (field("date"), "1850-01-01", "bad_date"),
    (field("choice", options=["是", "否"]), "也许", "bad_choice"),
    (field("choice", options=["是", "否"]), "", "required"),
    (field("id_number"), "110105194912310021", "bad_id_checksum"),
    (field("id_number"), "11010519491231002", "bad_id_length"),
    (field("id_number"), "1101051949123100211", "bad_id_length"),
    (field("id_number"), "11010519491331002X", "bad_id_number"),  # month 13
    (field("id_number"), "110105202302290011", "bad_id_number"),  # 29 Feb in a common year
    (field("id_number"), "01010519491231002X", "bad_id_number"),
    (field("address"), "大学路", "too_short"),
    (field("address"), "Road 88, No 1", "bad_address"),
]


@pytest.mark.parametrize("f, value, code", BAD)
def test_bad_values(f: FormField, value: Any, code: str) -> None:
    with pytest.raises(FieldError) as caught:
        validate(f, value)
    err = caught.value
    assert err.code == code and err.field == "f"
    text = explain(err, "zh")
    assert text.endswith("。") and not any(c.isascii() and c.isalpha() for c in text.replace("X", ""))
    english = explain(err, "en")  # the label is the catalog's Chinese: these fields have no English
    assert english.endswith(".") and english.replace("“项目”", "").replace("项目", "").isascii()
    assert "err." not in text + english and text != english
    assert str(value) not in repr(err) or str(value) in ("", "None")


def test_the_texts_name_the_label_and_say_what_to_do() -> None:
    with pytest.raises(FieldError) as caught:
        validate(field("phone", label="联系电话"), "123")
    text = explain(caught.value, "zh")
    assert "联系电话" in text and "0371-12345678" in text
    with pytest.raises(FieldError) as caught:
        validate(field("choice", label="领取方式", options=["是", "否"]), None)
    assert explain(caught.value, "zh") == "请选择“领取方式”。"
    assert explain(caught.value, "en") == 'Please choose "领取方式".'
    with pytest.raises(FieldError) as caught:
        validate(field("number", label="面积", minimum=0.5), 0)
    assert explain(caught.value, "zh") == "“面积”不能小于0.5。"
    assert explain(caught.value, "en") == '"面积" can\'t be less than 0.5.'


def test_an_empty_optional_field_is_none() -> None:
    assert validate(field("phone", required=False), "") is None
    assert validate(field("id_number", required=False), None) is None


def test_check_digit_of_the_standard_example() -> None:
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


ITEM = make_item("zz-gljt")


def test_validate_all_gives_the_clean_form_without_empty_optionals() -> None:
    values = {"address": "河南省郑州市二七区大学路88号", "street": "五里堡街道", "community": "五里堡社区", "pension_insured": "是",
              "pay_method": "社会保障卡金融账户", "bank_name": "", "phone": "138 0013 8000"}
    assert validate_all(ITEM, values) == {
        "address": "河南省郑州市二七区大学路88号", "street": "五里堡街道", "community": "五里堡社区", "pension_insured": "是",
        "pay_method": "社会保障卡金融账户", "phone": "13800138000"}


def test_validate_all_names_every_problem() -> None:
    values = {"address": "短", "pension_insured": "不知道", "bank_account": "123", "phone": "1",
              "shoe_size": "42"}
    with pytest.raises(FormErrors) as caught:
        validate_all(ITEM, values)
    errors = caught.value.errors
    assert {k: e.code for k, e in errors.items()} == {
        "address": "too_short", "street": "required", "pension_insured": "bad_choice",
        "pay_method": "required", "bank_account": "too_short", "phone": "bad_phone",
        "shoe_size": "unknown_field"}
    assert "13800" not in str(caught.value)


def test_prefill_from_the_card() -> None:
    item = make_item("zz-gljt", fields=[
        {"name": "address", "label": "户籍地址", "type": "address", "prefill": "address"},
        {"name": "applicant_name", "label": "姓名", "type": "text", "prefill": "name"},
        {"name": "birth", "label": "出生日期", "type": "date", "prefill": "birth"},
        {"name": "gender", "label": "性别", "type": "choice", "options": ["男", "女"], "prefill": "gender"},
        {"name": "nation", "label": "民族", "type": "choice", "options": ["汉", "回"], "prefill": "nation"},
        {"name": "id_no", "label": "身份证号", "type": "id_number", "prefill": "id_number"},
        {"name": "phone", "label": "联系电话", "type": "phone"},
    ])
    card = {"name": "王秀英", "gender": "女", "nation": "满", "birth": date(1945, 3, 8),
            "address": "河南省郑州市二七区大学路88号", "id_number": person_id().lower()}
    assert prefill(item, card) == {
        "address": "河南省郑州市二七区大学路88号", "applicant_name": "王秀英", "birth": "1945-03-08",
        "gender": "女", "id_no": person_id()}  # 满 is not among the choices: left for the citizen


def test_prefill_skips_what_the_card_lacks_or_gets_wrong() -> None:
    assert prefill(ITEM, {}) == {}
    assert prefill(ITEM, {"address": ""}) == {}
    assert prefill(ITEM, {"address": "x"}) == {}


def test_every_shipped_prefill_field_accepts_a_real_card() -> None:
    from kiosk.catalog.loader import load_shipped

    card = {"name": "王秀英", "gender": "女", "nation": "汉", "birth": "1945-03-08",
            "address": "河南省郑州市二七区大学路88号院3号楼2单元501号", "id_number": person_id()}
    for item in load_shipped().items:
        wanted = {f.name for f in item.fields if f.prefill}
        assert set(prefill(item, card)) == wanted, item.code
