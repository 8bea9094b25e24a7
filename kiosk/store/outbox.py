"""The outbox: what a citizen submitted, sealed on disk until the county has acknowledged it.

``submit`` numbers the transaction, builds the exact request body, seals body and images,
and commits all of it in one ``BEGIN IMMEDIATE`` transaction with ``synchronous=FULL``: when
it returns, the transaction survives a power cut, and only then may the receipt print.

Numbers: ``{device_id}-{YYYYMMDD}-{NNNNNN}``. The date is the calendar date of ``now`` in the
offset ``now`` carries (callers pass ``datetime.now().astimezone()``: local time). NNNNNN
comes from the ``sequence`` row of the device, incremented in the same database transaction
that stores the row, so a crash either keeps both or neither: a number is never handed out
twice and never skipped by a committed row. After 999999 the store refuses to number more
(``SequenceExhausted``): the contract fixes six digits, wrapping round would repeat numbers,
and at a few hundred a day that is thousands of years away; a machine that got there would
be enrolled under a new device id.

Images are stored once per SHA-256 (a photo handed in twice is kept once), sealed inside the
database rather than as files, so that one commit covers the row and its images and purging
them zeroes them in place (``secure_delete``). Delivery bookkeeping (due, mark_*, dead
letters, purge) lives in ``lifecycle.py``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime, timezone

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kiosk import wire
from kiosk.crypto import CryptoError, DataKey
from kiosk.draft import TransactionDraft
from kiosk.identity import DEVICE_ID_PATTERN
from kiosk.store import bodies
from kiosk.store.db import reading, writing
from kiosk.store.lifecycle import Lifecycle
from kiosk.store.records import (RATING_PREFIX, DuplicateRating, Purged, SequenceExhausted, Submitted,
                                 TxnRecord, UnknownKey)
from kiosk.store.schema import aad, blobs, ratings, sequence, transaction_blobs, transactions

log = logging.getLogger(__name__)

MAX_SEQ = 999_999


class Outbox(Lifecycle):
    """Queued transactions and ratings. Safe to use from several threads and processes."""

    def __init__(self, engine: Engine, key: DataKey) -> None:
        super().__init__(engine, key)

    # -- queueing ---------------------------------------------------------------------------
    def submit(self, draft: TransactionDraft, device_id: str, now: datetime) -> Submitted:
        """Number, seal and durably store one transaction. Does not wipe the draft."""
        if now.tzinfo is None:
            raise ValueError("now must carry its offset")
        if not re.fullmatch(DEVICE_ID_PATTERN, device_id):
            raise ValueError("device id does not follow the contract")
        # Validate and seal the images before taking the write lock: that is the slow part.
        bodies.transaction_model(draft, f"{device_id}-{now:%Y%m%d}-000000")
        sealed_blobs: dict[str, tuple[str, int, bytes]] = {}
        for blob in draft.blobs():
            sha = blob.sha256
            if sha not in sealed_blobs:
                sealed_blobs[sha] = (blob.content_type, blob.size,
                                     self._key.seal(blob.data, aad("blobs", "sealed", sha)))
        hashes = [blob.sha256 for blob in draft.blobs()]
        ts = now.timestamp()
        with writing(self._engine) as conn:
            seq = _next_seq(conn, device_id)
            txn_id = f"{device_id}-{now:%Y%m%d}-{seq:06d}"
            body = bodies.transaction_body(bodies.transaction_model(draft, txn_id))
            conn.execute(insert(transactions).values(
                txn_id=txn_id, device_id=device_id, seq=seq, item_code=draft.item_code,
                item_version=draft.item_version, item_name=draft.item_name,
                promised_days=draft.promised_days, created_at=wire.rfc3339(draft.created_at),
                accepted_at=wire.rfc3339(now), accepted_ts=ts, state="pending", attempts=0,
                next_attempt_ts=ts, body=self._key.seal(body, aad("transactions", "body", txn_id))))
            for sha, (content_type, size, sealed) in sealed_blobs.items():
                conn.execute(sqlite_insert(blobs).values(
                    sha256=sha, content_type=content_type, size=size, sealed=sealed, created_ts=ts,
                ).on_conflict_do_nothing(index_elements=["sha256"]))
            for position, sha in enumerate(dict.fromkeys(hashes)):
                conn.execute(insert(transaction_blobs).values(txn_id=txn_id, sha256=sha, position=position))
        log.info("transaction %s queued (%s, %d images)", txn_id, draft.item_code, len(sealed_blobs))
        return Submitted(txn_id=txn_id, accepted_at=now)

    def add_rating(self, rating: wire.RatingIn, now: datetime | None = None) -> str:
        """Queue a rating (好差评); returns its key ``rating:{txn_id}``. One per transaction."""
        key = RATING_PREFIX + rating.txn_id
        body = bodies.rating_body(rating)
        ts = (now or datetime.now(timezone.utc)).timestamp()
        with writing(self._engine) as conn:
            if conn.execute(select(ratings.c.key).where(ratings.c.txn_id == rating.txn_id)).first():
                raise DuplicateRating(f"{rating.txn_id} is rated already")
            conn.execute(insert(ratings).values(
                key=key, txn_id=rating.txn_id, score=rating.score, rated_at=wire.rfc3339(rating.rated_at),
                queued_ts=ts, state="pending", attempts=0, next_attempt_ts=ts,
                body=self._key.seal(body, aad("ratings", "body", key))))
        log.info("rating for %s queued", rating.txn_id)
        return key

    # -- reading what the agent sends -----------------------------------------------------------
    def body(self, key: str) -> bytes:
        """The exact bytes to send for ``key``, the same every time."""
        table, column = self._target(key)
        with reading(self._engine) as conn:
            row = conn.execute(select(table.c.body).where(column == key)).first()
        if row is None:
            raise UnknownKey(key)
        if row.body is None:
            raise Purged(key)
        return self._key.open(row.body, aad(table.name, "body", key))

    def blob(self, sha256: str) -> tuple[str, bytes]:
        """``(content_type, bytes)`` of a stored image; checked against its hash."""
        with reading(self._engine) as conn:
            row = conn.execute(select(blobs.c.content_type, blobs.c.sealed).where(blobs.c.sha256 == sha256)).first()
        if row is None:
            raise UnknownKey(sha256)
        plain = self._key.open(row.sealed, aad("blobs", "sealed", sha256))
        if hashlib.sha256(plain).hexdigest() != sha256:
            raise CryptoError("stored image does not match its hash")
        return row.content_type, plain

    # -- the service menu ----------------------------------------------------------------------
    def record(self, txn_id: str) -> TxnRecord | None:
        with reading(self._engine) as conn:
            row = conn.execute(select(transactions).where(transactions.c.txn_id == txn_id)).first()
        return _record(row) if row is not None else None

    def recent(self, limit: int = 20) -> list[TxnRecord]:
        """The newest transactions first (number, item, times, state: no personal data)."""
        with reading(self._engine) as conn:
            rows = conn.execute(select(transactions).order_by(transactions.c.accepted_ts.desc(),
                                                              transactions.c.seq.desc()).limit(limit)).all()
        return [_record(row) for row in rows]

    def __repr__(self) -> str:
        return "Outbox(<sealed>)"


def _next_seq(conn, device_id: str) -> int:
    last = conn.execute(select(sequence.c.last).where(sequence.c.device_id == device_id)).scalar()
    if last is None:
        conn.execute(insert(sequence).values(device_id=device_id, last=1))
        return 1
    if last >= MAX_SEQ:
        raise SequenceExhausted(f"device {device_id} has used every number up to {MAX_SEQ}")
    conn.execute(update(sequence).where(sequence.c.device_id == device_id).values(last=last + 1))
    return last + 1


def _record(row) -> TxnRecord:
    return TxnRecord(
        txn_id=row.txn_id, item_code=row.item_code, item_version=row.item_version, item_name=row.item_name,
        promised_days=row.promised_days, created_at=row.created_at,
        accepted_at=datetime.fromisoformat(row.accepted_at), state=row.state, attempts=row.attempts,
        delivered_at=(datetime.fromtimestamp(row.delivered_ts, timezone.utc)
                      if row.delivered_ts is not None else None),
        discard_reason=row.discard_reason, purged=row.purged_ts is not None)


__all__ = ["MAX_SEQ", "Outbox"]
