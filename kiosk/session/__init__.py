"""The citizen session: one visit as a pure state machine the UI watches (no Kivy, no I/O).

Import from here: ``Session``, ``State`` and its named sets, the actions the UI carries
out, ``QrIdentity``, ``FoundCase`` (a case found by 进度查询 to rate) and the errors.
"""

from kiosk.session.actions import (Action, Change, FetchCertificate, PrintGuide, PrintReceipt,
                                   QueryProgress, SubmitDraft)
from kiosk.session.applicant import Facts, QrIdentity, applicant_from, prefill
from kiosk.session.lookup import FoundCase
from kiosk.session.machine import Session
from kiosk.session.states import (ALLOWED, BUSY, CAN_CANCEL, CAN_GO_BACK, HOLDS_PERSONAL_DATA,
                                  IDLE_WATCHED, NEEDS_CAMERA, NEEDS_IDCARD, NEEDS_PRINTER,
                                  NEEDS_SCANNER, TERMINAL, InputError, InvalidTransition,
                                  SessionError, State, steps_for)

__all__ = [
    "ALLOWED", "BUSY", "CAN_CANCEL", "CAN_GO_BACK", "HOLDS_PERSONAL_DATA", "IDLE_WATCHED",
    "NEEDS_CAMERA", "NEEDS_IDCARD", "NEEDS_PRINTER", "NEEDS_SCANNER", "TERMINAL",
    "Action", "Change", "Facts", "FetchCertificate", "FoundCase", "InputError", "InvalidTransition",
    "PrintGuide", "PrintReceipt", "QrIdentity", "QueryProgress", "Session", "SessionError",
    "State", "SubmitDraft", "applicant_from", "prefill", "steps_for",
]
