"""What the store hands out and the errors it raises: plain values, no personal data in them.

Every record here may be logged or shown in the service menu: it carries numbers, item
names, times and states, never a name, an id number or an image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["txn", "rating"]
RATING_PREFIX = "rating:"


class StoreError(Exception):
    """Base of the store's own errors."""


class InvalidDraft(StoreError):
    """The draft does not make a valid ``TransactionIn``/``RatingIn``; names the fields, never the values."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid: " + "; ".join(problems))


class SequenceExhausted(StoreError):
    """The device has used all 999999 numbers its txn_id format allows."""


class DuplicateRating(StoreError):
    """That transaction has been rated already (one rating per transaction)."""


class UnknownKey(StoreError):
    """No queued transaction or rating has that key."""


class Purged(StoreError):
    """The row was delivered and its personal data deleted."""


class WrongState(StoreError):
    """The operation does not apply to the row in its current state."""


def kind_of(key: str) -> Kind:
    return "rating" if key.startswith(RATING_PREFIX) else "txn"


@dataclass(frozen=True)
class Submitted:
    txn_id: str
    accepted_at: datetime


@dataclass(frozen=True)
class Pending:
    """One body due for delivery. For ``txn`` upload ``blob_hashes`` first, then POST ``body(key)``."""

    kind: Kind
    key: str
    txn_id: str
    attempts: int
    blob_hashes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    delivered: int
    dead: int
    oldest_pending_age_s: int | None
    discarded: int = 0


@dataclass(frozen=True)
class DeadLetter:
    kind: Kind
    key: str
    txn_id: str
    item_code: str | None
    item_name: str | None
    code: str
    message: str = field(repr=False)  # the backend's text: it may quote what it refused
    dead_at: datetime
    attempts: int


@dataclass(frozen=True)
class TxnRecord:
    """A transaction as the service menu and a receipt reprint see it."""

    txn_id: str
    item_code: str
    item_version: str
    item_name: str
    promised_days: int
    created_at: str
    accepted_at: datetime
    state: str  # pending | delivered | dead
    attempts: int
    delivered_at: datetime | None
    discard_reason: str | None = field(repr=False)  # staff's free text: may name the citizen
    purged: bool
