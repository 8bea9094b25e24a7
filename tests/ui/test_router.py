"""Every session state has a screen; screens not built yet are planned and fall back to
``working``; the registry and the router agree."""

from kiosk.session import BUSY, State
from kiosk.ui import router
from kiosk.ui.screens import SCREENS


def test_every_state_has_a_screen():
    assert set(router.SCREEN_FOR_STATE) == set(State)


def test_each_screen_named_is_registered_or_planned():
    for state, name in router.SCREEN_FOR_STATE.items():
        assert name == router.OVERLAY or name in SCREENS or name in router.PLANNED, (state, name)


def test_built_and_planned_do_not_overlap_and_built_are_registered():
    assert not (router.BUILT & router.PLANNED)
    assert router.BUILT <= set(SCREENS)
    assert not (router.PLANNED & set(SCREENS)), "a registered screen is still listed as planned"


def test_busy_states_show_the_working_screen_or_their_own():
    for state in BUSY:
        assert router.screen_for(state, SCREENS) in SCREENS


def test_planned_screens_fall_back_to_working_and_the_overlay_keeps_the_screen():
    assert router.screen_for(State.IDENTIFY, SCREENS) == ("identify" if "identify" in SCREENS else "working")
    assert router.screen_for(State.GUIDE, SCREENS) == "guide"
    assert router.screen_for(State.IDLE_WARNING, SCREENS) is None
