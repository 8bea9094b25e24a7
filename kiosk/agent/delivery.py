"""Delivering the outbox: blobs first, then the transaction, then ratings; never a duplicate.

Why it cannot duplicate or lose: the store keeps each transaction's request body as bytes,
once, and this loop sends those bytes with ``Idempotency-Key: {txn_id}`` until the backend
acknowledges them (201, or 200 for a repeat it had already processed). A row is marked
delivered only after an acknowledgement, so a SIGKILL at any instant leaves it pending and
it is sent again, same key, same bytes; the backend answers 200 and that is accepted as
delivery. Blobs are content-addressed, so uploading one twice is harmless.

Failures (``kiosk.client``): a :class:`Retryable` one backs off with full jitter, capped at
``retry_cap_s``, forever, and ends the pass (the backend is away; hammering it with every
other row helps nobody). That wait (at least the ``Retry-After`` the backend asked for) is
also an agent-wide floor, :attr:`Deliverer.not_before`: no delivery request of any row goes
out before it passes. :class:`ClockSkew` is tried once more at once, since the client has
corrected its clock. :class:`Final` makes a dead letter with the backend's code and message.
``422 missing_blobs`` uploads the named blobs and posts again.

Order: rows go in submission order, so each citizen's transactions reach the county in the
order they were made, also after a long outage. A row that failed because the backend is
away keeps its place at the head of the queue (due "at once"; the floor holds the wait).
Only a row that keeps failing while the backend answers the beacon (a 500 or a bad answer
for this row alone) is put back by its own back-off, so that it cannot hold up the others.

Blobs the backend confirmed (201/200) are remembered per transaction in the store's ``kv``
(:data:`CONFIRMED_PREFIX`), so a retry uploads only the others; ``missing_blobs`` stays the
safety net for a backend that lost some.

A rating goes after its transaction: while its transaction is pending here (``404`` from
the backend), the rating waits and retries; a ``404`` for a rating whose transaction is not
pending here (delivered, dead, forgotten, or made elsewhere) is final.

``stop`` (a ``threading.Event``) is checked between requests, so SIGTERM ends a pass after
the request in flight; the row keeps its state and goes next time.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from kiosk.agent.outbox_port import MISSING, UNREADABLE, KeyValues, OutboxPort, Pending
from kiosk.client import ClockSkew, CountyClient, Final, MissingBlobs, NotAuthorized, Retryable

log = logging.getLogger(__name__)

#: The contract's ceiling on any wait, also for a ``Retry-After`` that asks for more.
MAX_BACKOFF_S = 300.0
BASE_BACKOFF_S = 1.0
MIN_BACKOFF_S = 0.05
#: ``next_at`` of a row that keeps its place: due at once, first in line (the floor waits).
AT_ONCE = datetime.fromtimestamp(0, timezone.utc)
#: Failures that say nothing of the row: the backend (or the way to it) is away or busy.
BACKEND_AWAY = ("timeout", "connection", "http_408", "http_429", "http_502", "http_503", "http_504",
                "replayed_nonce", "clock_skew")
#: kv key prefix: ``{prefix}{txn_id}`` → the sha256 of the blobs the backend confirmed.
CONFIRMED_PREFIX = "delivery.confirmed_blobs:"


def backoff_delay(attempt: int, cap_s: float, rng: random.Random, retry_after: float | None = None) -> float:
    """Exponential back-off with full jitter: uniform in [0, min(cap, base·2^attempt)].

    A ``Retry-After`` from the backend is honoured as a floor (at most 300 s).
    """
    ceiling = min(float(cap_s), MAX_BACKOFF_S, BASE_BACKOFF_S * 2 ** min(attempt, 30))
    delay = max(MIN_BACKOFF_S, rng.uniform(0, ceiling))
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_BACKOFF_S))
    return delay


@dataclass
class PassResult:
    """What one pass over the due rows did; ``wait_s`` is set when the backend is away."""

    delivered: int = 0
    dead: int = 0
    retried: int = 0
    wait_s: float | None = None
    stopped: bool = False

    @property
    def backend_away(self) -> bool:
        return self.wait_s is not None


class _Stopped(Exception):
    """The stop event was set between two requests."""


class _Later(Exception):
    """This row waits (its transaction is not delivered yet); other rows may go on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Deliverer:
    """Runs passes over the outbox's due rows."""

    def __init__(
        self,
        outbox: OutboxPort,
        client: CountyClient,
        device_id: str,
        retry_cap_s: float,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        kv: KeyValues | None = None,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.device_id = device_id
        self.retry_cap_s = retry_cap_s
        self.rng = rng or random.Random()
        self.clock = clock
        self.kv = kv  # where confirmed blobs are remembered (None: not remembered)
        self.failures = 0  # consecutive passes that found the backend away
        self.not_before = 0.0  # no delivery request before this time (Retry-After, back-off)
        self.answered_at: float | None = None  # when the backend last answered a beacon
        self._last_failure: tuple[str, float] | None = None  # (row, when) of the last failure
        self._troubled: set[str] = set()  # rows put back for failing while the backend answers
        self._stop: Any = None

    def backend_answered(self) -> None:
        """The loop says a beacon was answered: the backend is up (a row failing now fails alone)."""
        self.answered_at = self.clock()

    def floor_wait(self) -> float:
        """Seconds until delivery requests may go again (0 when they may now)."""
        now = self.clock()
        if self.not_before > now + MAX_BACKOFF_S:  # set before the clock stepped back
            self.not_before = now
        return max(0.0, self.not_before - now)

    def deliver_due(self, limit: int = 50, stop: Any = None) -> PassResult:
        """One pass; ``stop`` (anything with ``is_set()``) is checked between requests."""
        wait = self.floor_wait()
        if wait > 0:
            return PassResult(wait_s=wait)
        self._stop = stop
        try:
            return self._pass(limit)
        finally:
            self._stop = None

    def _check_stop(self) -> None:
        if self._stop is not None and self._stop.is_set():
            raise _Stopped

    def _pass(self, limit: int) -> PassResult:
        result = PassResult()
        rows = list(self.outbox.due(self._at(), limit))
        rows.sort(key=lambda row: row.kind != "txn")  # transactions before ratings
        waiting_txns: set[str] = set()
        for row in rows:
            if row.kind == "rating" and row.key.removeprefix("rating:") in waiting_txns:
                self._later(row, "waiting for its transaction", result)
                continue
            try:
                self._check_stop()
                self._deliver_with_skew_retry(row)
            except _Stopped:
                result.stopped = True
                return result
            except Retryable as err:
                delay = backoff_delay(max(self.failures, row.attempts), self.retry_cap_s, self.rng, err.retry_after)
                self.failures += 1
                self.not_before = self.clock() + delay
                keep = self._keeps_place(row.key, err)
                self.outbox.mark_retry(row.key, err.reason, AT_ONCE if keep else self._at(delay))
                log.info("delivery of %s deferred %.1f s%s: %s", row.key, delay, "" if keep else ", put back",
                         err.reason)
                result.retried += 1
                result.wait_s = delay
                return result
            except _Later as later:
                self._later(row, later.reason, result)
                if row.kind == "txn":
                    waiting_txns.add(row.key)
            except UNREADABLE:
                self._troubled.discard(row.key)
                err = Final("local_data_unreadable", "the sealed row or a blob does not open with the data key")
                self.outbox.mark_dead(row.key, err.code, err.message, self._at())
                log.error("dead letter %s: %s", row.key, err.code)
                result.dead += 1
            except Final as err:
                self._troubled.discard(row.key)
                self.outbox.mark_dead(row.key, err.code, err.message, self._at())
                log.warning("dead letter %s: %s (%s)", row.key, err.code, err.status)
                result.dead += 1
                if row.kind == "txn":
                    waiting_txns.add(row.key)
                    self._forget_confirmed(row.key)
            else:
                result.delivered += 1
                self.failures = 0
                self._troubled.discard(row.key)
                if row.kind == "txn":
                    self._forget_confirmed(row.key)
        return result

    def _keeps_place(self, key: str, err: Retryable) -> bool:
        """Does a row that failed with ``err`` stay first in line (see the module's "Order")?
        It does unless it failed before and the backend answered a beacon in between."""
        if isinstance(err, NotAuthorized) or err.reason.startswith(BACKEND_AWAY):
            return True
        last, self._last_failure = self._last_failure, (key, self.clock())
        alone = last is not None and last[0] == key and self.answered_at is not None and self.answered_at > last[1]
        if alone or key in self._troubled:
            self._troubled.add(key)
            return False
        return True

    def _at(self, later_s: float = 0.0) -> datetime:
        return datetime.fromtimestamp(self.clock() + later_s, timezone.utc)

    def _later(self, row: Pending, reason: str, result: PassResult) -> None:
        delay = backoff_delay(row.attempts, self.retry_cap_s, self.rng)
        self.outbox.mark_retry(row.key, reason, self._at(delay))
        result.retried += 1

    def _deliver_with_skew_retry(self, row: Pending) -> None:
        try:
            self._deliver(row)
        except ClockSkew as skew:
            log.warning("clock skew: signing with offset %+.0f s from now on", skew.offset_s)
            try:
                self._deliver(row)
            except ClockSkew as again:  # the server's clock jumps about: do not insist
                raise Retryable("clock_skew") from again

    def _deliver(self, row: Pending) -> None:
        if row.kind == "txn":
            self._deliver_txn(row)
        elif row.kind == "rating":
            self._deliver_rating(row)
        else:
            raise Final("unknown_kind", f"outbox row kind {row.kind!r}")

    # -- which blobs the backend has confirmed, per transaction ------------------------------------
    def _confirmed(self, txn_id: str) -> set[str]:
        if self.kv is None:
            return set()
        value = self.kv.get(CONFIRMED_PREFIX + txn_id)
        return {h for h in value if isinstance(h, str)} if isinstance(value, list) else set()

    def _remember_confirmed(self, txn_id: str, confirmed: set[str]) -> None:
        if self.kv is not None:
            self.kv.set(CONFIRMED_PREFIX + txn_id, sorted(confirmed))

    def _forget_confirmed(self, txn_id: str) -> None:
        if self.kv is None:
            return
        delete = getattr(self.kv, "delete", None)
        if delete is not None:
            delete(CONFIRMED_PREFIX + txn_id)
        elif self.kv.get(CONFIRMED_PREFIX + txn_id) is not None:
            self.kv.set(CONFIRMED_PREFIX + txn_id, [])

    def _upload(self, txn_id: str, hashes: list[str] | tuple[str, ...], confirmed: set[str]) -> None:
        """PUT each of ``hashes`` not in ``confirmed``; each confirmed one is remembered at once."""
        for sha256 in hashes:
            if sha256 in confirmed:
                continue
            self._check_stop()
            try:
                content_type, data = self.outbox.blob(sha256)
            except MISSING:
                raise Final("blob_missing_locally", f"blob {sha256[:12]}… is not in the store") from None
            self.client.put_blob(sha256, content_type, data)  # 201 or 200; anything else raised
            confirmed.add(sha256)
            self._remember_confirmed(txn_id, confirmed)

    def _txn_pending_here(self, txn_id: str) -> bool:
        """Is ``txn_id`` a transaction of this store still waiting to be delivered?"""
        state_of = getattr(self.outbox, "state_of", None)
        if state_of is None:  # a store that cannot tell: one of ours may still come
            return txn_id.startswith(self.device_id + "-")
        return state_of(txn_id) == "pending"

    def _deliver_txn(self, row: Pending) -> None:
        body = self.outbox.body(row.key)
        confirmed = self._confirmed(row.key) & set(row.blob_hashes)
        self._upload(row.key, list(row.blob_hashes), confirmed)
        self._check_stop()
        try:
            ack, repeat = self.client.post_transaction(row.key, body)
        except MissingBlobs as missing:
            log.info("backend lacks %d blob(s) of %s; uploading", len(missing.missing), row.key)
            confirmed -= set(missing.missing)
            self._upload(row.key, missing.missing, confirmed)
            self._check_stop()
            try:
                ack, repeat = self.client.post_transaction(row.key, body)
            except MissingBlobs:
                self._forget_confirmed(row.key)  # next time, upload every one again
                raise Retryable("missing_blobs after upload") from None
        self.outbox.mark_delivered(row.key, ack.model_dump_json(), self._at())
        log.info("delivered %s%s", row.key, " (repeat accepted)" if repeat else "")

    def _deliver_rating(self, row: Pending) -> None:
        txn_id = row.key.removeprefix("rating:")
        body = self.outbox.body(row.key)
        try:
            created = self.client.post_rating(txn_id, body)
        except Final as err:
            if err.status == 404 and self._txn_pending_here(txn_id):
                raise _Later("its transaction is not at the backend yet") from None
            raise
        self.outbox.mark_delivered(row.key, json.dumps({"txn_id": txn_id, "repeat": not created}), self._at())
        log.info("delivered %s", row.key)
