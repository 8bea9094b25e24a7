"""Power cuts inside the write-ahead log: every copy opens cleanly with every commit.

A power cut leaves the database file as it was and the WAL cut short somewhere after the last
frame that reached the disk: at a frame boundary, in a frame's header, in the middle of a page,
or with garbage in its last sectors. Here a writer thread submits transactions, rates some, bumps
an agent counter in the key/values and marks some transactions delivered, all through the real
store, while the test, many times over:

1. opens a read transaction (SQLite then neither resets the WAL nor checkpoints past it, so the
   main file and the WAL's frames so far stay a state the disk could hold),
2. notes what has been committed and the WAL's size at that moment, copies the main file,
3. lets the writer go on for a few more commits and copies the longer WAL mid-write,
4. cuts that WAL at random offsets at or after the noted size, and garbles its tail.

Each main file + cut WAL must open with ``open_store``, pass SQLite's integrity check, number
its transactions 1..N without a gap, hold every transaction, rating, delivery and counter
noted in step 2 with bodies and images whole, hold nothing the writer never committed, and take the next
number. ``outbox.db`` is the store's only SQLite file: the agent's state lives in its ``kv``
table and the command spool is plain files (kiosk/agent/spool.py).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import struct
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.store import open_store
from kiosk.store.db import DB_NAME, reading
from kiosk import wire
from kiosk.store.schema import aad, blobs, ratings, sequence, transaction_blobs, transactions
from tests.kiosk.store import citizen

WAL = f"{DB_NAME}-wal"
WAL_HEADER, FRAME_HEADER = 32, 24
COUNTER = "test.power_cut.counter"  # an agent-like kv value, bumped once per submit


class Writer(threading.Thread):
    """Submits, counts and delivers through the real store until stopped; ``gate`` pauses it."""

    def __init__(self, data_dir: Path, key) -> None:
        super().__init__(daemon=True)
        self.data_dir, self.key = data_dir, key
        self.committed: list[str] = []
        self.delivered: list[str] = []
        self.rated: list[str] = []  # rating keys, sealed bodies too
        self.counted = 0
        self.gate, self.parked, self.stop = threading.Event(), threading.Event(), threading.Event()
        self.gate.set()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            with open_store(self.data_dir, self.key) as store:
                shared = citizen.image(fill=b"\x05", size=6_000)
                while not self.stop.is_set():
                    if not self.gate.is_set():
                        self.parked.set()
                        self.gate.wait()
                        self.parked.clear()
                        continue
                    now = datetime.now().astimezone()
                    done = store.outbox.submit(citizen.draft(materials=1, size=1_500, shared=shared),
                                               citizen.DEVICE, now)
                    self.committed.append(done.txn_id)
                    self.counted = store.kv.incr(COUNTER)
                    if len(self.committed) % 4 == 1:
                        rating = wire.RatingIn(txn_id=done.txn_id, score=4, comment="方便", rated_at=now)
                        self.rated.append(store.outbox.add_rating(rating, now))
                    if len(self.committed) % 3 == 0:
                        txn_id = self.committed[-2]
                        store.outbox.mark_delivered(txn_id, '{"ok":true}', now)
                        self.delivered.append(txn_id)
        except BaseException as err:  # reported by the test
            self.failure = err

    def wait_for(self, count: int) -> None:
        while len(self.committed) < count:
            assert self.is_alive(), self.failure
            self.stop.wait(0.001)


@dataclass
class Snapshot:
    main: bytes
    wal: bytes  # the longer WAL, copied while the writer went on
    noted_wal: int  # the WAL's size when the commits below were noted
    committed: list[str]
    delivered: list[str]
    rated: list[str]
    counted: int


def take_snapshot(data_dir: Path, writer: Writer, rng: random.Random, *, truncated: bool) -> Snapshot:
    if truncated:  # the WAL just emptied by a TRUNCATE checkpoint: cuts fall in its own header too
        writer.gate.clear()
        assert writer.parked.wait(60)
        with sqlite3.connect(data_dir / DB_NAME, timeout=60) as conn:
            assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    reader = sqlite3.connect(data_dir / DB_NAME, timeout=60)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM transactions").fetchone()
        committed, delivered, counted = list(writer.committed), list(writer.delivered), writer.counted
        rated = list(writer.rated)
        wal_path = data_dir / WAL
        noted = wal_path.stat().st_size if wal_path.exists() else 0
        main = (data_dir / DB_NAME).read_bytes()
        writer.gate.set()
        writer.wait_for(len(writer.committed) + rng.randint(1, 8))
        wal = wal_path.read_bytes()  # mid-write: the writer does not wait for the copy
    finally:
        reader.rollback()
        reader.close()
    return Snapshot(main, wal, noted, committed, delivered, rated, counted)


def wal_cuts(snap: Snapshot, rng: random.Random, count: int) -> list[tuple[str, bytes]]:
    """The longer WAL cut and garbled at random places, none before the noted size."""
    wal, start = snap.wal, snap.noted_wal
    assert len(wal) >= start
    page_size = struct.unpack(">I", wal[8:12])[0] if len(wal) >= WAL_HEADER else 4096
    frame = FRAME_HEADER + page_size

    def boundary() -> int:  # the first byte of a frame at or after ``start``
        first = max(0, -(-(start - WAL_HEADER) // frame))
        last = max(first, (len(wal) - WAL_HEADER) // frame)
        return WAL_HEADER + frame * rng.randint(first, last)

    def garble(data: bytes, at: int, size: int) -> bytes:
        at = max(at, start)
        size = max(0, min(size, len(data) - at))
        return data[:at] + rng.randbytes(size) + data[at + size:]

    made = []
    for number in range(count):
        kind = number % 7
        if kind == 0:
            cut = rng.randint(start, len(wal))
            made.append((f"anywhere@{cut}", wal[:cut]))
        elif kind == 1:
            cut = min(boundary(), len(wal))
            made.append((f"frame-boundary@{cut}", wal[:cut]))
        elif kind == 2:
            cut = min(boundary() + rng.randint(1, FRAME_HEADER - 1), len(wal))
            made.append((f"mid-frame-header@{cut}", wal[:cut]))
        elif kind == 3:
            cut = min(boundary() + FRAME_HEADER + rng.randint(1, page_size - 1), len(wal))
            made.append((f"mid-page@{cut}", wal[:cut]))
        elif kind == 4:  # the last sectors written hold garbage
            cut = rng.randint(start, len(wal))
            made.append((f"garbage-tail@{cut}", garble(wal[:cut], cut - rng.randint(1, 4096), 4096)))
        elif kind == 5:  # one sector of garbage somewhere after the noted commits, the rest intact
            at = rng.randint(start, max(start, len(wal) - 1))
            made.append((f"garbage-sector@{at}", garble(wal, at - at % 512, 512)))
        else:  # one flipped byte
            at = rng.randint(start, max(start, len(wal) - 1))
            flipped = wal[:at] + bytes([wal[at] ^ 0xFF]) + wal[at + 1:] if at < len(wal) else wal
            made.append((f"flipped-byte@{at}", flipped))
    if start < WAL_HEADER:
        made.append((f"in-wal-header@{start}", wal[:rng.randint(start, WAL_HEADER - 1)]))
    return made


def assert_whole(store, key, must_have: list[str]) -> dict[str, str]:
    """test_crash.assert_whole in three queries: integrity, numbers 1..N without a gap, every
    noted transaction there, every body and image opening and matching its hash and size.
    Returns each transaction's state."""
    assert store.integrity_ok()
    with reading(store.engine) as conn:
        rows = conn.execute(select(transactions.c.txn_id, transactions.c.seq, transactions.c.state,
                                   transactions.c.body).order_by(transactions.c.seq)).all()
        last = conn.execute(select(sequence.c.last)).scalar()
        images = {row.sha256: row for row in conn.execute(select(blobs)).all()}
        links = conn.execute(select(transaction_blobs.c.txn_id, transaction_blobs.c.sha256)).all()
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1)) and (last or 0) == len(rows)
    assert all(row.txn_id.endswith(f"-{row.seq:06d}") for row in rows)
    assert set(must_have) <= {row.txn_id for row in rows}
    named: dict[str, set[str]] = {}
    for txn_id, sha in links:
        named.setdefault(txn_id, set()).add(sha)
    for sha, image in images.items():
        plain = key.open(image.sealed, aad("blobs", "sealed", sha))
        assert hashlib.sha256(plain).hexdigest() == sha and len(plain) == image.size
    for row in rows:
        body = json.loads(key.open(row.body, aad("transactions", "body", row.txn_id)))
        assert body["txn_id"] == row.txn_id
        refs = [*body["materials"], body["face_photo"], body["signature"]]
        assert {ref["sha256"] for ref in refs} == named[row.txn_id]
        for ref in refs:
            image = images[ref["sha256"]]
            assert (image.content_type, image.size) == (ref["content_type"], ref["size"])
    return {row.txn_id: row.state for row in rows}


