"""The store after visits holds only what the contract keeps.

Per ``kiosk/store/schema.py``: the columns ``body``, ``sealed``, ``last_error`` and
``dead_message`` hold values sealed with the data key (each opens with the key and its
``aad(table, column, row key)``, a blob's plain bytes match its hash); every other column
holds no personal data (none of the citizens' secrets, as text). ``store_findings`` says
what breaks that, never quoting a secret.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from kiosk.crypto import CryptoError
from kiosk.store.schema import aad, metadata
from tests.ui.leftovers import Needles

SEALED = ("body", "sealed", "last_error", "dead_message")
ROW_KEY = {"transactions": "txn_id", "ratings": "key", "blobs": "sha256"}


def store_findings(store, key, needles: Needles) -> list[str]:
    found = []
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                where = f"{table.name} {row.get(ROW_KEY.get(table.name, ''), '?')}"
                for column, value in row.items():
                    if value is None:
                        continue
                    if column in SEALED:
                        found += _sealed(key, table.name, column, row, value, where)
                        continue
                    numbers = needles.in_text(str(value))
                    if numbers:
                        found.append(f"store: {where}.{column} holds secret {numbers} in clear")
    return found


def _sealed(key, table: str, column: str, row, value: bytes, where: str) -> list[str]:
    try:
        plain = key.open(bytes(value), aad(table, column, row[ROW_KEY[table]]))
    except (CryptoError, KeyError) as err:
        return [f"store: {where}.{column} is not sealed with the data key ({type(err).__name__})"]
    if table == "blobs" and hashlib.sha256(plain).hexdigest() != row["sha256"]:
        return [f"store: {where}.sealed does not open to its picture"]
    return []


def counts(store) -> dict[str, int]:
    """Rows per table."""
    with store.engine.connect() as conn:
        return {t.name: len(conn.execute(select(t)).all()) for t in metadata.sorted_tables}
