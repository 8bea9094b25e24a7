"""Eligibility on tables: birthdays, leap days, cards expiring today, 长期, types, regions."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.catalog.eligibility import ApplicantFacts, age_on, check
from kiosk.i18n import explain
from kiosk.wire import Applicant
from tests.kiosk.catalog.samples import make_item, person_id

ELDER = make_item("zz-gljt")  # min_age 80, resident cards only
TODAY = date(2026, 11, 22)


def facts(birth: date = date(1940, 1, 1), valid_to=date(2035, 1, 1), card_type: str = "resident",
          id_number: str | None = None) -> ApplicantFacts:
    return ApplicantFacts(card_type, birth, valid_to,
                          person_id(birth=birth) if id_number is None else id_number)


@pytest.mark.parametrize("birth, today, age", [
    (date(1946, 11, 22), date(2026, 11, 22), 80),  # the birthday itself
    (date(1946, 11, 23), date(2026, 11, 22), 79),  # the day before
    (date(1946, 11, 21), date(2026, 11, 22), 80),
    (date(1944, 2, 29), date(2024, 2, 29), 80),  # leap birthday in a leap year
    (date(1944, 2, 29), date(2025, 2, 28), 80),  # a common year: not yet on 28 February
    (date(1944, 2, 29), date(2025, 3, 1), 81),  # ... but on 1 March
    (date(1944, 2, 29), date(2024, 2, 28), 79),
    (date(2000, 1, 1), date(1999, 12, 31), -1),
    (date(1926, 12, 31), date(2026, 12, 31), 100),
])
def test_age_on(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age


@pytest.mark.parametrize("birth, today, codes", [
    (date(1946, 11, 22), date(2026, 11, 22), []),
    (date(1946, 11, 23), date(2026, 11, 22), ["too_young"]),
    (date(1946, 2, 28), date(2026, 2, 28), []),
    (date(1948, 2, 29), date(2028, 2, 29), []),
    (date(1948, 2, 29), date(2028, 2, 28), ["too_young"]),
    (date(1947, 2, 28), date(2027, 2, 28), []),
])
def test_min_age_on_birthdays_and_leap_days(birth: date, today: date, codes: list[str]) -> None:
    assert [p.code for p in check(ELDER, facts(birth), today)] == codes


def test_max_age() -> None:
    item = make_item("zz-jysydj", eligibility={"min_age": 16, "max_age": 59})
    assert [p.code for p in check(item, facts(date(1966, 11, 22)), TODAY)] == ["too_old"]
    assert check(item, facts(date(1966, 11, 23)), TODAY) == []
    assert [p.code for p in check(item, facts(date(2010, 11, 23)), TODAY)] == ["too_young"]
    assert check(item, facts(date(2010, 11, 22)), TODAY) == []


@pytest.mark.parametrize("valid_to, expired", [
    (date(2026, 11, 22), False),  # expires today: still valid today
    (date(2026, 11, 21), True),
    (date(2046, 1, 1), False),
    ("长期", False),
    (None, False),  # unknown (a QR identity): not held against the citizen
])
def test_card_validity(valid_to, expired: bool) -> None:
    codes = [p.code for p in check(ELDER, facts(valid_to=valid_to), TODAY)]
    assert codes == (["card_expired"] if expired else [])


def test_an_item_that_accepts_expired_cards() -> None:
    item = make_item("zz-gljt", eligibility={"min_age": 80, "card_not_expired": False})
    assert check(item, facts(valid_to=date(2020, 1, 1)), TODAY) == []


@pytest.mark.parametrize("card_type, ok", [
    ("resident", True), ("hmt_residence", False), ("foreign_permanent", False),
    ("foreign_permanent_2023", False),
])
def test_card_types(card_type: str, ok: bool) -> None:
    codes = [p.code for p in check(ELDER, facts(card_type=card_type), TODAY)]
    assert codes == ([] if ok else ["wrong_card_type"])


@pytest.mark.parametrize("id_number, ok", [
    (person_id("410103"), True), (person_id("410100"), True), (person_id("411302"), True),
    (person_id("110105"), False), (person_id("420102"), False), ("", False),
])
def test_regions_are_prefixes(id_number: str, ok: bool) -> None:
    item = make_item("zz-lnrydz", eligibility={"min_age": 60, "regions": ["4101", "4113"]})
    codes = [p.code for p in check(item, facts(id_number=id_number), TODAY)]
    assert codes == ([] if ok else ["wrong_region"])


def test_every_problem_at_once_and_the_texts_are_kind_chinese() -> None:
    item = make_item("zz-gljt", eligibility={"min_age": 80, "regions": ["4101"], "notice": "请拨打12345咨询。"})
    problems = check(item, facts(date(1990, 5, 1), date(2020, 1, 1), "hmt_residence", "810000199005010012"),
                     TODAY)
    assert [p.code for p in problems] == ["wrong_card_type", "card_expired", "too_young", "wrong_region"]
    texts = [explain(p, "zh") for p in problems]
    for text in texts:
        assert text.endswith("。") and not any(c.isascii() and c.isalpha() for c in text)
    assert "港澳台居民居住证" not in texts[0] and "居民身份证" in texts[0]
    assert "2020年01月01日" in texts[1]
    assert "80周岁" in texts[2] and "请拨打12345咨询。" in texts[2]
    assert all(repr(p) == f"Problem({p.code!r})" for p in problems)  # no date, no name


def test_facts_from_a_card_reading_and_from_an_applicant() -> None:
    number = person_id(birth=date(1945, 3, 8))
    card = {"card_type": "resident", "birth": "1945-03-08", "valid_to": "长期", "id_number": number,
            "name": "王秀英"}
    f = ApplicantFacts.from_card(card)
    assert f == ApplicantFacts("resident", date(1945, 3, 8), "长期", number)
    assert "王" not in repr(f) and number not in repr(f)
    applicant = Applicant(id_type="resident", id_number=number, name="王秀英", gender="女",
                          birth=date(1945, 3, 8), valid_to=date(2030, 1, 1))
    g = ApplicantFacts.from_card(applicant.model_dump())
    assert g.valid_to == date(2030, 1, 1) and g.card_type == "resident"
    assert check(ELDER, g, TODAY) == []
