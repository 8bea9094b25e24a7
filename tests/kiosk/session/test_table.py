"""Every (state, event) pair: allowed ones lead where this table says, all others are
refused with InvalidTransition and change nothing. The table is written out by hand, not
derived from the code; parametrizing over ``State`` means a new state cannot escape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kiosk.session import ALLOWED, InvalidTransition, Session, State
from tests.kiosk.session.builders import (FULL, TXN, VALID_FORM, FakeClock, blob, card, drive_to,
                                          qr, take_all_materials)

S = State
SAME = "same"

# state → {event: state after}. touch, tick and set_elder_mode are accepted everywhere
# (touch in IDLE_WARNING resumes; drive_to reaches IDLE_WARNING from FORM).
TABLE: dict[State, dict[str, Any]] = {
    S.HOME: {"choose": S.GUIDE, "query_progress": S.PROGRESS_QUERY, "customised": S.HOME},
    S.GUIDE: {"start": S.IDENTIFY, "print_guide": S.GUIDE_PRINT, "back": S.HOME, "cancel": S.HOME},
    S.GUIDE_PRINT: {"guide_printed": S.GUIDE},
    S.IDENTIFY: {"identified_by_card": S.FACE, "identified_by_qr": S.FACE, "cancel": S.HOME},
    S.INELIGIBLE: {"finish": S.HOME, "cancel": S.HOME},
    S.FACE: {"face_taken": S.FORM, "cancel": S.HOME},
    S.FORM: {"form_submitted": S.MATERIALS, "back": S.FACE, "cancel": S.HOME},
    S.MATERIALS: {"material_taken": S.MATERIALS, "material_retake": S.MATERIALS,
                  "materials_done": S.SIGNATURE, "back": S.FORM, "cancel": S.HOME},
    S.SIGNATURE: {"signed": S.CONFIRM, "back": S.MATERIALS, "cancel": S.HOME},
    S.CONFIRM: {"confirm": S.SUBMITTING, "back": S.SIGNATURE, "cancel": S.HOME},
    S.SUBMITTING: {"submitted": S.RECEIPT, "submit_failed": S.CONFIRM},
    S.RECEIPT: {"receipt_printed": S.RATING},
    S.RATING: {"rate": S.HOME, "finish": S.HOME, "cancel": S.HOME},
    S.CERTIFICATE: {"certificate_printed": S.HOME},
    S.PROGRESS_QUERY: {"identified_by_card": S.PROGRESS_LOOKUP, "identified_by_qr": S.PROGRESS_LOOKUP,
                       "progress_by_number": S.PROGRESS_LOOKUP, "back": S.HOME, "cancel": S.HOME},
    S.PROGRESS_LOOKUP: {"progress_answered": S.PROGRESS_RESULT},
    S.PROGRESS_RESULT: {"rate_case": S.RATING, "finish": S.HOME, "cancel": S.HOME},
    S.IDLE_WARNING: {"cancel": S.HOME, "touch": S.FORM},
}
for _row in TABLE.values():
    _row.setdefault("touch", SAME)
    _row.setdefault("tick", SAME)
    _row.setdefault("set_elder_mode", SAME)


def _materials_done(s: Session) -> None:
    if s.state is S.MATERIALS:
        take_all_materials(s)
    s.materials_done()


FIRE: dict[str, Callable[[Session, FakeClock], Any]] = {
    "choose": lambda s, c: s.choose(FULL),
    "query_progress": lambda s, c: s.query_progress(),
    "start": lambda s, c: s.start(),
    "print_guide": lambda s, c: s.print_guide(),
    "guide_printed": lambda s, c: s.guide_printed(True),
    "identified_by_card": lambda s, c: s.identified_by_card(card()),
    "identified_by_qr": lambda s, c: s.identified_by_qr(qr()),
    "face_taken": lambda s, c: s.face_taken(blob()),
    "form_submitted": lambda s, c: s.form_submitted(VALID_FORM),
    "material_taken": lambda s, c: s.material_taken("lease", blob()),
    "material_retake": lambda s, c: s.material_retake("hukou"),
    "materials_done": lambda s, c: _materials_done(s),
    "signed": lambda s, c: s.signed(blob()),
    "confirm": lambda s, c: s.confirm(True),
    "submitted": lambda s, c: s.submitted(TXN, c.now(), True),
    "submit_failed": lambda s, c: s.submit_failed(),
    "receipt_printed": lambda s, c: s.receipt_printed(True),
    "rate": lambda s, c: s.rate(5, ["办事效率高"]),
    "certificate_printed": lambda s, c: s.certificate_printed(True),
    "progress_by_number": lambda s, c: s.progress_by_number(TXN),
    "progress_answered": lambda s, c: s.progress_answered(1),
    "rate_case": lambda s, c: s.rate_case(TXN),
    "finish": lambda s, c: s.finish(),
    "back": lambda s, c: s.back(),
    "cancel": lambda s, c: s.cancel(),
    "touch": lambda s, c: s.touch(),
    "tick": lambda s, c: s.tick(c.monotonic()),
    "set_elder_mode": lambda s, c: s.set_elder_mode(True),
    "customised": lambda s, c: s.customised(),
}


def test_table_covers_every_state_and_event() -> None:
    assert set(TABLE) == set(State)
    assert set(FIRE) == set(ALLOWED)
    # The machine's own table agrees with this hand-written one.
    for event, states in ALLOWED.items():
        assert states == {st for st, row in TABLE.items() if event in row}, event


@pytest.mark.parametrize("event", sorted(FIRE))
@pytest.mark.parametrize("state", list(State), ids=lambda st: st.value)
def test_state_event(state: State, event: str) -> None:
    clock = FakeClock()
    s = drive_to(state, clock)
    expected = TABLE[state].get(event)
    seen = []
    s.subscribe(seen.append)
    if expected is None:
        with pytest.raises(InvalidTransition) as err:
            FIRE[event](s, clock)
        assert (err.value.event, err.value.state) == (event, state)
        assert s.state is state
        assert seen == []
    else:
        FIRE[event](s, clock)
        after = state if expected == SAME else expected
        assert s.state is after
        if after is not state:
            assert [(ch.old, ch.new) for ch in seen] == [(state, after)]
        else:
            assert seen == []


def test_named_sets() -> None:
    """Pinned by hand: the UI starts devices, blanks screens and offers buttons by these."""
    from kiosk.session import (BUSY, CAN_CANCEL, HOLDS_PERSONAL_DATA, IDLE_WATCHED, NEEDS_CAMERA,
                               NEEDS_IDCARD, NEEDS_PRINTER, NEEDS_SCANNER, TERMINAL)
    assert NEEDS_CAMERA == {S.FACE, S.MATERIALS}
    assert NEEDS_IDCARD == NEEDS_SCANNER == {S.IDENTIFY, S.PROGRESS_QUERY}
    assert NEEDS_PRINTER == {S.GUIDE_PRINT, S.RECEIPT, S.CERTIFICATE}
    assert BUSY == {S.GUIDE_PRINT, S.SUBMITTING, S.RECEIPT, S.CERTIFICATE, S.PROGRESS_LOOKUP}
    assert TERMINAL == {S.INELIGIBLE, S.RATING, S.PROGRESS_RESULT}
    assert HOLDS_PERSONAL_DATA == {S.INELIGIBLE, S.FACE, S.FORM, S.MATERIALS, S.SIGNATURE,
                                   S.CONFIRM, S.SUBMITTING, S.RECEIPT, S.CERTIFICATE,
                                   S.PROGRESS_LOOKUP, S.IDLE_WARNING}
    assert not CAN_CANCEL & BUSY and S.HOME not in CAN_CANCEL
    assert TERMINAL <= CAN_CANCEL and IDLE_WATCHED <= CAN_CANCEL
    assert set(State) == CAN_CANCEL | BUSY | {S.HOME}
