"""The SQLite engine, set up for two processes and for power cuts.

The UI process (submits) and the agent process (delivers) open the same file, so: WAL (readers
never block the writer), a busy timeout, and every write transaction opened with
``BEGIN IMMEDIATE`` so two writers queue up instead of failing on a lock upgrade.
``synchronous=FULL`` makes a commit reach the disk before it returns: the receipt prints only
after that. ``secure_delete`` overwrites freed content with zeros, so purged rows leave no
ciphertext in free pages; ``purge`` then truncates the WAL so old frames go too.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError

BUSY_TIMEOUT_MS = 15_000
DB_NAME = "outbox.db"


def make_engine(path: Path) -> Engine:
    """An engine whose every connection carries the pragmas above."""
    _create_private_file(path)
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # we say BEGIN ourselves (see _on_begin)
        dbapi_conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}").fetchall()
        _use_wal(dbapi_conn)
        for pragma in ("synchronous=FULL", "foreign_keys=ON", "secure_delete=ON"):
            dbapi_conn.execute(f"PRAGMA {pragma}").fetchall()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _use_wal(dbapi_conn: sqlite3.Connection) -> None:
    """Switch a new file to WAL; a file already in WAL is left alone.

    Switching takes an exclusive lock and SQLite answers "database is locked" at once (no busy
    handler) when the other process is opening the same new file at that moment, so the switch
    is retried for as long as the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if dbapi_conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            dbapi_conn.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction, holding the write lock from its first statement; commits at the end."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One consistent read snapshot."""
    with engine.connect() as conn:
        with conn.begin():
            yield conn


def checkpoint(engine: Engine, busy_timeout_ms: int | None = None) -> bool:
    """Move the WAL into the database and truncate it (old frames then no longer exist).

    False when another connection's read kept part of the WAL alive; the next checkpoint
    (SQLite's own, or the next purge) finishes the job. A TRUNCATE checkpoint waits (busy
    handler) for readers on old snapshots and meanwhile keeps writers out, so a caller that
    must not hold up a submit passes a short ``busy_timeout_ms``: it then gives up early.
    """
    with engine.connect() as conn:
        if busy_timeout_ms is not None:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(busy_timeout_ms)}").fetchall()
        try:
            busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        except OperationalError:  # "database is locked": a writer was busy; next time
            busy = 1
        finally:
            if busy_timeout_ms is not None:  # the connection goes back to the pool
                conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}").fetchall()
    return busy == 0


def backup_database(source: Path, dest: Path) -> Path:
    """A consistent copy of a live database by SQLite's online backup API, mode 0600, fsynced."""
    _create_private_file(dest)
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(dest)
    try:
        dst.execute("PRAGMA synchronous=FULL")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE").fetchall()  # one self-contained file
    finally:
        dst.close()
        src.close()
    fd = os.open(dest, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(dest.parent)
    return dest


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_private_file(path: Path) -> None:
    """Make the file 0600 before SQLite does (its -wal and -shm then take the same mode)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    fsync_dir(path.parent)
