"""ID card readings and QR identities become ``wire.Applicant``, eligibility facts and
form prefills; bad readings are refused without quoting them."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.idcard.card import IdCard
from kiosk.i18n import explain
from kiosk.session import InputError, QrIdentity, applicant_from, prefill
from tests.kiosk.session.builders import ADDRESS, ID_NUMBER, NAME, card, make_item, qr


def id_card(card_type: str = "resident", **changes) -> IdCard:
    data = dict(card_type=card_type, name=NAME, gender="男", birth=date(1940, 3, 5),
                id_number=ID_NUMBER, valid_from=date(2015, 1, 1), valid_to="长期",
                address=ADDRESS, nation="汉", authority="郑州市公安局二七分局", photo=b"WLT" * 100)
    data.update(changes)
    return IdCard(**data)


@pytest.mark.parametrize("card_type,id_type", [
    ("resident", "resident"), ("hmt_residence", "hmt_residence"),
    ("foreign_permanent", "foreign_permanent"), ("foreign_permanent_2023", "foreign_permanent")])
def test_card_types_map_to_the_contracts_id_types(card_type: str, id_type: str) -> None:
    applicant, facts = applicant_from(id_card(card_type))
    assert applicant.id_type == id_type
    assert facts.card_type == card_type  # eligibility sees the card as read


def test_driver_card_and_its_json_form_give_the_same_applicant() -> None:
    read = id_card(valid_to=date(2035, 1, 1))
    from_card, facts = applicant_from(read)
    from_json, _ = applicant_from(read.to_dict())
    assert from_card == from_json
    assert from_card.model_dump() == {
        "id_type": "resident", "id_number": ID_NUMBER, "name": NAME, "gender": "男",
        "nation": "汉", "birth": date(1940, 3, 5), "address": ADDRESS,
        "authority": "郑州市公安局二七分局", "valid_from": date(2015, 1, 1),
        "valid_to": date(2035, 1, 1), "phone": ""}
    assert (facts.birth, facts.valid_to, facts.id_number) == (date(1940, 3, 5), date(2035, 1, 1), ID_NUMBER)


def test_foreign_card_without_nation_or_address() -> None:
    applicant, _ = applicant_from(id_card("foreign_permanent", nation=None, address="",
                                          name="JOHN SMITH", id_number="USA110079060101"))
    assert (applicant.nation, applicant.address, applicant.valid_to) == ("", "", "长期")


def test_qr_identity() -> None:
    applicant, facts = applicant_from(qr(valid_to=date(2030, 5, 1)))
    assert applicant.name == NAME and facts.valid_to == date(2030, 5, 1)
    assert "7f3a9c" not in repr(qr()) and NAME not in repr(qr())


@pytest.mark.parametrize("changes,code", [
    ({"card_type": "passport"}, "unknown_card_type"),
    ({"birth": None}, "bad_card"),
    ({"birth": "1940-13-45"}, "bad_card"),
    ({"gender": "未知"}, "bad_card"),
    ({"name": ""}, "bad_card"),
    ({"valid_to": "someday"}, "bad_card"),
])
def test_bad_readings_are_refused_without_quoting_them(changes: dict, code: str) -> None:
    with pytest.raises(InputError) as err:
        applicant_from(card(**changes))
    assert err.value.code == code
    text = (f"{err.value} {err.value!r} {err.value.params} {explain(err.value, 'zh')} "
            f"{explain(err.value, 'en')} {err.value.__cause__!r} {err.value.__context__!r}")
    assert NAME not in text and ID_NUMBER not in text


def test_prefill_by_each_fields_prefill() -> None:
    item = make_item(fields=[
        {"name": "applicant", "label": "申请人", "type": "text", "prefill": "name"},
        {"name": "born", "label": "出生日期", "type": "date", "prefill": "birth"},
        {"name": "sex", "label": "性别", "type": "choice", "options": ["男", "女"], "prefill": "gender"},
        {"name": "nation", "label": "民族", "type": "text", "prefill": "nation", "required": False},
        {"name": "phone", "label": "联系电话", "type": "phone"},
    ])
    applicant, _ = applicant_from(card(nation=""))
    assert prefill(item, applicant) == {"applicant": NAME, "born": "1940-03-05", "sex": "男"}


def test_qr_identity_is_a_plain_dataclass() -> None:
    token = QrIdentity("T", "resident", NAME, "女", date(2000, 1, 1), ID_NUMBER)
    assert applicant_from(token)[0].gender == "女"
