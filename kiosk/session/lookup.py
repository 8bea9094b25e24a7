"""The short paths of a visit, as a part of :class:`kiosk.session.Session`: 一次性告知单
(GUIDE → GUIDE_PRINT → GUIDE), the end of a certificate (CERTIFICATE → HOME), 进度查询
(HOME → PROGRESS_QUERY → PROGRESS_LOOKUP → PROGRESS_RESULT) and 好差评 of a case found
there (PROGRESS_RESULT → RATING → HOME).

Rating a case found by a progress query: the UI reports with ``progress_answered`` the
cases the citizen may rate (:class:`FoundCase`: number, item and the applicant masked —
nothing else of the answer reaches the session); ``rate_case(txn_id)`` takes one of them to
RATING, where ``rate`` makes the ``RatingIn`` exactly as after a submission. The contract
(``POST /ratings``, ``Idempotency-Key: rating:{txn_id}``) takes one rating per case from any
enrolled kiosk for any case the county knows: a second one with another body is refused
(409) and stays a dead letter, so the UI offers only cases this kiosk has not rated, and the
rating screen says that the first rating of a case is the one that counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.session.actions import PrintGuide, QueryProgress
from kiosk.session.states import InputError, State
from kiosk.wire import is_txn_id, mask_id_number, mask_name

if TYPE_CHECKING:
    from kiosk.session.visit import Visit

S = State


@dataclass(frozen=True)
class FoundCase:
    """A case a progress query found that the citizen may rate, as the screens show it.
    The applicant is masked here again whatever came (masking is idempotent)."""

    txn_id: str
    item_name: str
    applicant_name: str = ""
    applicant_id_number: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "txn_id", str(self.txn_id).strip().upper())
        object.__setattr__(self, "applicant_name", mask_name(str(self.applicant_name or "")))
        object.__setattr__(self, "applicant_id_number",
                           mask_id_number(str(self.applicant_id_number or "")))


class ShortPaths:
    """Mixed into ``Session``; uses its ``_guard``, ``_go``, ``_end`` and ``_visit``."""

    _visit: Visit
    _guard: Callable[[str], None]
    _go: Callable[[State, str], None]
    _end: Callable[[str], None]

    # -- what the UI reads --------------------------------------------------------------
    @property
    def guide_print_ok(self) -> bool | None:
        return self._visit.guide_print_ok

    @property
    def progress_count(self) -> int | None:
        return self._visit.progress_count

    @property
    def found_cases(self) -> tuple[FoundCase, ...]:
        """The cases of the progress answer the citizen may rate (PROGRESS_RESULT)."""
        return tuple(self._visit.found)

    @property
    def rating_case(self) -> FoundCase | None:
        """The case being rated when RATING was reached from a progress answer."""
        return self._visit.rating_case

    # -- 一次性告知单 and certificates ------------------------------------------------------
    def print_guide(self) -> None:
        self._guard("print_guide")
        assert self._visit.item is not None
        self._visit.action = PrintGuide(self._visit.item)
        self._go(S.GUIDE_PRINT, "print_guide")

    def guide_printed(self, ok: bool) -> None:
        self._guard("guide_printed")
        self._visit.guide_print_ok, self._visit.action = bool(ok), None
        self._go(S.GUIDE, "guide_printed")

    def certificate_printed(self, ok: bool) -> None:
        self._guard("certificate_printed")
        self._end("finished" if ok else "certificate_failed")

    # -- 进度查询 ------------------------------------------------------------------------------
    def query_progress(self) -> None:
        self._guard("query_progress")
        self._go(S.PROGRESS_QUERY, "query_progress")

    def progress_by_number(self, text: str) -> None:
        """A receipt number typed, or scanned from a receipt's QR code."""
        self._guard("progress_by_number")
        number = str(text).strip().upper()
        if not is_txn_id(number):
            raise InputError("bad_number")
        self._visit.action = QueryProgress(txn_id=number)
        self._go(S.PROGRESS_LOOKUP, "progress_by_number")

    def progress_answered(self, count: int, rateable: Iterable[FoundCase] = ()) -> None:
        """The county answered: ``count`` cases found (the UI holds the masked answer), of
        which ``rateable`` may be rated here (not rated from this kiosk before)."""
        self._guard("progress_answered")
        found: list[FoundCase] = []
        for case in rateable:
            if not isinstance(case, FoundCase):
                raise InputError("bad_case")
            if is_txn_id(case.txn_id) and case.txn_id not in {c.txn_id for c in found}:
                found.append(case)
        v = self._visit
        v.progress_count, v.action = max(0, int(count)), None
        v.found[:] = found
        self._go(S.PROGRESS_RESULT, "progress_answered")

    # -- 好差评 of a case found -----------------------------------------------------------------
    def rate_case(self, txn_id: str) -> FoundCase:
        """评价此件: RATING for one of the cases found; ``rate`` then ends the visit."""
        self._guard("rate_case")
        number = str(txn_id).strip().upper()
        case = next((c for c in self._visit.found if c.txn_id == number), None)
        if case is None:
            raise InputError("not_rateable")
        self._visit.txn_id, self._visit.rating_case = case.txn_id, case
        self._go(S.RATING, "rate_case")
        return case
