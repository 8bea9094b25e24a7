"""The states of one citizen's visit, the named sets the UI steers by, and which event each
state accepts.

Kept apart from the machine so that the UI, the heartbeat and the tests can read the
model without driving it. The sets are the only way other code should ask "does this
screen hold personal data?" or "must the camera be on?": a new state must be placed in
them, and the tests walk every member of :class:`State`, so none can slip through.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any

from kiosk.catalog.model import Item


class State(str, Enum):
    HOME = "home"                        # 首页: no visit under way
    GUIDE = "guide"                      # 办事指南 of the chosen item
    GUIDE_PRINT = "guide_print"          # printing 一次性告知单
    IDENTIFY = "identify"                # 请刷身份证或扫码
    INELIGIBLE = "ineligible"            # 不符合办理条件: the reasons, and where to go
    FACE = "face"                        # 人像采集
    FORM = "form"                        # 填写信息
    MATERIALS = "materials"              # 拍摄材料 (the 高拍仪 role)
    SIGNATURE = "signature"              # 手写签名
    CONFIRM = "confirm"                  # 核对并承诺
    SUBMITTING = "submitting"            # the draft is being committed to the outbox
    RECEIPT = "receipt"                  # printing 受理回执
    RATING = "rating"                    # 好差评 (after a receipt, or of a case found)
    CERTIFICATE = "certificate"          # fetching and printing a certificate
    PROGRESS_QUERY = "progress_query"    # 进度查询: type or scan the number, or show the card
    PROGRESS_LOOKUP = "progress_lookup"  # asking the county
    PROGRESS_RESULT = "progress_result"  # the (masked) answer on screen
    IDLE_WARNING = "idle_warning"        # 是否继续办理? with a countdown


S = State

#: The machine is doing something bounded (a print, a commit, a network call): no 取消, no
#: idle timeout; the UI must report the outcome (each device and network call has its own
#: timeout), and no other event can arrive in between.
BUSY = frozenset({S.GUIDE_PRINT, S.SUBMITTING, S.RECEIPT, S.CERTIFICATE, S.PROGRESS_LOOKUP})

#: The session may hold the citizen's personal data (applicant, form, photos, signature,
#: an id number to query with). Leaving this set for HOME wipes it; the screen must be
#: blanked when the state is not in it.
HOLDS_PERSONAL_DATA = frozenset({
    S.INELIGIBLE, S.FACE, S.FORM, S.MATERIALS, S.SIGNATURE, S.CONFIRM, S.SUBMITTING,
    S.RECEIPT, S.CERTIFICATE, S.PROGRESS_LOOKUP, S.IDLE_WARNING})

#: 取消 / 结束办理 is offered (and ends the visit, wiping it).
CAN_CANCEL = frozenset(set(S) - {S.HOME} - BUSY)

#: ``tick`` counts idle time here; after the timeout comes :attr:`State.IDLE_WARNING`.
IDLE_WATCHED = frozenset(set(S) - {S.HOME, S.IDLE_WARNING} - BUSY)

#: The last screen of a path: ``finish()`` ends the visit with nothing lost.
TERMINAL = frozenset({S.INELIGIBLE, S.RATING, S.PROGRESS_RESULT})

#: ``back()`` (上一步) is offered. From GUIDE and PROGRESS_QUERY it ends the visit (nothing
#: personal is held yet); elsewhere it goes to the item's previous step, never back across
#: identification (to change who is applying, cancel).
CAN_GO_BACK = frozenset({S.GUIDE, S.PROGRESS_QUERY, S.FORM, S.MATERIALS, S.SIGNATURE, S.CONFIRM})

#: Devices the UI should run in each state.
NEEDS_CAMERA = frozenset({S.FACE, S.MATERIALS})
NEEDS_IDCARD = frozenset({S.IDENTIFY, S.PROGRESS_QUERY})
NEEDS_SCANNER = frozenset({S.IDENTIFY, S.PROGRESS_QUERY})
NEEDS_PRINTER = frozenset({S.GUIDE_PRINT, S.RECEIPT, S.CERTIFICATE})

#: The steps an item may need after the guide, in order (certificates end in CERTIFICATE,
#: everything else in CONFIRM → SUBMITTING → RECEIPT → RATING).
STEP_ORDER = (S.IDENTIFY, S.FACE, S.FORM, S.MATERIALS, S.SIGNATURE, S.CONFIRM, S.CERTIFICATE)

_ALL = frozenset(S)

#: Event name → the states that accept it. Some events also depend on the item (an item
#: that takes only the ID card refuses a QR identity; ``back`` from the first step after
#: identification has nowhere to go); those refusals are :class:`InvalidTransition` too.
ALLOWED: dict[str, frozenset[State]] = {
    "choose": frozenset({S.HOME}),
    "query_progress": frozenset({S.HOME}),
    "start": frozenset({S.GUIDE}),
    "print_guide": frozenset({S.GUIDE}),
    "guide_printed": frozenset({S.GUIDE_PRINT}),
    "identified_by_card": frozenset({S.IDENTIFY, S.PROGRESS_QUERY}),
    "identified_by_qr": frozenset({S.IDENTIFY, S.PROGRESS_QUERY}),
    "face_taken": frozenset({S.FACE}),
    "form_submitted": frozenset({S.FORM}),
    "material_taken": frozenset({S.MATERIALS}),
    "material_retake": frozenset({S.MATERIALS}),
    "materials_done": frozenset({S.MATERIALS}),
    "signed": frozenset({S.SIGNATURE}),
    "confirm": frozenset({S.CONFIRM}),
    "submitted": frozenset({S.SUBMITTING}),
    "submit_failed": frozenset({S.SUBMITTING}),
    "receipt_printed": frozenset({S.RECEIPT}),
    "rate": frozenset({S.RATING}),
    "certificate_printed": frozenset({S.CERTIFICATE}),
    "progress_by_number": frozenset({S.PROGRESS_QUERY}),
    "progress_answered": frozenset({S.PROGRESS_LOOKUP}),
    "rate_case": frozenset({S.PROGRESS_RESULT}),
    "finish": TERMINAL,
    "back": CAN_GO_BACK,
    "cancel": CAN_CANCEL,
    "touch": _ALL,
    "tick": _ALL,
    "set_elder_mode": _ALL,
    "customised": frozenset({S.HOME}),
}


def steps_for(item: Item) -> list[State]:
    """The states an item passes through from identification on, in order."""
    steps = [S.IDENTIFY] + ([S.FACE] if item.face_photo else [])
    if item.kind == "certificate":
        return steps + [S.CERTIFICATE]
    steps += [S.FORM] if item.fields else []
    steps += [S.MATERIALS] if item.materials else []
    steps += [S.SIGNATURE] if item.signature else []
    return steps + [S.CONFIRM]


class SessionError(Exception):
    """Base of what the session raises. The citizen's sentence is ``kiosk.i18n.explain(err)``
    (from ``key`` and ``params``: the session never holds text)."""

    key = "err.session.failed"
    params: Mapping[str, Any] = MappingProxyType({})


class InvalidTransition(SessionError):
    """The event is not allowed now; the session is unchanged."""

    key = "err.session.not_now"

    def __init__(self, event: str, state: State, why: str = "") -> None:
        super().__init__(f"{event} not allowed in {state.value}" + (f": {why}" if why else ""))
        self.event, self.state, self.why = event, state, why


class InputError(SessionError):
    """The event is allowed but what came with it is not (a garbled card, a number that is
    not a receipt number, a missing agreement); the session is unchanged. ``code`` for
    programs; the sentence is ``err.input.<code>`` (or the variant ``key`` named)."""

    def __init__(self, code: str, key: str = "", **params: Any) -> None:
        super().__init__(code)
        self.code, self.key, self.params = code, key or f"err.input.{code}", params
