"""Ending a visit — finish, cancel, idle, any short path — leaves nothing of the citizen
reachable from the session: the bytearrays handed in are overwritten with zeros and
emptied, and no object or string of theirs can be found by walking the session."""

from __future__ import annotations

import gc
from enum import Enum
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

import pytest

from kiosk.draft import Blob
from kiosk.session import HOLDS_PERSONAL_DATA, Session, State
from tests.kiosk.session.builders import (ADDRESS, CERT, FULL, ID_NUMBER, NAME, TXN, FakeClock,
                                          card, drive_to, found_case, new_session, qr)

S = State
SECRETS = (NAME, ID_NUMBER, ADDRESS, "13812345678", "EID:7f3a9c")


class WatchedBytes(bytearray):
    """A bytearray that remembers being overwritten with zeros over its whole length."""

    zeroed = False

    def __setitem__(self, key: Any, value: Any) -> None:
        if key == slice(None) and len(value) == len(self) and not any(value):
            self.zeroed = True
        super().__setitem__(key, value)


def watched_blob(fill: int, content_type: str = "image/jpeg") -> Blob:
    return Blob(content_type, WatchedBytes(bytes([fill]) * 64))  # type: ignore[arg-type]


def reachable(root: object) -> dict[int, object]:
    """Every object reachable from ``root`` through attributes and containers (callables
    such as listeners and injected clocks are not followed: they are the caller's)."""
    seen: dict[int, object] = {}
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen[id(obj)] = obj
        if isinstance(obj, (str, bytes, bytearray, int, float, type(None), Enum, type,
                            FunctionType, MethodType, BuiltinFunctionType)):
            continue
        if isinstance(obj, dict) or hasattr(obj, "keys") and hasattr(obj, "values"):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        if hasattr(obj, "__dict__"):
            stack.extend(vars(obj).values())
        for slot in getattr(type(obj), "__slots__", ()):
            if hasattr(obj, slot):
                stack.append(getattr(obj, slot))
    return seen


def strings_with_secrets(root: object) -> list[str]:
    return [o for o in reachable(root).values()
            if isinstance(o, str) and any(secret in o for secret in SECRETS)]


def full_visit(s: Session, clock: FakeClock, how: str) -> dict[str, Any]:
    """Drive the FULL item with watched blobs; returns what the citizen handed in."""
    handed: dict[str, Any] = {"card": card()}
    s.choose(FULL)
    s.start()
    s.identified_by_card(handed["card"])
    handed["applicant"] = s.applicant
    handed["proxy"] = s.form_values
    handed["face"] = watched_blob(1)
    s.face_taken(handed["face"])
    handed["form"] = {"name": NAME, "id_number": ID_NUMBER, "address": ADDRESS,
                      "phone": "13812345678"}
    s.form_submitted(handed["form"])
    handed["pages"] = [watched_blob(2), watched_blob(3), watched_blob(4)]
    s.material_taken("hukou", handed["pages"][0])
    s.material_taken("hukou", handed["pages"][1])
    s.material_taken("lease", handed["pages"][2])
    s.materials_done()
    handed["signature"] = watched_blob(5, "image/png")
    s.signed(handed["signature"])
    assert strings_with_secrets(s)  # the walker does find the citizen while the visit runs
    assert id(handed["face"].data) in reachable(s)
    if how == "cancel":
        s.cancel()
        return handed
    if how == "idle":
        s.tick(clock.advance(s.idle_timeout_s))
        s.tick(clock.advance(s.settings.idle_countdown_s))
        return handed
    handed["draft"] = s.confirm(True)
    s.submitted(TXN, clock.now(), True)
    assert strings_with_secrets(s)  # the receipt still needs the name and number
    s.receipt_printed(True)
    assert not strings_with_secrets(s)  # the rating screen holds nothing personal
    if how == "rate":
        s.rate(5)
    else:
        s.finish()
    return handed


@pytest.mark.parametrize("how", ["rate", "finish", "cancel", "idle"])
def test_nothing_of_the_citizen_survives_the_visit(how: str) -> None:
    clock = FakeClock()
    s = new_session(clock)
    handed = full_visit(s, clock, how)
    assert s.state is S.HOME

    blobs = [handed["face"], handed["signature"], *handed["pages"]]
    for b in blobs:
        assert b.data.zeroed and len(b.data) == 0
    assert dict(handed["proxy"]) == {}  # a view the UI kept shows nothing
    assert strings_with_secrets(s) == []
    found = reachable(s)
    personal = [handed["card"], handed["applicant"], handed["form"], *blobs,
                *(b.data for b in blobs), handed.get("draft")]
    for obj in personal:
        if obj is not None:
            assert id(obj) not in found
            # Whatever still refers to it is the test's, never part of the session.
            for ref in gc.get_referrers(obj):
                assert id(ref) not in found or ref is handed


def test_the_next_citizen_sees_nothing() -> None:
    clock = FakeClock()
    s = new_session(clock)
    full_visit(s, clock, "cancel")
    s.choose(FULL)
    s.start()
    assert s.applicant is None and dict(s.form_values) == {} and s.pages_taken("hukou") == 0
    s.identified_by_qr(qr(name="李四", id_number="410102198001011234"))
    assert s.applicant.name == "李四"
    assert NAME not in str([dict(s.form_values)])


@pytest.mark.parametrize("path", ["certificate", "progress", "ineligible"])
def test_short_paths_wipe_too(path: str) -> None:
    s = new_session()
    the_card = card(birth="1990-06-01") if path == "ineligible" else card()
    if path == "progress":
        s.query_progress()
        s.identified_by_card(the_card)
        assert strings_with_secrets(s)
        s.progress_answered(1, [found_case()])  # given unmasked: the session masks
        assert not strings_with_secrets(s)  # dropped as soon as the county answered
        s.rate_case(TXN)
        assert not strings_with_secrets(s) and s.rating_case.applicant_name == "欧**明"
        s.rate(5)
    else:
        from tests.kiosk.session.builders import ELDER
        s.choose(CERT if path == "certificate" else ELDER)
        s.start()
        s.identified_by_card(the_card)
        assert strings_with_secrets(s)
        s.certificate_printed(True) if path == "certificate" else s.finish()
    assert s.state is S.HOME and strings_with_secrets(s) == []
    assert id(the_card) not in reachable(s)


@pytest.mark.parametrize("state", list(State), ids=lambda st: st.value)
def test_personal_data_only_in_the_states_that_say_so(state: State) -> None:
    s = drive_to(state)
    if state not in HOLDS_PERSONAL_DATA:
        assert strings_with_secrets(s) == []


def test_reprs_never_show_the_citizen() -> None:
    s = drive_to(S.SUBMITTING)
    texts = [repr(s.action), repr(s.action.draft), repr(s.applicant)]
    s.submitted(TXN, FakeClock().now(), False)
    texts.append(repr(s.action))
    p = drive_to(S.PROGRESS_QUERY)
    p.identified_by_card(card())
    texts += [repr(p.action), repr(qr())]
    for text in texts:
        assert not any(secret in text for secret in SECRETS), text