def check_copy(folder: Path, key, snap: Snapshot, final: set[str], final_delivered: set[str]) -> int:
    with open_store(folder, key) as store:
        rows = assert_whole(store, key, snap.committed)
        assert set(rows) <= final, "a transaction the writer never committed"
        assert all(rows[txn_id] == "delivered" for txn_id in snap.delivered)
        assert {t for t, state in rows.items() if state == "delivered"} <= final_delivered
        assert snap.counted <= store.kv.get(COUNTER, 0) <= len(final)
        with reading(store.engine) as conn:
            held = dict(conn.execute(select(ratings.c.key, ratings.c.body)).all())
        assert set(snap.rated) <= set(held) and all(name.removeprefix("rating:") in rows for name in held)
        for name, sealed in held.items():
            body = json.loads(key.open(sealed, aad("ratings", "body", name)))
            assert body["txn_id"] == name.removeprefix("rating:")
        after = store.outbox.submit(citizen.draft(materials=0, size=500), citizen.DEVICE,
                                    datetime.now().astimezone())
        assert after.txn_id.endswith(f"-{len(rows) + 1:06d}")
        assert store.integrity_ok()
    return len(rows)


@pytest.mark.slow
@pytest.mark.timeout(600)  # a busy machine is slow; the checks do not depend on it
def test_wal_cut_anywhere_after_the_last_commit_keeps_every_commit(tmp_path, key):
    data_dir = tmp_path / "data"
    open_store(data_dir, key).close()
    writer = Writer(data_dir, key)
    writer.start()
    rng = random.Random(20261123)
    snapshots = []
    try:
        for number in range(10):
            writer.wait_for(len(writer.committed) + rng.randint(5, 40))
            snapshots.append(take_snapshot(data_dir, writer, rng, truncated=number in (0, 6)))
    finally:
        writer.gate.set()
        writer.stop.set()
        writer.join(120)
    assert writer.failure is None, writer.failure
    final, final_delivered = set(writer.committed), set(writer.delivered)
    assert len({len(snap.main) for snap in snapshots}) > 1  # checkpoints ran between snapshots
    assert any(snap.noted_wal == 0 for snap in snapshots)
    checked, gained, kinds = 0, 0, set()
    for number, snap in enumerate(snapshots):
        for label, wal in wal_cuts(snap, rng, 14):
            folder = tmp_path / f"cut{number}-{checked}"
            folder.mkdir()
            (folder / DB_NAME).write_bytes(snap.main)
            (folder / WAL).write_bytes(wal)
            if checked % 5 == 0:  # a stale shared-memory index from before the cut
                (folder / f"{DB_NAME}-shm").write_bytes(rng.randbytes(32768))
            try:
                count = check_copy(folder, key, snap, final, final_delivered)
            except BaseException as err:
                raise AssertionError(f"copy {number} cut {label} (noted WAL {snap.noted_wal} bytes, "
                                     f"copied {len(snap.wal)}) did not hold: {err!r}") from err
            gained += count > len(snap.committed)
            kinds.add(label.split("@")[0])
            checked += 1
            shutil.rmtree(folder)
    assert checked >= 140
    assert gained > 0  # some cuts kept commits made after the note: the cuts fell among live frames
    assert {"frame-boundary", "mid-frame-header", "mid-page", "garbage-tail", "in-wal-header"} <= kinds
