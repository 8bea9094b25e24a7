"""The county's database: SQLAlchemy Core tables, SQLite by default, PostgreSQL by URL.

The schema is created and migrated at start (:meth:`Database.migrate`, a version number in
``meta``). Times are Unix seconds (floats); JSON documents are text.

What is kept of a citizen (decision, documented in the README of ``county``):

- the transaction body exactly as received (the case file the county's staff work from,
  and what a repeat is compared against, by its SHA-256);
- for progress answers only the masked name and id number (``name_masked``, ``id_masked``);
- the id number itself never as a column: ``id_key`` is an HMAC-SHA256 of it under a secret
  kept in ``meta`` (so the by-id-number query finds the rows, and the index alone does not
  give the numbers away).

Enrollment tokens are kept as their SHA-256 only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (Boolean, Column, Double, Index, Integer, LargeBinary, MetaData, String, Table, Text,
                        create_engine, event, insert, select, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

SCHEMA_VERSION = 1
DEFAULT_URL = "sqlite:///county.db"

metadata = MetaData()

meta = Table("meta", metadata,
             Column("key", String(64), primary_key=True),
             Column("value", Text, nullable=False))

tokens = Table("tokens", metadata,
               Column("token_hash", String(64), primary_key=True),
               Column("created_at", Double, nullable=False),
               Column("expires_at", Double, nullable=False),
               Column("used_at", Double),
               Column("device_id", String(32)),
               Column("note", String(200), nullable=False, default=""))

devices = Table("devices", metadata,
                Column("device_id", String(32), primary_key=True),
                Column("public_key", String(64), nullable=False),
                Column("identity", Text, nullable=False),
                Column("enrolled_at", Double, nullable=False),
                Column("updated_at", Double, nullable=False))

nonces = Table("nonces", metadata,
               Column("nonce", String(32), primary_key=True),
               Column("device_id", String(32), nullable=False),
               Column("seen_at", Double, nullable=False, index=True))

blobs = Table("blobs", metadata,
              Column("sha256", String(64), primary_key=True),
              Column("content_type", String(32), nullable=False),
              Column("size", Integer, nullable=False),
              Column("data", LargeBinary, nullable=False),
              Column("device_id", String(32), nullable=False),
              Column("stored_at", Double, nullable=False))

transactions = Table("transactions", metadata,
                     Column("txn_id", String(64), primary_key=True),
                     Column("device_id", String(32), nullable=False, index=True),
                     Column("item_code", String(64), nullable=False),
                     Column("item_name", String(64), nullable=False),
                     Column("item_version", String(32), nullable=False),
                     Column("body", LargeBinary, nullable=False),
                     Column("body_sha256", String(64), nullable=False),
                     Column("ack", Text, nullable=False),
                     Column("status", String(16), nullable=False),
                     Column("accepted_at", Double, nullable=False, index=True),
                     Column("promised_by", String(10), nullable=False),
                     Column("id_key", String(64), nullable=False, index=True),
                     Column("name_masked", String(130), nullable=False),
                     Column("id_masked", String(40), nullable=False),
                     Column("updated_at", Double, nullable=False))

history = Table("history", metadata,
                Column("id", Integer, primary_key=True, autoincrement=True),
                Column("txn_id", String(64), nullable=False, index=True),
                Column("status", String(16), nullable=False),
                Column("at", Double, nullable=False),
                Column("note", String(500), nullable=False, default=""))

ratings = Table("ratings", metadata,
                Column("txn_id", String(64), primary_key=True),
                Column("device_id", String(32), nullable=False),
                Column("score", Integer, nullable=False),
                Column("body", LargeBinary, nullable=False),
                Column("body_sha256", String(64), nullable=False),
                Column("received_at", Double, nullable=False))

beacons_last = Table("beacons_last", metadata,
                     Column("device_id", String(32), primary_key=True),
                     Column("seq", Integer, nullable=False),
                     Column("body", Text, nullable=False),
                     Column("received_at", Double, nullable=False))

beacon_history = Table("beacon_history", metadata,
                       Column("id", Integer, primary_key=True, autoincrement=True),
                       Column("device_id", String(32), nullable=False),
                       Column("seq", Integer, nullable=False),
                       Column("body", Text, nullable=False),
                       Column("received_at", Double, nullable=False),
                       Index("ix_beacon_history_device", "device_id", "id"))

commands = Table("commands", metadata,
                 Column("id", String(64), primary_key=True),
                 Column("device_id", String(32), nullable=False, index=True),
                 Column("type", String(64), nullable=False),
                 Column("args", Text, nullable=False),
                 Column("created_at", Double, nullable=False),
                 Column("sent_count", Integer, nullable=False, default=0),
                 Column("last_sent_at", Double),
                 Column("acked_at", Double),
                 Column("ack_ok", Boolean),
                 Column("ack_message", String(500)))


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here; a bare path means SQLite."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        kw: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if memory:
            kw["poolclass"] = StaticPool
        engine = create_engine(url, **kw)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Database:
    """The engine and the few things every part needs (the id-number HMAC secret)."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.migrate()
        self._id_secret = self._secret()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def migrate(self) -> None:
        """Create the tables, then apply the migrations after the stored version."""
        metadata.create_all(self.engine)
        with self.begin() as conn:
            row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"database schema {version} is newer than this software ({SCHEMA_VERSION})")
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS.get(step, lambda c: None)(conn)
            if row is None:
                conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif version != SCHEMA_VERSION:
                conn.execute(update(meta).where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))

    def _secret(self) -> bytes:
        with self.begin() as conn:
            row = conn.execute(select(meta.c.value).where(meta.c.key == "id_secret")).first()
            if row is None:
                value = secrets.token_hex(32)
                try:
                    with conn.begin_nested():
                        conn.execute(insert(meta).values(key="id_secret", value=value))
                except Exception:  # another worker made it first
                    value = conn.execute(select(meta.c.value).where(meta.c.key == "id_secret")).scalar_one()
                return bytes.fromhex(value)
            return bytes.fromhex(row[0])

    def id_key(self, id_number: str) -> str:
        """The pseudonymous key of an id number (upper-cased, spaces removed)."""
        norm = id_number.replace(" ", "").upper().encode("utf-8")
        return hmac.new(self._id_secret, norm, hashlib.sha256).hexdigest()

    def dispose(self) -> None:
        self.engine.dispose()


#: version -> function(conn) run once when upgrading to it (tables themselves come from create_all).
MIGRATIONS: dict[int, Any] = {1: lambda conn: None}
