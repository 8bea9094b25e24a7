"""An in-memory stand-in for the store's outbox and kv (``kiosk.agent.outbox_port``).

A stand-in, not the store: it keeps rows in dicts so the delivery loop can be tested fast and
with states the real store would refuse to produce (a blob that vanished). The end-to-end
tests use the real SQLite store (``kiosk.store``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Row:
    kind: str
    key: str
    txn_id: str
    body: bytes = field(repr=False)
    blob_hashes: tuple[str, ...] = ()
    state: str = "pending"
    attempts: int = 0
    next_ts: float = 0.0
    queued_ts: float = 0.0
    ack: str | None = None
    dead: tuple[str, str] | None = None
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PendingRow:
    kind: str
    key: str
    txn_id: str
    attempts: int
    blob_hashes: tuple[str, ...]


@dataclass(frozen=True)
class Status:
    pending: int
    delivered: int
    dead: int
    oldest_pending_age_s: int | None


class MemoryOutbox:
    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.blobs: dict[str, tuple[str, bytes]] = {}

    def add_txn(self, txn: dict[str, Any], blobs: dict[str, tuple[str, bytes]], queued_ts: float = 0.0) -> str:
        for data_type, data in blobs.values():
            self.blobs[hashlib.sha256(data).hexdigest()] = (data_type, data)
        body = json.dumps(txn, ensure_ascii=False, separators=(",", ":")).encode()
        hashes = tuple(m["sha256"] for m in txn.get("materials", [])) + tuple(
            ref["sha256"] for ref in (txn.get("face_photo"), txn.get("signature")) if ref)
        self.rows[txn["txn_id"]] = Row("txn", txn["txn_id"], txn["txn_id"], body, hashes, queued_ts=queued_ts)
        return txn["txn_id"]

    def add_rating(self, rating: dict[str, Any], queued_ts: float = 0.0) -> str:
        key = f"rating:{rating['txn_id']}"
        body = json.dumps(rating, ensure_ascii=False, separators=(",", ":")).encode()
        self.rows[key] = Row("rating", key, rating["txn_id"], body, queued_ts=queued_ts)
        return key

    # -- the port ---------------------------------------------------------------------------
    def due(self, now: datetime, limit: int = 50) -> list[PendingRow]:
        ts = now.timestamp()
        rows = [r for r in self.rows.values() if r.state == "pending" and r.next_ts <= ts]
        rows.sort(key=lambda r: (r.kind != "txn", r.next_ts))
        return [PendingRow(r.kind, r.key, r.txn_id, r.attempts, r.blob_hashes) for r in rows[:limit]]

    def body(self, key: str) -> bytes:
        return self.rows[key].body

    def state_of(self, key: str) -> str | None:
        row = self.rows.get(key)
        return None if row is None else row.state

    def blob(self, sha256: str) -> tuple[str, bytes]:
        return self.blobs[sha256]

    def mark_delivered(self, key: str, ack_json: str, now: datetime) -> None:
        row = self.rows[key]
        row.state, row.ack = "delivered", ack_json
        row.attempts += 1

    def mark_retry(self, key: str, error: str, next_at: datetime) -> None:
        row = self.rows[key]
        row.attempts += 1
        row.next_ts = next_at.timestamp()
        row.errors.append(error)

    def mark_dead(self, key: str, code: str, message: str, now: datetime) -> None:
        row = self.rows[key]
        row.state, row.dead = "dead", (code, message)
        row.attempts += 1

    def status(self, now: datetime) -> Status:
        pending = [r for r in self.rows.values() if r.state == "pending"]
        oldest = min((r.queued_ts for r in pending), default=None)
        return Status(len(pending), sum(r.state == "delivered" for r in self.rows.values()),
                      sum(r.state == "dead" for r in self.rows.values()),
                      None if oldest is None else int(now.timestamp() - oldest))

    def purge(self, now: datetime, grace_s: float = 0) -> int:
        return 0  # the stand-in keeps no personal data apart from its rows

    def forget(self, now: datetime, row_days: int) -> int:
        return 0

    def make_all_due(self) -> None:
        for row in self.rows.values():
            row.next_ts = 0.0


class MemoryKV:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return json.loads(self.values[key]) if key in self.values else default

    def set(self, key: str, value: Any) -> None:
        self.values[key] = json.dumps(value)
