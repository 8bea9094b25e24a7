"""A v1 database from the field migrates to the latest schema with its rows intact, after
a backup made with SQLite's backup API; a failing step changes nothing."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import inspect

from kiosk import wire
from kiosk.store import LATEST, MigrationError, open_store
from kiosk.store import migrations
from kiosk.store.db import DB_NAME, make_engine
from kiosk.store.schema import aad, metadata
from tests.kiosk.store import citizen
from tests.kiosk.store.test_outbox import NOW

TXN = "ZZ-EQ-0001-20261120-000007"


def make_v1(data_dir, key) -> bytes:
    """A version-1 database holding one pending transaction, as a kiosk of v1 left it."""
    path = data_dir / DB_NAME
    engine = make_engine(path)
    migrations.migrate(engine, path, target=1)
    engine.dispose()
    body = b'{"txn_id":"' + TXN.encode() + b'","applicant":{"name":"' + citizen.NAME.encode() + b'"}}'
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO sequence VALUES ('ZZ-EQ-0001', 7)")
        conn.execute(
            "INSERT INTO transactions (txn_id, device_id, seq, item_code, item_version, item_name, promised_days,"
            " created_at, accepted_at, accepted_ts, state, attempts, next_attempt_ts, body) VALUES"
            " (?, 'ZZ-EQ-0001', 7, 'zz-gljt', '2', '高龄津贴申领', 5, '2026-11-20T09:00:00+08:00',"
            " '2026-11-20T09:00:05+08:00', 1763600405, 'pending', 3, 0, ?)",
            (TXN, key.seal(body, aad("transactions", "body", TXN))))
    conn.close()
    return body


def versions(path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [v for (v,) in conn.execute("SELECT version FROM schema_version ORDER BY version")]
    finally:
        conn.close()


def test_v1_database_migrates_with_backup(data_dir, key):
    body = make_v1(data_dir, key)
    with open_store(data_dir, key) as store:
        assert versions(store.path) == list(range(1, LATEST + 1))
        assert store.outbox.body(TXN) == body
        [pending] = store.outbox.due(NOW)
        assert (pending.key, pending.attempts) == (TXN, 3)
        done = store.outbox.submit(citizen.draft(), "ZZ-EQ-0001", NOW)
        assert done.txn_id.endswith("-000008")  # the sequence carried over
        store.outbox.add_rating(wire.RatingIn(txn_id=TXN, score=5, rated_at=NOW), NOW)  # a v2 table
        store.outbox.mark_dead(TXN, "invalid", "x", NOW)
        store.outbox.discard_dead(TXN, "staff: test", NOW)  # v2 columns
        assert store.integrity_ok()
    [backup] = (data_dir / "backups").iterdir()
    assert backup.name.startswith("outbox.v1.") and versions(backup) == [1]
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT txn_id, state FROM transactions").fetchall() == [(TXN, "pending")]
    conn.close()
    with open_store(data_dir, key):  # already latest: no second backup
        pass
    assert len(list((data_dir / "backups").iterdir())) == 1


def test_migrated_schema_matches_the_code(data_dir, key):
    make_v1(data_dir, key)
    with open_store(data_dir, key) as store:
        found = inspect(store.engine)
        for table in metadata.sorted_tables:
            assert [c["name"] for c in found.get_columns(table.name)] == [c.name for c in table.columns], table.name
    fresh = data_dir.parent / "fresh"
    with open_store(fresh, key) as store:
        assert versions(store.path) == list(range(1, LATEST + 1))
        assert not (fresh / "backups").exists()  # nothing to back up in a new database


def test_failing_step_leaves_database_unchanged(data_dir, key, monkeypatch):
    make_v1(data_dir, key)
    broken = migrations.STEPS[1][1] + ["CREATE TABLE ratings (x)"]  # a step that fails at its end
    monkeypatch.setattr(migrations, "STEPS", [migrations.STEPS[0], (2, broken)])
    with pytest.raises(MigrationError, match="v2"):
        open_store(data_dir, key)
    assert versions(data_dir / DB_NAME) == [1]
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        assert [r[1] for r in conn.execute("PRAGMA table_info(transactions)")][-1] == "purged_ts"
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'ratings'").fetchall() == []
    conn.close()
    monkeypatch.undo()
    with open_store(data_dir, key) as store:
        assert json.loads(store.outbox.body(TXN))["txn_id"] == TXN


def test_newer_database_refused(data_dir, key):
    with open_store(data_dir, key) as store:
        path = store.path
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'future')")
    conn.close()
    with pytest.raises(MigrationError, match="newer"):
        open_store(data_dir, key)


def test_old_backups_are_removed(data_dir, key):
    make_v1(data_dir, key)
    open_store(data_dir, key).close()
    [backup] = (data_dir / "backups").iterdir()
    assert migrations.remove_old_backups(data_dir, backup.stat().st_mtime + 3600) == 0
    assert migrations.remove_old_backups(data_dir, backup.stat().st_mtime + migrations.BACKUP_KEEP_S + 1) == 1
    assert not backup.exists()
