"""What the agent needs of the store (``kiosk/store``), as Protocols.

The delivery loop and the beacon are written against these few methods only, so they can be
tested against an in-memory stand-in (``tests/support/memory_outbox.py``) and the real
SQLite store alike. Times are aware ``datetime`` values, as the store takes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol, Sequence


class Pending(Protocol):
    """One row due for delivery."""

    kind: Literal["txn", "rating"]
    key: str  # the Idempotency-Key: the txn_id, or rating:{txn_id}
    txn_id: str
    attempts: int
    blob_hashes: Sequence[str]  # sha256 of every blob a transaction names (empty for a rating)


class OutboxStatus(Protocol):
    pending: int
    delivered: int
    dead: int
    oldest_pending_age_s: int | None


class OutboxPort(Protocol):
    def due(self, now: datetime, limit: int) -> Sequence[Pending]: ...

    def body(self, key: str) -> bytes: ...

    def blob(self, sha256: str) -> tuple[str, bytes]: ...

    def mark_delivered(self, key: str, ack_json: str, now: datetime) -> None: ...

    def mark_retry(self, key: str, error: str, next_at: datetime) -> None: ...

    def mark_dead(self, key: str, code: str, message: str, now: datetime) -> None: ...

    def status(self, now: datetime) -> OutboxStatus: ...

    def purge(self, now: datetime, grace_s: float = 0) -> int: ...

    def forget(self, now: datetime, row_days: int) -> int: ...

    # Optional (looked up with getattr): ``state_of(key) -> "pending" | "delivered" | "dead" | None``
    # tells whether a rating's transaction is still pending here (its 404 then waits).


def _missing_errors() -> tuple[type[BaseException], ...]:
    try:
        from kiosk.store.records import UnknownKey
    except ImportError:  # pragma: no cover - the store is optional for the stand-in
        return (LookupError,)
    return (LookupError, UnknownKey)


#: What ``body``/``blob`` raise for a key the store does not hold.
MISSING = _missing_errors()


def _unreadable_errors() -> tuple[type[BaseException], ...]:
    try:
        from kiosk.crypto import CryptoError
    except ImportError:  # pragma: no cover
        return ()
    return (CryptoError,)


#: What ``body``/``blob`` raise for sealed data that no longer opens (tampered, wrong key).
UNREADABLE = _unreadable_errors()


class KeyValues(Protocol):
    """Small persistent JSON values (the store's ``kv``)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...
