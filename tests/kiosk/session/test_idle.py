"""Cancel and the idle timeout from every state, the visible countdown, 继续办理, and
长辈模式's longer timeout. Parametrized over ``State`` so no state escapes."""

from __future__ import annotations

import pytest

from kiosk.config import Session as SessionSettings
from kiosk.session import InvalidTransition, State
from tests.kiosk.session.builders import FakeClock, blob, drive_to, new_session, FULL

S = State

# Written out, not taken from the code: where 取消 is not offered, and where idle time does
# not count (the machine is busy with a bounded print, commit or network call).
NO_CANCEL = {S.HOME, S.GUIDE_PRINT, S.SUBMITTING, S.RECEIPT, S.CERTIFICATE, S.PROGRESS_LOOKUP}
NOT_WATCHED = {S.HOME, S.GUIDE_PRINT, S.SUBMITTING, S.RECEIPT, S.CERTIFICATE, S.PROGRESS_LOOKUP,
               S.IDLE_WARNING}


def assert_wiped(s) -> None:
    assert s.state is S.HOME and s.item is None and s.applicant is None and s.action is None
    assert dict(s.form_values) == {} and s.problems == [] and s.txn_id is None
    assert s._visit.face is None and s._visit.signature is None and s._visit.pages == {}
    assert s._visit.draft is None


@pytest.mark.parametrize("state", list(State), ids=lambda st: st.value)
def test_cancel_from_every_state(state: State) -> None:
    s = drive_to(state)
    seen = []
    s.subscribe(seen.append)
    if state in NO_CANCEL:
        with pytest.raises(InvalidTransition):
            s.cancel()
        assert s.state is state and seen == []
        return
    s.cancel()
    assert_wiped(s)
    assert [(c.old, c.new, c.reason) for c in seen] == [(state, S.HOME, "cancelled")]


@pytest.mark.parametrize("state", list(State), ids=lambda st: st.value)
def test_idle_timeout_from_every_state(state: State) -> None:
    clock = FakeClock()
    s = drive_to(state, clock)
    settings = s.settings
    seen = []
    s.subscribe(seen.append)
    if state in NOT_WATCHED - {S.IDLE_WARNING}:
        s.tick(clock.advance(10 * (settings.idle_timeout_s + settings.idle_countdown_s)))
        assert s.state is state and seen == []
        return
    if state is not S.IDLE_WARNING:
        s.tick(clock.advance(settings.idle_timeout_s - 1))
        assert s.state is state and s.seconds_left() is None
        s.tick(clock.advance(1))
        assert s.state is S.IDLE_WARNING
    assert s.seconds_left() == settings.idle_countdown_s
    s.tick(clock.advance(settings.idle_countdown_s - 1))
    assert s.state is S.IDLE_WARNING and s.seconds_left() == 1
    s.tick(clock.advance(1))
    assert_wiped(s)
    assert [c.new for c in seen][-1] is S.HOME and seen[-1].reason == "idle"


@pytest.mark.parametrize("state", sorted(set(State) - NOT_WATCHED, key=lambda st: st.value),
                         ids=lambda st: st.value)
def test_continue_returns_to_where_the_visit_was(state: State) -> None:
    clock = FakeClock()
    s = drive_to(state, clock)
    form = dict(s.form_values)
    s.tick(clock.advance(s.idle_timeout_s))
    assert s.state is S.IDLE_WARNING
    s.tick(clock.advance(5))
    assert s.seconds_left() == s.settings.idle_countdown_s - 5
    s.touch()  # 继续办理
    assert s.state is state and dict(s.form_values) == form and s.seconds_left() is None
    # The timer starts afresh from the touch.
    s.tick(clock.advance(s.idle_timeout_s - 1))
    assert s.state is state


def test_a_late_tick_still_shows_the_countdown() -> None:
    clock = FakeClock()
    s = drive_to(S.FORM, clock)
    s.tick(clock.advance(3600))
    assert s.state is S.IDLE_WARNING and s.seconds_left() == s.settings.idle_countdown_s


