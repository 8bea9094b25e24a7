"""Errors become the citizen's words once, at the boundary (``kiosk.i18n.explain``), in Chinese
or in English: the form checks, eligibility and the session raise codes and params, never text.

Each error is raised through its real path (a bad form value through ``kiosk.catalog.forms``,
a too-young applicant through ``kiosk.catalog.eligibility`` and the session, a bad receipt
number through the session); the catalog's own words (a field's label, an item's or a
material's name) come in English from the catalog's overlay when it has one. Also: English
plurals (``<key>.one`` with ``n=1``), and an unknown error is the generic text, never a code.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from kiosk import i18n
from kiosk.catalog.eligibility import ApplicantFacts, check
from kiosk.catalog.forms import FieldError, FormErrors, validate, validate_all
from kiosk.catalog.model import FormField
from kiosk.i18n import explain, tr
from kiosk.session import InputError, InvalidTransition, Session, State
from tests.kiosk.catalog.samples import make_item as shipped, person_id
from tests.kiosk.session.builders import FakeClock, card, drive_to, make_item, new_session

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
TODAY = date(2026, 11, 23)
PHONE = FormField(name="phone", label="联系电话", type="phone", en={"label": "Phone number"})


def _raised(f: FormField, value: object) -> FieldError:
    with pytest.raises(FieldError) as caught:
        validate(f, value)
    return caught.value


@pytest.fixture
def english():
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT)


# -- the form -------------------------------------------------------------------------------
def test_a_bad_phone_in_chinese_and_in_english_with_the_fields_english_label():
    err = _raised(PHONE, "12345")
    assert err.code == "bad_phone" and err.field == "phone"
    assert explain(err, "zh") == "“联系电话”请填写11位手机号码，或带区号的固定电话（如0371-12345678）。"
    english = explain(err, "en")
    assert english == ('For "Phone number", please enter an 11-digit mobile number, or a landline '
                       "with its area code (like 0371-12345678).")
    assert "12345." not in repr(err) and "12345" not in str(err.params)  # the value is not kept


def test_the_current_language_is_the_default(english):
    err = _raised(PHONE, None)
    assert explain(err) == 'Please fill in "Phone number".'
    assert explain(err, "zh") == "请填写“联系电话”。"


def test_a_field_without_english_keeps_its_chinese_label_in_an_english_sentence():
    err = _raised(FormField(name="area", label="面积", type="number", maximum=200), "300")
    assert explain(err, "en") == '"面积" can\'t be more than 200.'
    assert explain(err, "zh") == "“面积”不能大于200。"


def test_variants_a_choice_is_chosen_and_a_pattern_names_its_help():
    choice = FormField(name="way", label="领取方式", type="choice", options=["自取", "邮寄"],
                       en={"label": "How to collect", "options": ["In person", "By post"]})
    err = _raised(choice, "")
    assert err.code == "required" and explain(err, "en") == 'Please choose "How to collect".'
    assert explain(err, "zh") == "请选择“领取方式”。"
    account = FormField(name="account", label="银行账号", type="text", pattern=r"\d{16,19}",
                        help="16到19位数字", en={"label": "Bank account", "help": "16 to 19 digits"})
    err = _raised(account, "6222-0217")
    assert err.code == "pattern"
    assert explain(err, "zh") == "“银行账号”的格式不对，请核对后重新填写（16到19位数字）。"
    assert explain(err, "en").endswith("fill it in again (16 to 19 digits).")
    err = _raised(FormField(name="d", label="出生日期", type="date"), "1850-01-01")
    assert err.code == "bad_date" and explain(err, "zh") == "“出生日期”的年份不对，请核对。"


def test_every_field_of_a_form_explained_in_english_has_no_chinese():
    item = shipped("zz-gljt")
    with pytest.raises(FormErrors) as caught:
        validate_all(item, {f.name: "\x00" for f in item.fields} | {"stray": "x"})
    for name, err in caught.value.errors.items():
        text = explain(err, "en")
        assert text and not CJK.search(text), (name, text)
        assert CJK.search(explain(err, "zh"))


# -- eligibility ----------------------------------------------------------------------------
def test_too_young_and_expired_in_both_languages_with_the_items_english_name():
    item = shipped("zz-gljt", eligibility={"min_age": 80, "card_types": ["resident"],
                                           "notice": "可拨打12345咨询。"})
    facts = ApplicantFacts("hmt_residence", date(1990, 5, 1), date(2020, 1, 1), person_id("810000"))
    problems = check(item, facts, TODAY)
    assert [p.code for p in problems] == ["wrong_card_type", "card_expired", "too_young"]
    zh = [explain(p, "zh") for p in problems]
    assert zh[0].startswith(f"“{item.name}”需要使用居民身份证办理")
    assert zh[1].startswith("您的证件有效期到2020年01月01日，已经过期了。")
    assert zh[2] == f"“{item.name}”需要年满80周岁才能申请，您目前还不满足这个条件。可拨打12345咨询。"
    en = [explain(p, "en") for p in problems]
    name = item.name_for("en")
    assert name != item.name and not CJK.search(name)
    assert en[0].startswith(f'"{name}" can only be done with: resident ID card.')
    assert en[1].startswith("Your ID card was valid until 1 Jan 2020 and has expired.")
    assert en[2].startswith(f'"{name}" is for people aged 80 or over')
    assert en[2].endswith(item.notice_for("en"))  # the notice's own English from the catalog


def test_accepted_cards_are_named_once_each_in_the_language():
    item = shipped("zz-jysydj", eligibility={"card_types": ["foreign_permanent", "foreign_permanent_2023",
                                                            "hmt_residence"]})
    [problem] = check(item, ApplicantFacts("resident", date(1980, 1, 1), "长期", person_id()), TODAY)
    assert "needs" not in explain(problem, "en")
    assert ("can only be done with: foreign permanent resident ID card, residence permit for Hong "
            "Kong, Macao and Taiwan residents.") in explain(problem, "en")
    assert "需要使用外国人永久居留身份证、港澳台居民居住证办理" in explain(problem, "zh")


def test_an_ineligible_visit_through_the_session_is_explained_in_english():
    clock = FakeClock()
    s = Session(monotonic=clock.monotonic, wall=clock.now)
    s.choose(shipped("zz-gljt"))
    s.start()
    s.identified_by_card(card(birth="1990-06-01"))
    assert s.state is State.INELIGIBLE
    [problem] = s.problems
    assert problem.code == "too_young" and "1990" not in repr(problem)
    assert not CJK.search(explain(problem, "en")) and "80周岁" in explain(problem, "zh")


# -- the session ----------------------------------------------------------------------------
def test_a_bad_receipt_number_through_the_session():
    s = drive_to(State.PROGRESS_QUERY)
    with pytest.raises(InputError) as caught:
        s.progress_by_number("hello")
    err = caught.value
    assert err.code == "bad_number" and s.state is State.PROGRESS_QUERY
    assert explain(err, "zh") == "这不是有效的受理编号，请核对回执上的编号。"
    assert explain(err, "en") == ("That is not a valid receipt number. Please check the number "
                                  "on your receipt.")


def test_missing_materials_are_named_in_the_language_joined_its_way():
    item = make_item(face_photo=False, signature=False, fields=[], materials=[
        {"code": "hukou", "name": "户口簿", "en": {"name": "Household register"}},
        {"code": "lease", "name": "租赁合同", "en": {"name": "Tenancy agreement"}}])
    s = new_session()
    s.choose(item)
    s.start()
    s.identified_by_card(card())
    assert s.state is State.MATERIALS
    with pytest.raises(InputError) as caught:
        s.materials_done()
    assert explain(caught.value, "zh") == "还需要拍摄：户口簿、租赁合同。"
    assert explain(caught.value, "en") == "Still to photograph: Household register, Tenancy agreement."


def test_a_step_not_allowed_now():
    s = drive_to(State.HOME)
    with pytest.raises(InvalidTransition) as caught:
        s.confirm(True)
    assert explain(caught.value, "zh") == "当前步骤不能进行此操作。"
    assert explain(caught.value, "en") == "That can't be done at this step."


@pytest.mark.parametrize("err", [InputError("no_such_code"), ValueError("boom"), object(),
                                 InputError("material_full")])  # the last lacks its {name}
def test_an_unknown_or_broken_error_is_the_generic_text_never_a_code(err):
    for lang in ("zh", "en"):
        text = explain(err, lang)
        assert text == tr("error_generic", lang)
        assert "no_such_code" not in text and "err." not in text and "{" not in text


# -- plurals --------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["idle_body", "form_fix_errors"])
def test_english_says_one_thing_and_two_things(key):
    one, two = tr(key, "en", n=1), tr(key, "en", n=2)
    assert "1" in one and "2" in two and one != two.replace("2", "1")
    assert tr(key, "zh", n=1) == tr(key, "zh", n=2).replace("2", "1")  # Chinese has no plural


def test_days_in_english_and_chinese():
    def days(n: int, lang: str) -> str:
        return tr("promised_days", lang, n=n, unit=tr("unit.工作日", lang, n=n))

    assert days(1, "en") == "Done within 1 working day"
    assert days(2, "en") == "Done within 2 working days"
    assert tr("guide_days", "en", n=1, unit=tr("unit.自然日", "en", n=1)) == "1 day"
    assert days(1, "zh") == "承诺1个工作日办结" and days(2, "zh") == "承诺2个工作日办结"


def test_a_field_allowing_one_character():
    err = _raised(FormField(name="x", label="单位", type="text", max_length=1,
                            en={"label": "Unit"}), "ab")
    assert explain(err, "en") == '"Unit" can have at most 1 character. Please shorten it.'
    err = _raised(FormField(name="x", label="单位", type="text", max_length=2,
                            en={"label": "Unit"}), "abc")
    assert explain(err, "en") == '"Unit" can have at most 2 characters. Please shorten it.'
