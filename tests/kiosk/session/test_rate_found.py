"""好差评 of a case found by 进度查询: PROGRESS_RESULT → ``rate_case`` → RATING → ``rate`` → HOME,
only for the cases the UI offered (those this kiosk has not rated), masked in the session."""

from __future__ import annotations

import pytest

from kiosk.i18n import explain
from kiosk.session import FoundCase, InputError, State
from tests.kiosk.session.builders import TXN, FakeClock, card, drive_to, found_case

S = State

OTHER = "ZZ-EQ-0002-20261120-000007"  # a case accepted by another kiosk


@pytest.mark.parametrize("how", ["number", "card"])
def test_rate_a_case_found_by_a_progress_query(how: str) -> None:
    clock = FakeClock()
    s = drive_to(S.PROGRESS_QUERY, clock)
    changes = []
    s.subscribe(changes.append)
    s.progress_by_number(OTHER) if how == "number" else s.identified_by_card(card())
    s.progress_answered(2, [found_case(TXN), found_case(OTHER.lower())])
    assert [c.txn_id for c in s.found_cases] == [TXN, OTHER]
    assert s.found_cases[0].applicant_name == "欧**明"
    assert s.found_cases[0].applicant_id_number == "110105********0013"
    case = s.rate_case(f" {OTHER.lower()} ")
    assert s.state is S.RATING and changes[-1].reason == "rate_case"
    assert case.txn_id == OTHER and s.rating_case == case and s.txn_id == OTHER
    assert s.action is None and s.receipt_ok is None  # no receipt on this path
    rating = s.rate(2, ["等待时间长"])
    assert (rating.txn_id, rating.score, rating.reasons) == (OTHER, 2, ["等待时间长"])
    assert rating.rated_at == clock.now()
    assert s.state is S.HOME and changes[-1].reason == "finished"
    assert s.txn_id is None and s.rating_case is None and s.found_cases == ()


def test_only_a_case_offered_for_rating_can_be_rated() -> None:
    s = drive_to(S.PROGRESS_QUERY)
    s.identified_by_card(card())
    s.progress_answered(2, [found_case(TXN)])  # the other one was rated here before
    with pytest.raises(InputError) as err:
        s.rate_case(OTHER)
    assert err.value.code == "not_rateable" and "12345" in explain(err.value, "zh")
    assert s.state is S.PROGRESS_RESULT and s.txn_id is None


def test_the_rated_case_can_be_skipped_or_cancelled_or_rated_wrongly() -> None:
    for end in ("finish", "cancel"):
        s = drive_to(S.PROGRESS_RESULT)
        s.rate_case(TXN)
        getattr(s, end)()
        assert s.state is S.HOME and s.found_cases == () and s.rating_case is None
    s = drive_to(S.PROGRESS_RESULT)
    s.rate_case(TXN)
    with pytest.raises(InputError):
        s.rate(0)
    assert s.state is S.RATING and s.rating_case is not None


def test_found_cases_are_checked_and_counted_once() -> None:
    s = drive_to(S.PROGRESS_LOOKUP)
    with pytest.raises(InputError):
        s.progress_answered(1, [{"txn_id": TXN}])  # type: ignore[list-item]
    assert s.state is S.PROGRESS_LOOKUP
    s.progress_answered(3, [found_case(TXN), found_case(TXN), FoundCase("not-a-number", "x")])
    assert [c.txn_id for c in s.found_cases] == [TXN]
    s.finish()
    s.query_progress()
    s.progress_by_number(TXN)
    s.progress_answered(0)
    assert s.found_cases == ()  # the last visit's cases are gone
    with pytest.raises(InputError):
        s.rate_case(TXN)
