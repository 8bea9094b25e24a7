"""A rating follows its transaction's fate; a clock stepped back strands nothing; a purge
never holds the write lock long enough to make a submit fail."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from kiosk import wire
from kiosk.store import WrongState
from kiosk.store.db import writing
from kiosk.store.schema import ratings
from tests.kiosk.store import citizen
from tests.kiosk.store.citizen import DEVICE
from tests.kiosk.store.test_outbox import NOW


def _rated(store) -> tuple[str, str]:
    txn_id = store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id
    key = store.outbox.add_rating(wire.RatingIn(txn_id=txn_id, score=2, comment="等了很久", rated_at=NOW), NOW)
    return txn_id, key


def test_a_dead_transaction_takes_its_rating_and_brings_it_back(store):
    txn_id, key = _rated(store)
    store.outbox.mark_dead(txn_id, "invalid", "不符合事项规则", NOW)
    assert store.outbox.state_of(key) == "dead"
    dead = {d.key: d for d in store.outbox.dead_letters()}
    assert dead[key].code == "transaction_dead" and "transaction" in dead[key].message
    with pytest.raises(WrongState):  # staff send the transaction; the rating follows
        store.outbox.retry_dead(key)
    store.outbox.retry_dead(txn_id)
    assert store.outbox.state_of(key) == "pending"
    store.outbox.mark_delivered(txn_id, "{}", NOW)
    assert [p.key for p in store.outbox.due(NOW)] == [key]


def test_discarding_the_transaction_ends_its_rating_and_purges_its_comment(store):
    txn_id, key = _rated(store)
    store.outbox.mark_dead(txn_id, "invalid", "不符合事项规则", NOW)
    store.outbox.discard_dead(txn_id, "王工: 事项已下线", NOW)
    assert store.outbox.dead_letters() == []
    status = store.outbox.status(NOW)
    assert (status.pending, status.dead, status.discarded) == (0, 0, 2)
    assert store.outbox.purge(NOW, 0) == 2  # the rating's sealed comment goes with the transaction's data
    assert store.outbox.forget(NOW + timedelta(days=91), 90) == 2
    assert store.outbox.state_of(key) is None and store.outbox.due(NOW + timedelta(days=91)) == []


def test_a_rating_left_pending_behind_a_dead_transaction_is_swept(store):
    """Rows written before ratings followed their transaction."""
    txn_id, key = _rated(store)
    store.outbox.mark_dead(txn_id, "invalid", "x", NOW)
    with writing(store.engine) as conn:  # as an older version left it
        conn.execute(update(ratings).where(ratings.c.key == key).values(state="pending", dead_code=None))
    store.outbox.purge(NOW, 0)
    assert store.outbox.state_of(key) == "dead"


def test_a_row_scheduled_before_the_clock_went_back_is_due_now(store):
    a = store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id
    b = store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id
    store.outbox.mark_retry(a, "HTTP 503", NOW + timedelta(hours=1))  # the clock was an hour ahead then
    store.outbox.mark_retry(b, "HTTP 503", NOW + timedelta(seconds=200))  # an ordinary back-off
    assert [p.key for p in store.outbox.due(NOW)] == [a]


def test_purge_never_blocks_on_an_old_reader(store, data_dir):
    """A TRUNCATE checkpoint waits for readers on old snapshots and meanwhile keeps writers
    out; purging must neither do that when nothing was purged, nor wait long when it was."""
    store.outbox.submit(citizen.draft(), DEVICE, NOW)
    reader = sqlite3.connect(data_dir / "outbox.db", isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM transactions").fetchall()  # holds this snapshot
        txn_id = store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id  # frames after it
        started = time.monotonic()
        assert store.outbox.purge(NOW, 0) == 0
        assert time.monotonic() - started < 1.0
        store.outbox.mark_delivered(txn_id, "{}", NOW)
        submitted: list[str] = []
        ui = threading.Thread(target=lambda: submitted.append(
            store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id))
        started = time.monotonic()
        ui.start()
        assert store.outbox.purge(NOW, 0) == 1
        ui.join(timeout=5)
        assert time.monotonic() - started < 2.0 and len(submitted) == 1
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert store.outbox.purge(NOW, 0) == 0  # the owed checkpoint is made now the reader is gone
    assert (data_dir / "outbox.db-wal").stat().st_size == 0
