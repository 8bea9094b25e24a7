"""The tables as the code reads and writes them (the latest schema version).

The migrations in ``migrations.py`` create them with frozen SQL, one step per version; a
test checks that a migrated database has exactly these columns.

Columns named ``*_ts`` are Unix seconds (for ordering and due times); ``*_at`` text columns
are RFC 3339 with the offset the kiosk had, as printed on the receipt. Columns named
``body``, ``sealed``, ``last_error`` and ``dead_message`` hold values sealed with the data key
(see ``aad()``); every other column holds no personal data.
"""

from __future__ import annotations

from sqlalchemy import (Column, Float, ForeignKey, Integer, LargeBinary, MetaData, String, Table,
                        Text)

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", Text, nullable=False),
)

sequence = Table(
    "sequence", metadata,
    Column("device_id", Text, primary_key=True),
    Column("last", Integer, nullable=False),
)


def _delivery_columns() -> list[Column]:
    """What the agent needs to deliver a queued body, shared by transactions and ratings."""
    return [
        Column("state", Text, nullable=False),  # pending | delivered | dead
        Column("attempts", Integer, nullable=False, default=0),
        Column("next_attempt_ts", Float, nullable=False),
        Column("last_error", LargeBinary),
        Column("delivered_ts", Float),
        Column("dead_code", Text),
        Column("dead_message", LargeBinary),
        Column("dead_ts", Float),
        Column("body", LargeBinary),  # sealed exact request bytes; NULL once purged
        Column("ack", Text),  # the backend's answer (no personal data)
        Column("purged_ts", Float),
    ]


transactions = Table(
    "transactions", metadata,
    Column("txn_id", Text, primary_key=True),
    Column("device_id", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("item_code", Text, nullable=False),
    Column("item_version", Text, nullable=False),
    Column("item_name", Text, nullable=False),
    Column("promised_days", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("accepted_at", Text, nullable=False),
    Column("accepted_ts", Float, nullable=False),
    *_delivery_columns(),
    Column("discard_reason", Text),  # v2
    Column("discarded_ts", Float),  # v2
)

blobs = Table(
    "blobs", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content_type", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("created_ts", Float, nullable=False),
)

transaction_blobs = Table(
    "transaction_blobs", metadata,
    Column("txn_id", Text, ForeignKey("transactions.txn_id", ondelete="CASCADE"), primary_key=True),
    Column("sha256", String(64), ForeignKey("blobs.sha256"), primary_key=True),
    Column("position", Integer, nullable=False),
)

ratings = Table(  # v2
    "ratings", metadata,
    Column("key", Text, primary_key=True),  # rating:{txn_id}
    Column("txn_id", Text, nullable=False, unique=True),
    Column("score", Integer, nullable=False),
    Column("rated_at", Text, nullable=False),
    Column("queued_ts", Float, nullable=False),
    *_delivery_columns(),
    Column("discard_reason", Text),
    Column("discarded_ts", Float),
)

kv = Table(
    "kv", metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),  # JSON
    Column("updated_ts", Float, nullable=False),
)


def aad(table: str, column: str, key: str) -> bytes:
    """The associated data that binds a sealed value to its table, column and row."""
    return f"kiosk/{table}.{column}/{key}".encode()
