"""Which screen shows each session state (pure: no Kivy).

Every :class:`State` has a screen name here (a test walks them all). Screens not built yet
are listed in :data:`PLANNED`; until a module for one lands in ``screens.SCREENS`` the app
shows ``working`` for it (see :func:`screen_for`). :data:`OVERLAY` marks the idle warning,
which keeps the screen under it and lays the countdown on top.
"""

from __future__ import annotations

from collections.abc import Collection

from kiosk.session import State

S = State
OVERLAY = "idle_countdown"
FALLBACK = "working"

SCREEN_FOR_STATE: dict[State, str] = {
    S.HOME: "home",
    S.GUIDE: "guide",
    S.GUIDE_PRINT: "working",
    S.IDENTIFY: "identify",
    S.INELIGIBLE: "ineligible",
    S.FACE: "face",
    S.FORM: "form",
    S.MATERIALS: "materials",
    S.SIGNATURE: "signature",
    S.CONFIRM: "confirm",
    S.SUBMITTING: "working",
    S.RECEIPT: "receipt",
    S.RATING: "rating",
    S.CERTIFICATE: "working",
    S.PROGRESS_QUERY: "progress",
    S.PROGRESS_LOOKUP: "working",
    S.PROGRESS_RESULT: "progress_result",
    S.IDLE_WARNING: OVERLAY,
}

#: Screens built now (their modules are in ``kiosk/ui/screens/``), besides those not tied
#: to one state: ``catalog`` (browsing, in HOME) and ``out_of_service``.
BUILT = frozenset({"home", "catalog", "guide", "working", "out_of_service", "identify", "ineligible", "face",
                   "form", "materials", "signature", "confirm", "receipt", "rating", "progress",
                   "progress_result"})

#: Screens still to come, one module each: ``screens/<name>.py`` + ``.kv``.
PLANNED: frozenset[str] = frozenset()


def screen_for(state: State, available: Collection[str]) -> str | None:
    """The screen to show for ``state`` given the registered screen names; None for the
    overlay (stay where you are); ``working`` for a screen not registered yet."""
    name = SCREEN_FOR_STATE[state]
    if name == OVERLAY:
        return None
    return name if name in available else FALLBACK
