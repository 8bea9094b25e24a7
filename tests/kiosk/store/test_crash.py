"""Crashes and power cuts: numbers never repeat, every committed transaction is whole.

A real process submitting is SIGKILLed at random moments, many times over; and copies of
the database and its WAL taken while another thread submits (a power cut's view of the
disk) open cleanly with everything committed before the copy began.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from kiosk.crypto import DataKey
from kiosk.store import Store, open_store
from kiosk.store.db import DB_NAME, reading
from kiosk.store.schema import sequence, transactions
from tests.kiosk.store import citizen

REPO = Path(__file__).resolve().parents[3]


def assert_whole(store: Store, must_have: list[str]) -> int:
    """Every row complete and numbered 1..N without a gap; returns N."""
    assert store.integrity_ok()
    with reading(store.engine) as conn:
        rows = conn.execute(select(transactions.c.txn_id, transactions.c.seq).order_by(transactions.c.seq)).all()
        last = conn.execute(select(sequence.c.last)).scalar()
    seqs = [row.seq for row in rows]
    assert seqs == list(range(1, len(rows) + 1)) and (last or 0) == len(rows)
    assert len({row.txn_id for row in rows}) == len(rows)
    assert all(row.txn_id.endswith(f"-{row.seq:06d}") for row in rows)
    assert set(must_have) <= {row.txn_id for row in rows}
    for row in rows:
        body = json.loads(store.outbox.body(row.txn_id))
        assert body["txn_id"] == row.txn_id
        refs = [*body["materials"], body["face_photo"], body["signature"]]
        for ref in refs:
            content_type, data = store.outbox.blob(ref["sha256"])  # checks the hash too
            assert (content_type, len(data)) == (ref["content_type"], ref["size"])
    return len(rows)


def test_sigkill_mid_submission_never_repeats_or_tears(tmp_path):
    data_dir, key_file = tmp_path / "data", tmp_path / "data.key"
    rng = random.Random(20261122)
    printed: list[str] = []
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for round_no in range(14):
        proc = subprocess.Popen([sys.executable, "-m", "tests.kiosk.store.submitter", str(data_dir), str(key_file)],
                                cwd=REPO, env=env, stdout=subprocess.PIPE)
        if round_no < 2:  # while it opens (and, the first time, creates and migrates) the store
            time.sleep(rng.uniform(0.2, 0.6))
        else:  # after a few numbers (not by the clock: a busy machine is slow), at a random instant
            assert proc.stdout.readline() == b"ready\n"
            for _ in range(rng.randint(1, 12)):
                printed.append(proc.stdout.readline().decode().rstrip("\n"))
            time.sleep(rng.uniform(0, 0.02))
        proc.send_signal(signal.SIGKILL)
        out = proc.stdout.read()
        proc.stdout.close()
        assert proc.wait() == -signal.SIGKILL
        printed += [line for line in out.decode().split("\n")[:-1] if line != "ready"]  # whole lines only
    assert len(printed) == len(set(printed)) >= 20
    with open_store(data_dir, DataKey.load_or_create(key_file)) as store:
        count = assert_whole(store, printed)
        assert count >= len(printed)
        after = store.outbox.submit(citizen.draft(), citizen.DEVICE, datetime.now().astimezone())
        assert after.txn_id.endswith(f"-{count + 1:06d}")


def test_copies_taken_during_submission_open_with_every_commit(tmp_path, key):
    data_dir = tmp_path / "data"
    committed: list[str] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def submit_forever() -> None:
        try:
            with open_store(data_dir, key) as store:
                shared = citizen.image(fill=b"\x04", size=30_000)
                while not stop.is_set():
                    done = store.outbox.submit(citizen.draft(size=30_000, shared=shared), citizen.DEVICE,
                                               datetime.now().astimezone())
                    committed.append(done.txn_id)
        except BaseException as err:  # reported by the main thread
            failures.append(err)

    open_store(data_dir, key).close()
    writer = threading.Thread(target=submit_forever)
    writer.start()
    rng = random.Random(7)
    copies = []
    try:
        targets = sorted(rng.sample(range(1, 150), 12))  # by commits, not by the clock
        for number, target in enumerate(targets):
            while len(committed) < target and writer.is_alive():
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.005))
            before = list(committed)
            copy = tmp_path / f"copy{number}"
            copy.mkdir()
            # A power cut freezes the disk at one instant. Copying two files takes a while, so an
            # open read transaction stands in for that instant: while it lasts SQLite neither
            # resets the WAL nor checkpoints past it, and the copy is one the disk could hold.
            reader = sqlite3.connect(data_dir / DB_NAME)
            reader.execute("BEGIN")
            reader.execute("SELECT COUNT(*) FROM transactions").fetchone()
            shutil.copyfile(data_dir / DB_NAME, copy / DB_NAME)
            wal = data_dir / f"{DB_NAME}-wal"
            if wal.exists():
                shutil.copyfile(wal, copy / f"{DB_NAME}-wal")
            reader.rollback()
            reader.close()
            copies.append((copy, before))
    finally:
        stop.set()
        writer.join()
    assert not failures, failures
    # The main file changed between copies: checkpoints ran while copies were taken.
    assert len({(copy / DB_NAME).stat().st_size for copy, _ in copies}) > 1
    for copy, before in copies:
        with open_store(copy, key) as store:
            assert assert_whole(store, before) >= len(before)
    with open_store(data_dir, key) as store:
        assert assert_whole(store, committed) == len(committed)


def test_two_writers_share_one_sequence(data_dir, key):
    """The UI and kiosk-diag may submit at once: each number still goes to exactly one row."""
    stores = [open_store(data_dir, key) for _ in range(2)]
    numbers: list[str] = []

    def submit_many(store: Store) -> None:
        for _ in range(15):
            numbers.append(store.outbox.submit(citizen.draft(materials=0), citizen.DEVICE,
                                               datetime.now().astimezone()).txn_id)

    threads = [threading.Thread(target=submit_many, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(numbers)) == 30
    assert assert_whole(stores[0], numbers) == 30
    for store in stores:
        store.close()
