"""One citizen's visit as a pure state machine: no Kivy, no I/O, clocks injected.

Main path: choose → guide → identify (card or QR) → eligibility (checked at once; a
failure shows INELIGIBLE) → face → form → materials → signature → confirm → submitting
→ receipt → rating, skipping the steps an item does not need. Short paths: 一次性告知单
(GUIDE → GUIDE_PRINT → GUIDE), certificates (identify → [face] → CERTIFICATE → end) and
进度查询 (PROGRESS_QUERY → PROGRESS_LOOKUP → PROGRESS_RESULT [→ RATING of a case found]),
which live in ``lookup.py``. 预约代办 (``appointment``) and 一件事 (``bundle``) items take the
main path.

Outside work is described by :attr:`Session.action` in the busy states and reported
back by an event; see ``actions.py``. Every visit ends in HOME by ``_end``, which wipes
what the citizen handed in: blobs are zeroed (``Blob.wipe``), dicts cleared, and every
reference dropped — the UI must drop its own.

Eligibility and form validation are injected (``eligibility(item, facts, today) ->
list[Problem]`` and ``validate_form(item, values) -> dict`` raising on bad values, as
``kiosk.catalog.eligibility.check`` and ``kiosk.catalog.forms.validate_all`` do, which
are the defaults), so the machine is tested without the catalog rules.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from kiosk.catalog.model import Item, MaterialRequirement
from kiosk.config import Session as SessionSettings
from kiosk.draft import Blob, TransactionDraft
from kiosk.i18n import CatalogText
from kiosk.session.actions import (Action, Change, FetchCertificate, PrintReceipt, QueryProgress,
                                   SubmitDraft)
from kiosk.session.applicant import QrIdentity, applicant_from, prefill
from kiosk.session.lookup import ShortPaths
from kiosk.session.states import (ALLOWED, IDLE_WATCHED, InputError, InvalidTransition, State,
                                  steps_for)
from kiosk.session.visit import Visit, check_blob
from kiosk.wire import Applicant, RatingIn, is_txn_id

log = logging.getLogger(__name__)
S = State
Listener = Callable[[Change], None]


class Session(ShortPaths):
    """The visit in progress (one object for the kiosk's life; each visit ends in HOME).

    Event methods raise :class:`InvalidTransition` when the state does not allow them and
    :class:`InputError` when what came with them is unusable; either way nothing changed.
    A blob handed in becomes the session's: it is zeroed when the visit ends.
    """

    def __init__(self, *, eligibility: Callable[[Item, Any, date], list[Any]] | None = None,
                 validate_form: Callable[[Item, dict[str, Any]], dict[str, Any]] | None = None,
                 settings: SessionSettings | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = lambda: datetime.now().astimezone()) -> None:
        if eligibility is None:
            from kiosk.catalog.eligibility import check as eligibility
        if validate_form is None:
            from kiosk.catalog.forms import validate_all as validate_form
        self._eligibility, self._validate = eligibility, validate_form
        self.settings = settings or SessionSettings()
        self._monotonic, self._wall = monotonic, wall
        self._listeners: list[Listener] = []
        self._state = S.HOME
        self.elder_mode = False
        self._customised = False  # 长辈模式 or a language chosen at home (see customised())
        self._visit = Visit()
        self._resume: State | None = None
        self._warned_at: float | None = None
        self._last_active = self._monotonic()

    # -- what the UI reads --------------------------------------------------------------
    @property
    def state(self) -> State:
        return self._state

    @property
    def item(self) -> Item | None:
        return self._visit.item

    @property
    def applicant(self) -> Applicant | None:
        return self._visit.applicant

    @property
    def identity_method(self) -> str | None:
        return self._visit.method

    @property
    def problems(self) -> list[Any]:
        """Why the applicant is not eligible (each a ``Problem`` for ``i18n.explain``), in INELIGIBLE."""
        return list(self._visit.problems)

    @property
    def form_values(self) -> Mapping[str, Any]:
        """A live read-only view: prefilled, then as last submitted. Emptied on wipe."""
        return MappingProxyType(self._visit.form)

    @property
    def action(self) -> Action | None:
        """The outside work to do now; set exactly in the busy states."""
        return self._visit.action

    @property
    def txn_id(self) -> str | None:
        return self._visit.txn_id

    @property
    def receipt_ok(self) -> bool | None:
        return self._visit.receipt_ok

    @property
    def steps(self) -> list[State]:
        return steps_for(self._visit.item) if self._visit.item else []

    @property
    def idle_timeout_s(self) -> int:
        s = self.settings
        return s.elder_idle_timeout_s if self.elder_mode else s.idle_timeout_s

    def pages_taken(self, code: str) -> int:
        return self._visit.pages_taken(code)

    def materials_missing(self) -> list[MaterialRequirement]:
        return self._visit.materials_missing()

    def seconds_left(self, now: float | None = None) -> int | None:
        """The visible countdown in IDLE_WARNING; None in any other state."""
        if self._state is not S.IDLE_WARNING or self._warned_at is None:
            return None
        now = self._monotonic() if now is None else now
        return max(0, math.ceil(self.settings.idle_countdown_s - (now - self._warned_at)))

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Tell ``listener`` of every state change; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # -- machinery ------------------------------------------------------------------------
    def _guard(self, event: str) -> None:
        if self._state not in ALLOWED[event]:
            raise InvalidTransition(event, self._state)

    def _active(self) -> None:
        self._last_active = self._monotonic()

    def _go(self, new: State, reason: str) -> None:
        old, self._state = self._state, new
        self._active()
        change = Change(old, new, reason)
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception as err:  # a broken screen must not break the visit
                log.error("session listener failed: %s", type(err).__name__)

    def _end(self, reason: str) -> None:
        self._visit.wipe()
        self._visit = Visit()
        self._resume = self._warned_at = None
        self.elder_mode = self._customised = False
        self._go(S.HOME, reason)

    def _next_step(self, after: State) -> None:
        steps = self.steps
        new = steps[steps.index(after) + 1]
        if new is S.CERTIFICATE:
            v = self._visit
            assert v.item is not None and v.applicant is not None
            v.action = FetchCertificate(v.item, v.item.certificate_kind or "", v.applicant.id_number)
        self._go(new, "next")

    # -- home and guide (the short paths are in lookup.py) ---------------------------------
    def choose(self, item: Item) -> None:
        self._guard("choose")
        self._visit.item = item
        self._go(S.GUIDE, "choose")

    def start(self) -> None:
        self._guard("start")
        self._go(S.IDENTIFY, "start")

    # -- identification and eligibility -------------------------------------------------
    def identified_by_card(self, card: Any) -> None:
        """An ID card reading: ``drivers.idcard.card.IdCard``, its ``to_dict()``, or a mapping."""
        self._guard("identified_by_card")
        self._identified(card, "id_card", "identified_by_card")

    def identified_by_qr(self, qr: QrIdentity) -> None:
        """A QR identity the caller has resolved (see :class:`QrIdentity`)."""
        self._guard("identified_by_qr")
        if not isinstance(qr, QrIdentity):
            raise InputError("bad_qr")
        self._identified(qr, "qr", "identified_by_qr")

    def _identified(self, card: Any, method: str, event: str) -> None:
        v = self._visit
        if self._state is S.IDENTIFY:
            assert v.item is not None
            if method not in v.item.identity_methods:
                raise InvalidTransition(event, self._state, f"item takes {v.item.identity_methods}")
        applicant, facts = applicant_from(card)
        if self._state is S.PROGRESS_QUERY:
            v.action = QueryProgress(id_number=applicant.id_number)
            self._go(S.PROGRESS_LOOKUP, event)
            return
        assert v.item is not None
        problems = list(self._eligibility(v.item, facts, self._wall().date()))
        v.applicant, v.method = applicant, method
        if problems:
            v.problems.extend(problems)
            self._go(S.INELIGIBLE, "ineligible")
            return
        v.form.update(prefill(v.item, applicant))
        self._next_step(S.IDENTIFY)

    # -- the steps ------------------------------------------------------------------------
    def face_taken(self, blob: Blob) -> None:
        self._guard("face_taken")
        check_blob(blob)
        old, self._visit.face = self._visit.face, blob
        if old is not None and old is not blob:
            old.wipe()
        self._next_step(S.FACE)

    def form_submitted(self, values: Mapping[str, Any]) -> None:
        """Validate and keep the values; the validator's error (per-field problems) is
        raised as is and the typed values are kept for the screen to show again."""
        self._guard("form_submitted")
        form, item = self._visit.form, self._visit.item
        assert item is not None
        form.clear()
        form.update(values)
        clean = self._validate(item, dict(values))
        form.clear()
        form.update(clean)
        self._next_step(S.FORM)

    def material_taken(self, code: str, blob: Blob) -> None:
        """One page of material ``code``; pages in order."""
        self._guard("material_taken")
        req = self._visit.requirement(code)
        check_blob(blob)
        pages = self._visit.pages.setdefault(code, [])
        if len(pages) >= req.pages:
            raise InputError("material_full", name=CatalogText(req.name, req, "name_for"))
        pages.append(blob)
        self._active()

    def material_retake(self, code: str) -> None:
        """Discard (and zero) every page taken of ``code``."""
        self._guard("material_retake")
        self._visit.requirement(code)
        for blob in self._visit.pages.pop(code, []):
            blob.wipe()
        self._active()

    def materials_done(self) -> None:
        self._guard("materials_done")
        missing = self._visit.materials_missing()
        if missing:
            names = tuple(CatalogText(r.name, r, "name_for") for r in missing)
            raise InputError("materials_missing", names=names)
        self._next_step(S.MATERIALS)

    def signed(self, blob: Blob) -> None:
        self._guard("signed")
        check_blob(blob)
        old, self._visit.signature = self._visit.signature, blob
        if old is not None and old is not blob:
            old.wipe()
        self._next_step(S.SIGNATURE)

    def back(self) -> None:
        """上一步: the previous step of the item, never back across identification."""
        self._guard("back")
        if self._state in (S.GUIDE, S.PROGRESS_QUERY):
            self._end("back")
            return
        steps = self.steps
        previous = steps[steps.index(self._state) - 1]
        if previous is S.IDENTIFY:
            raise InvalidTransition("back", self._state, "identification is not undone")
        self._go(previous, "back")

    # -- confirm, submit, receipt, rating -------------------------------------------------
    def confirm(self, agreed: bool) -> TransactionDraft:
        """确认提交 with the 承诺 ticked: the draft for ``Outbox.submit`` (also in ``action``)."""
        self._guard("confirm")
        if not agreed:
            raise InputError("agreement_required")
        draft = self._visit.draft = self._visit.build_draft(self._wall())
        self._visit.action = SubmitDraft(draft)
        self._go(S.SUBMITTING, "confirm")
        return draft

    def submitted(self, txn_id: str, accepted_at: datetime, delivered: bool) -> None:
        """The outbox committed the draft (its bytes are sealed on disk): everything
        personal is wiped now except what the receipt prints."""
        self._guard("submitted")
        if not is_txn_id(txn_id):
            raise InputError("bad_txn_id")
        old = self._visit
        assert old.item is not None and old.applicant is not None
        receipt = PrintReceipt(txn_id, old.item, old.applicant.name, old.applicant.id_number,
                               accepted_at, bool(delivered))
        self._visit = Visit(item=old.item, method=old.method, txn_id=txn_id, action=receipt)
        old.wipe()
        self._go(S.RECEIPT, "submitted")

    def submit_failed(self) -> None:
        """The outbox could not commit (nothing was accepted): back to CONFIRM to retry."""
        self._guard("submit_failed")
        self._visit.draft = self._visit.action = None  # its blobs are still the visit's
        self._go(S.CONFIRM, "submit_failed")

    def receipt_printed(self, ok: bool) -> None:
        self._guard("receipt_printed")
        self._visit.receipt_ok, self._visit.action = bool(ok), None
        self._go(S.RATING, "receipt_printed")

    def rate(self, score: int, reasons: list[str] | None = None, comment: str = "") -> RatingIn:
        """好差评 of the visit's transaction, or of the case taken by ``rate_case``: ends the
        visit; the caller queues the rating (``Outbox.add_rating``)."""
        self._guard("rate")
        assert self._visit.txn_id is not None
        try:
            rating = RatingIn(txn_id=self._visit.txn_id, score=score, reasons=list(reasons or []),
                              comment=comment, rated_at=self._wall())
        except ValidationError:
            raise InputError("bad_rating") from None
        self._end("finished")
        return rating

    def finish(self) -> None:
        self._guard("finish")
        self._end("finished")

    # -- cancel and idle ------------------------------------------------------------------
    def cancel(self) -> None:
        self._guard("cancel")
        self._end("cancelled")

    def set_elder_mode(self, on: bool) -> None:
        """长辈模式: the longer idle timeout; switched off when the visit ends."""
        self._guard("set_elder_mode")
        self.elder_mode = bool(on)
        self._customised = self._customised or self.elder_mode
        self._active()

    def customised(self) -> None:
        """The home screen was set up for one person (e.g. a language chosen) before any visit:
        if they walk away, :meth:`tick` ends it like a visit so the next person finds the kiosk
        as it always is."""
        self._guard("customised")
        self._customised = True
        self._active()

    def touch(self) -> None:
        """Any touch; in IDLE_WARNING it is 继续办理 and returns to where the visit was."""
        self._guard("touch")
        if self._state is S.IDLE_WARNING:
            resume, self._resume, self._warned_at = self._resume, None, None
            assert resume is not None
            self._go(resume, "resumed")
        else:
            self._active()

    def tick(self, now: float | None = None) -> None:
        """Call about once a second with the monotonic time."""
        self._guard("tick")
        now = self._monotonic() if now is None else now
        if self._state in IDLE_WATCHED and now - self._last_active >= self.idle_timeout_s:
            self._resume, self._warned_at = self._state, now
            self._go(S.IDLE_WARNING, "idle_warning")
        elif (self._state is S.IDLE_WARNING and self._warned_at is not None
              and now - self._warned_at >= self.settings.idle_countdown_s):
            self._end("idle")
        elif (self._state is S.HOME and self._customised
              and now - self._last_active >= self.idle_timeout_s):
            self._end("home_idle")  # 长辈模式 or a language left on by someone who walked away