def test_touches_and_events_keep_the_visit_alive() -> None:
    clock = FakeClock()
    s = drive_to(S.MATERIALS, clock)
    for _ in range(3):
        clock.advance(s.idle_timeout_s - 1)
        s.material_taken("extra", blob()) if _ == 0 else s.touch()
        s.tick()
        assert s.state is S.MATERIALS


def test_seconds_left_counts_down_whole_seconds() -> None:
    clock = FakeClock()
    s = drive_to(S.GUIDE, clock)
    s.tick(clock.advance(s.idle_timeout_s))
    start = clock.t
    assert s.seconds_left(start + 0.5) == s.settings.idle_countdown_s  # rounded up
    assert s.seconds_left(start + s.settings.idle_countdown_s + 30) == 0


def test_elder_mode_uses_the_longer_timeout_and_resets_after_the_visit() -> None:
    clock = FakeClock()
    settings = SessionSettings(idle_timeout_s=30, idle_countdown_s=10, elder_idle_timeout_s=300)
    s = new_session(clock, settings=settings)
    s.set_elder_mode(True)
    assert s.elder_mode and s.idle_timeout_s == 300
    s.choose(FULL)
    s.tick(clock.advance(299))
    assert s.state is S.GUIDE
    s.tick(clock.advance(1))
    assert s.state is S.IDLE_WARNING and s.seconds_left() == 10
    s.tick(clock.advance(10))
    assert s.state is S.HOME and not s.elder_mode and s.idle_timeout_s == 30
    s.choose(FULL)
    s.tick(clock.advance(30))
    assert s.state is S.IDLE_WARNING


@pytest.mark.parametrize("end", ["cancel", "finish"])
def test_elder_mode_resets_after_every_ending(end: str) -> None:
    s = drive_to(S.RATING)
    s.set_elder_mode(True)
    getattr(s, end)()
    assert not s.elder_mode and s.idle_timeout_s == s.settings.idle_timeout_s


def test_elder_mode_switched_on_mid_visit_extends_the_wait() -> None:
    clock = FakeClock()
    s = drive_to(S.FORM, clock)
    clock.advance(s.settings.idle_timeout_s - 10)
    s.set_elder_mode(True)  # the toggle is a touch too
    s.tick(clock.advance(s.settings.idle_timeout_s + 10))
    assert s.state is S.FORM
    s.tick(clock.advance(s.settings.elder_idle_timeout_s))
    assert s.state is S.IDLE_WARNING


def test_elder_mode_left_on_at_home_by_someone_who_walked_away_is_switched_off() -> None:
    clock = FakeClock()
    settings = SessionSettings(idle_timeout_s=30, idle_countdown_s=10, elder_idle_timeout_s=300)
    s = new_session(clock, settings=settings)
    seen = []
    s.subscribe(seen.append)
    s.set_elder_mode(True)
    s.tick(clock.advance(299))
    assert s.state is S.HOME and s.elder_mode  # still within the (elder) idle time
    s.tick(clock.advance(1))
    assert s.state is S.HOME and not s.elder_mode and s.idle_timeout_s == 30
    assert [c.reason for c in seen] == ["home_idle"]
    s.tick(clock.advance(3600))  # an untouched home stays quiet: nothing to reset
    assert [c.reason for c in seen] == ["home_idle"]


def test_a_home_customised_then_left_ends_after_the_idle_time() -> None:
    clock = FakeClock()
    s = new_session(clock)
    seen = []
    s.subscribe(seen.append)
    s.customised()  # e.g. English chosen on the home screen
    s.tick(clock.advance(s.idle_timeout_s - 1))
    assert seen == []
    s.tick(clock.advance(1))
    assert [(c.new, c.reason) for c in seen] == [(S.HOME, "home_idle")]
    s.choose(FULL)
    with pytest.raises(InvalidTransition):
        s.customised()  # only at home
