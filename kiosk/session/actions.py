"""What the session asks the UI to do, and what it tells the UI's listeners.

The session does no I/O. In each busy state (``states.BUSY``) it holds exactly one
action naming the outside work to do — print, commit, ask the county — and the UI
reports the outcome with the matching event. Actions may hold personal data (the draft,
an id number to query with); they are dropped and wiped when the session moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.catalog.model import Item
from kiosk.draft import TransactionDraft
from kiosk.session.states import State
from kiosk.wire import mask_id_number, mask_name


@dataclass(frozen=True)
class Change:
    """One state change, as listeners get it. ``reason`` names why: the event, or for a
    change to HOME how the visit ended (``finished``, ``cancelled``, ``idle``, ``back``,
    ``ineligible``, ``certificate_failed``)."""

    old: State
    new: State
    reason: str


@dataclass(frozen=True)
class PrintGuide:
    """Print 一次性告知单 (``receipts.guide_notice(item, identity)``); then ``guide_printed``."""

    item: Item


@dataclass(frozen=True, repr=False)
class SubmitDraft:
    """Give the draft to ``Outbox.submit``; then ``submitted(...)`` or ``submit_failed()``."""

    draft: TransactionDraft

    def __repr__(self) -> str:
        return f"SubmitDraft({self.draft!r})"


@dataclass(frozen=True, repr=False)
class PrintReceipt:
    """Print 受理回执 (``receipts.acceptance_receipt``, which masks the applicant); then
    ``receipt_printed(ok)``."""

    txn_id: str
    item: Item
    applicant_name: str
    applicant_id_number: str
    accepted_at: datetime
    delivered: bool

    def __repr__(self) -> str:
        return (f"PrintReceipt({self.txn_id!r}, {mask_name(self.applicant_name)!r}, "
                f"{mask_id_number(self.applicant_id_number)!r})")


@dataclass(frozen=True, repr=False)
class FetchCertificate:
    """``POST /certificates`` with ``kind`` and ``id_number``, print it; then
    ``certificate_printed(ok)``."""

    item: Item
    kind: str
    id_number: str

    def __repr__(self) -> str:
        return f"FetchCertificate({self.kind!r}, {mask_id_number(self.id_number)!r})"


@dataclass(frozen=True, repr=False)
class QueryProgress:
    """Ask the county: by receipt number (``GET /transactions/{txn_id}``) or by id number
    (``POST /transactions/query``); exactly one is set. Then ``progress_answered(count)``."""

    txn_id: str | None = None
    id_number: str | None = None

    def __repr__(self) -> str:
        who = mask_id_number(self.id_number) if self.id_number else None
        return f"QueryProgress(txn_id={self.txn_id!r}, id_number={who!r})"


Action = PrintGuide | SubmitDraft | PrintReceipt | FetchCertificate | QueryProgress
