"""Schema migrations: ordered, frozen SQL steps, applied once each, with a backup first.

A kiosk in the field is upgraded in place and its outbox may hold transactions not yet
delivered, so a migration must never lose a row. Before the first step runs, the database is
copied with SQLite's backup API to ``backups/outbox.v{N}.{time}.db`` (it holds only
ciphertext, like the database; backups older than ``BACKUP_KEEP_S`` are removed at open).
All steps run in one ``BEGIN IMMEDIATE`` transaction with the ``schema_version`` rows, so a
failing step leaves the database as it was, and two processes opening the store together
migrate it once. Steps are never edited once shipped; a change is a new step.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, Engine

from kiosk.store.db import backup_database, writing

log = logging.getLogger(__name__)

BACKUP_DIR = "backups"
BACKUP_KEEP_S = 30 * 86400

_V1 = [
    """CREATE TABLE sequence (
        device_id TEXT PRIMARY KEY,
        last INTEGER NOT NULL CHECK (last BETWEEN 0 AND 999999))""",
    """CREATE TABLE transactions (
        txn_id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        item_code TEXT NOT NULL,
        item_version TEXT NOT NULL,
        item_name TEXT NOT NULL,
        promised_days INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        accepted_at TEXT NOT NULL,
        accepted_ts REAL NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ts REAL NOT NULL,
        last_error BLOB,
        delivered_ts REAL,
        dead_code TEXT,
        dead_message BLOB,
        dead_ts REAL,
        body BLOB,
        ack TEXT,
        purged_ts REAL,
        UNIQUE (device_id, seq))""",
    "CREATE INDEX transactions_due ON transactions (state, next_attempt_ts)",
    """CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sealed BLOB NOT NULL,
        created_ts REAL NOT NULL)""",
    """CREATE TABLE transaction_blobs (
        txn_id TEXT NOT NULL REFERENCES transactions (txn_id) ON DELETE CASCADE,
        sha256 TEXT NOT NULL REFERENCES blobs (sha256),
        position INTEGER NOT NULL,
        PRIMARY KEY (txn_id, sha256))""",
    "CREATE INDEX transaction_blobs_sha ON transaction_blobs (sha256)",
    """CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_ts REAL NOT NULL)""",
]

# v2: ratings queue like transactions; dead letters can be discarded with a reason.
_V2 = [
    "ALTER TABLE transactions ADD COLUMN discard_reason TEXT",
    "ALTER TABLE transactions ADD COLUMN discarded_ts REAL",
    """CREATE TABLE ratings (
        key TEXT PRIMARY KEY,
        txn_id TEXT NOT NULL UNIQUE,
        score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
        rated_at TEXT NOT NULL,
        queued_ts REAL NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ts REAL NOT NULL,
        last_error BLOB,
        delivered_ts REAL,
        dead_code TEXT,
        dead_message BLOB,
        dead_ts REAL,
        body BLOB,
        ack TEXT,
        purged_ts REAL,
        discard_reason TEXT,
        discarded_ts REAL)""",
    "CREATE INDEX ratings_due ON ratings (state, next_attempt_ts)",
]

STEPS: list[tuple[int, list[str]]] = [(1, _V1), (2, _V2)]
LATEST = STEPS[-1][0]


class MigrationError(Exception):
    """The database is from a newer kiosk, or a step failed (the database is left unchanged)."""


def current_version(conn: Connection) -> int:
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").first()
    if exists is None:
        return 0
    return conn.exec_driver_sql("SELECT COALESCE(MAX(version), 0) FROM schema_version").scalar_one()


def migrate(engine: Engine, db_path: Path, target: int = LATEST) -> Path | None:
    """Bring the database to ``target``; returns the backup made first, if any."""
    backup = None
    with writing(engine) as conn:
        version = current_version(conn)
        if version > LATEST:
            raise MigrationError(f"database schema v{version} is newer than this software (v{LATEST})")
        if version >= target:
            return None
        if version > 0:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            backup = backup_database(db_path, db_path.parent / BACKUP_DIR / f"outbox.v{version}.{stamp}.db")
            log.info("database backed up before migrating from v%d: %s", version, backup.name)
        if version == 0:
            conn.exec_driver_sql(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        for number, statements in STEPS:
            if version < number <= target:
                try:
                    for statement in statements:
                        conn.exec_driver_sql(statement)
                except Exception as err:
                    raise MigrationError(f"migration to v{number} failed: {err}") from err
                conn.exec_driver_sql("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                     (number, datetime.now(timezone.utc).isoformat(timespec="seconds")))
                log.info("database migrated to v%d", number)
    return backup


def remove_old_backups(data_dir: Path, now_ts: float | None = None, keep_s: float = BACKUP_KEEP_S) -> int:
    """Remove migration backups older than ``keep_s``; returns how many went."""
    now_ts = time.time() if now_ts is None else now_ts
    removed = 0
    for path in sorted((data_dir / BACKUP_DIR).glob("outbox.v*.db*")):
        if now_ts - path.stat().st_mtime > keep_s:
            path.unlink()
            removed += 1
    return removed
