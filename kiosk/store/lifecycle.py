"""Delivery bookkeeping of the outbox: what is due, what was delivered, dead letters, purging.

A row is ``pending`` until the backend acknowledges it (``delivered``) or answers with a
final error (``dead``: code and message kept, shown in the service menu, counted in the
beacon, never dropped silently). Staff may send a dead letter again (``retry_dead``) or
discard it with a reason they must give (``discard_dead``: the row stays dead, keeps the
reason, and is no longer listed or counted as dead).

``purge`` deletes the personal data of delivered and discarded rows once ``grace_s`` has
passed: the sealed body and error texts, and the images no pending or dead transaction still
names. The row keeps its number, item, times and state. Freed space is zeroed
(``secure_delete``) and, when something was purged, the WAL is truncated so not even the
ciphertext stays behind; that checkpoint gives up after :data:`CHECKPOINT_BUSY_MS` (a UI
submit must never wait on it) and is tried again at the next purge.

Ratings are held back until their transaction, if it was made here, has been delivered:
the backend answers 404 (final) for a rating of a transaction it has not seen. A rating
follows its transaction's fate: when the transaction becomes a dead letter its pending
rating becomes one too (code ``transaction_dead``), discarding the transaction discards its
rating, and sending the transaction again (``retry_dead``) brings the rating back.

``due`` trusts ``next_attempt_ts`` only up to :data:`MAX_WAIT_S` ahead: a row due later than
that was scheduled before the clock stepped back, and is due now.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy import Engine, Table, and_, case, delete, exists, func, not_, or_, select, update

from kiosk.crypto import DataKey
from kiosk.store.db import checkpoint, reading, writing
from kiosk.store.records import (RATING_PREFIX, DeadLetter, OutboxStatus, Pending, UnknownKey, WrongState,
                                 kind_of)
from kiosk.store.schema import aad, blobs, ratings, transaction_blobs, transactions

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 500
#: The contract's longest back-off; a row due further ahead was scheduled by a clock that
#: has since gone back.
MAX_WAIT_S = 300.0
#: How long a purge's checkpoint waits for readers before it gives up (next purge tries again).
CHECKPOINT_BUSY_MS = 100
TXN_DEAD = "transaction_dead"
TXN_DEAD_MESSAGE = "its transaction is a dead letter; it goes again when the transaction does"


class Lifecycle:
    def __init__(self, engine: Engine, key: DataKey) -> None:
        self._engine = engine
        self._key = key
        self._checkpoint_owed = False

    @staticmethod
    def _target(key: str) -> tuple[Table, object]:
        if kind_of(key) == "rating":
            return ratings, ratings.c.key
        return transactions, transactions.c.txn_id

    # -- the agent's side -------------------------------------------------------------------
    def due(self, now: datetime, limit: int = 50) -> list[Pending]:
        """Pending rows whose next attempt is due: transactions (oldest first), then ratings."""
        now_ts = now.timestamp()
        t, r = transactions, ratings

        def is_due(table: Table):
            return or_(table.c.next_attempt_ts <= now_ts, table.c.next_attempt_ts > now_ts + MAX_WAIT_S)

        with reading(self._engine) as conn:
            rows = conn.execute(select(t.c.txn_id, t.c.attempts).where(
                t.c.state == "pending", is_due(t),
            ).order_by(t.c.next_attempt_ts, t.c.seq).limit(limit)).all()
            found = []
            for row in rows:
                hashes = conn.execute(select(transaction_blobs.c.sha256).where(
                    transaction_blobs.c.txn_id == row.txn_id).order_by(transaction_blobs.c.position)).scalars()
                found.append(Pending("txn", row.txn_id, row.txn_id, row.attempts, tuple(hashes)))
            if len(found) < limit:
                undelivered = exists().where(t.c.txn_id == r.c.txn_id, t.c.state != "delivered")
                rows = conn.execute(select(r.c.key, r.c.txn_id, r.c.attempts).where(
                    r.c.state == "pending", is_due(r), not_(undelivered),
                ).order_by(r.c.next_attempt_ts, r.c.queued_ts).limit(limit - len(found))).all()
                found += [Pending("rating", row.key, row.txn_id, row.attempts) for row in rows]
        return found

    def mark_delivered(self, key: str, ack_json: str | bytes, now: datetime) -> None:
        """The backend acknowledged ``key`` (201 or a 200 repeat). A second call changes nothing."""
        table, column = self._target(key)
        ack = ack_json.decode("utf-8") if isinstance(ack_json, bytes) else ack_json
        with writing(self._engine) as conn:
            state = self._state(conn, table, column, key)
            if state == "delivered":
                return
            conn.execute(update(table).where(column == key).values(
                state="delivered", delivered_ts=now.timestamp(), ack=ack, attempts=table.c.attempts + 1))
        log.info("%s delivered", key)

    def mark_retry(self, key: str, error: str, next_at: datetime) -> bool:
        """A try failed for a passing reason; try again at ``next_at``. False if no longer pending."""
        table, column = self._target(key)
        with writing(self._engine) as conn:
            if self._state(conn, table, column, key) != "pending":
                return False
            conn.execute(update(table).where(column == key).values(
                attempts=table.c.attempts + 1, next_attempt_ts=next_at.timestamp(),
                last_error=self._seal_text(table, "last_error", key, error)))
        return True

    def mark_dead(self, key: str, code: str, message: str, now: datetime) -> bool:
        """The backend gave a final answer: a dead letter. False if no longer pending."""
        table, column = self._target(key)
        with writing(self._engine) as conn:
            if self._state(conn, table, column, key) != "pending":
                return False
            conn.execute(update(table).where(column == key).values(
                state="dead", dead_code=code[:64], dead_ts=now.timestamp(), attempts=table.c.attempts + 1,
                dead_message=self._seal_text(table, "dead_message", key, message)))
            if table is transactions:
                self._rating_follows_dead(conn, key, now.timestamp())
        log.warning("%s is a dead letter: %s", key, code[:64])
        return True

    def _rating_follows_dead(self, conn, txn_id: str, now_ts: float) -> None:
        """The pending rating of a dead transaction can never be delivered: dead too."""
        rating_key = RATING_PREFIX + txn_id
        if conn.execute(update(ratings).where(ratings.c.txn_id == txn_id, ratings.c.state == "pending").values(
                state="dead", dead_code=TXN_DEAD, dead_ts=now_ts,
                dead_message=self._seal_text(ratings, "dead_message", rating_key, TXN_DEAD_MESSAGE))).rowcount:
            log.warning("%s is a dead letter: %s", rating_key, TXN_DEAD)

    def state_of(self, key: str) -> str | None:
        """``pending``, ``delivered``, ``dead`` or None when no row has ``key`` (or it was forgotten)."""
        table, column = self._target(key)
        with reading(self._engine) as conn:
            return conn.execute(select(table.c.state).where(column == key)).scalar()

    # -- the service menu ---------------------------------------------------------------------
    def status(self, now: datetime) -> OutboxStatus:
        now_ts = now.timestamp()
        counts = {"pending": 0, "delivered": 0, "dead": 0, "discarded": 0}
        oldest: float | None = None
        with reading(self._engine) as conn:
            for table, since in ((transactions, transactions.c.accepted_ts), (ratings, ratings.c.queued_ts)):
                state = table.c.state
                label = case((table.c.discarded_ts.is_not(None), "discarded"), else_=state)
                for name, count in conn.execute(select(label, func.count()).group_by(label)).all():
                    counts[name] += count
                first = conn.execute(select(func.min(since)).where(state == "pending")).scalar()
                if first is not None:
                    oldest = first if oldest is None else min(oldest, first)
        age = None if oldest is None else max(0, int(now_ts - oldest))
        return OutboxStatus(counts["pending"], counts["delivered"], counts["dead"], age, counts["discarded"])

    def dead_letters(self) -> list[DeadLetter]:
        """Dead letters not discarded, oldest first."""
        found = []
        with reading(self._engine) as conn:
            t = transactions
            for row in conn.execute(select(t).where(t.c.state == "dead", t.c.discarded_ts.is_(None))).all():
                found.append(self._dead(t, row.txn_id, row.txn_id, row, row.item_code, row.item_name))
            r = ratings
            for row in conn.execute(select(r).where(r.c.state == "dead", r.c.discarded_ts.is_(None))).all():
                found.append(self._dead(r, row.key, row.txn_id, row, None, None))
        return sorted(found, key=lambda d: d.dead_at)

    def retry_dead(self, key: str) -> None:
        """Send a dead letter again, at once (say after the catalog was fixed on the backend)."""
        table, column = self._target(key)
        with writing(self._engine) as conn:
            row = conn.execute(select(table.c.state, table.c.discarded_ts).where(column == key)).first()
            if row is None:
                raise UnknownKey(key)
            if row.state != "dead" or row.discarded_ts is not None:
                raise WrongState(f"{key} is not a dead letter")
            if table is ratings:
                txn_id = key.removeprefix(RATING_PREFIX)
                txn_state = conn.execute(select(transactions.c.state).where(transactions.c.txn_id == txn_id)).scalar()
                if txn_state == "dead":
                    raise WrongState(f"{key} follows its transaction: send {txn_id} again instead")
            conn.execute(update(table).where(column == key).values(state="pending", next_attempt_ts=0.0))
            if table is transactions:  # its rating, if it died with it, goes again too
                conn.execute(update(ratings).where(
                    ratings.c.txn_id == key, ratings.c.state == "dead", ratings.c.dead_code == TXN_DEAD,
                    ratings.c.discarded_ts.is_(None)).values(state="pending", next_attempt_ts=0.0))
        log.info("%s sent back to the queue", key)

    def discard_dead(self, key: str, reason: str, now: datetime | None = None) -> None:
        """Give up on a dead letter; ``reason`` (who and why) is required and kept on the row."""
        reason = reason.strip()
        if not reason:
            raise ValueError("a reason is required to discard a dead letter")
        table, column = self._target(key)
        now_ts = (now or datetime.now(timezone.utc)).timestamp()
        with writing(self._engine) as conn:
            row = conn.execute(select(table.c.state, table.c.discarded_ts).where(column == key)).first()
            if row is None:
                raise UnknownKey(key)
            if row.state != "dead" or row.discarded_ts is not None:
                raise WrongState(f"{key} is not a dead letter")
            conn.execute(update(table).where(column == key).values(
                discard_reason=reason[:MAX_ERROR_CHARS], discarded_ts=now_ts))
            if table is transactions:  # its rating can never go: discarded with it
                conn.execute(update(ratings).where(
                    ratings.c.txn_id == key, ratings.c.state.in_(("pending", "dead")),
                    ratings.c.discarded_ts.is_(None)).values(
                    state="dead", dead_code=func.coalesce(ratings.c.dead_code, TXN_DEAD),
                    dead_ts=func.coalesce(ratings.c.dead_ts, now_ts),
                    discard_reason=reason[:MAX_ERROR_CHARS], discarded_ts=now_ts))
        log.warning("%s discarded by staff", key)

    def error_of(self, key: str) -> str | None:
        """The last passing error of a pending row (for the service menu)."""
        table, column = self._target(key)
        with reading(self._engine) as conn:
            sealed = conn.execute(select(table.c.last_error).where(column == key)).scalar()
        return None if sealed is None else self._key.open(sealed, aad(table.name, "last_error", key)).decode()

    # -- retention ----------------------------------------------------------------------------
    def purge(self, now: datetime, grace_s: float = 0) -> int:
        """Delete the personal data of rows delivered (or discarded) at least ``grace_s`` ago."""
        cutoff = now.timestamp() - grace_s
        purged = 0
        with writing(self._engine) as conn:
            self._sweep_orphan_ratings(conn, now.timestamp())
            for table, column in ((transactions, transactions.c.txn_id), (ratings, ratings.c.key)):
                done = and_(table.c.purged_ts.is_(None), or_(
                    and_(table.c.state == "delivered", table.c.delivered_ts <= cutoff),
                    and_(table.c.discarded_ts.is_not(None), table.c.discarded_ts <= cutoff)))
                keys = list(conn.execute(select(column).where(done)).scalars())
                if not keys:
                    continue
                conn.execute(update(table).where(column.in_(keys)).values(
                    body=None, last_error=None, dead_message=None, purged_ts=now.timestamp()))
                if table is transactions:
                    conn.execute(delete(transaction_blobs).where(transaction_blobs.c.txn_id.in_(keys)))
                purged += len(keys)
            still_named = select(transaction_blobs.c.sha256)
            gone = conn.execute(delete(blobs).where(blobs.c.sha256.not_in(still_named))).rowcount
        if purged or gone or self._checkpoint_owed:
            # Short and never blocking for long: a reader holding an old snapshot makes it
            # give up (the UI's submit must not wait behind it); the next purge tries again.
            self._checkpoint_owed = not checkpoint(self._engine, busy_timeout_ms=CHECKPOINT_BUSY_MS)
        if purged:
            log.info("purged the personal data of %d rows and %d images", purged, gone)
        return purged

    def _sweep_orphan_ratings(self, conn, now_ts: float) -> None:
        """Ratings left pending behind a dead transaction (rows from before ratings followed
        their transaction): dead now, so they do not wait forever."""
        dead_txn = exists().where(transactions.c.txn_id == ratings.c.txn_id, transactions.c.state == "dead")
        keys = list(conn.execute(select(ratings.c.txn_id).where(ratings.c.state == "pending", dead_txn)).scalars())
        for txn_id in keys:
            self._rating_follows_dead(conn, txn_id, now_ts)

    def forget(self, now: datetime, row_days: int) -> int:
        """Delete purged rows older than ``row_days`` altogether (the sequence is kept apart)."""
        cutoff = now.timestamp() - row_days * 86400
        with writing(self._engine) as conn:
            gone = conn.execute(delete(transactions).where(
                transactions.c.purged_ts.is_not(None), transactions.c.accepted_ts <= cutoff)).rowcount
            gone += conn.execute(delete(ratings).where(
                ratings.c.purged_ts.is_not(None), ratings.c.queued_ts <= cutoff)).rowcount
        return gone

    # -- helpers --------------------------------------------------------------------------------
    @staticmethod
    def _state(conn, table: Table, column, key: str) -> str:
        state = conn.execute(select(table.c.state).where(column == key)).scalar()
        if state is None:
            raise UnknownKey(key)
        return state

    def _seal_text(self, table: Table, column: str, key: str, text: str) -> bytes:
        return self._key.seal(text[:MAX_ERROR_CHARS].encode("utf-8"), aad(table.name, column, key))

    def _dead(self, table: Table, key: str, txn_id: str, row, item_code, item_name) -> DeadLetter:
        message = ""
        if row.dead_message is not None:
            message = self._key.open(row.dead_message, aad(table.name, "dead_message", key)).decode()
        return DeadLetter(kind_of(key), key, txn_id, item_code, item_name, row.dead_code or "", message,
                          datetime.fromtimestamp(row.dead_ts or 0, timezone.utc), row.attempts)
