"""The kiosk's store: one SQLite file in the data folder, shared by the UI and the agent.

``open_store(data_dir, data_key)`` opens (or makes) ``outbox.db``, migrates it (backup first)
and gives a :class:`Store` with ``.outbox`` (queued transactions and ratings, sealed with
the data key) and ``.kv`` (the agent's small state). Files in the data folder: ``outbox.db``
and its ``-wal``/``-shm`` while open, ``backups/`` (copies made before a migration). Every
one of them holds personal data only as AES-GCM ciphertext; images are sealed inside the
database, not as separate files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from kiosk.crypto import CryptoError, DataKey
from kiosk.store.db import DB_NAME, checkpoint, make_engine, reading
from kiosk.store.kv import KeyValues
from kiosk.store.migrations import LATEST, MigrationError, migrate, remove_old_backups
from kiosk.store.outbox import MAX_SEQ, Outbox
from kiosk.store.records import (DeadLetter, DuplicateRating, InvalidDraft, OutboxStatus, Pending, Purged,
                                 SequenceExhausted, StoreError, Submitted, TxnRecord, UnknownKey, WrongState)


@dataclass(repr=False)
class Store:
    path: Path
    engine: Engine
    outbox: Outbox
    kv: KeyValues

    def integrity_ok(self) -> bool:
        with reading(self.engine) as conn:
            return conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"

    def checkpoint(self) -> bool:
        return checkpoint(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path.name})"


def open_store(data_dir: str | os.PathLike[str], data_key: DataKey | str | os.PathLike[str]) -> Store:
    """Open the store in ``data_dir``; ``data_key`` is a :class:`DataKey` or its key file's path."""
    key = data_key if isinstance(data_key, DataKey) else DataKey.load_or_create(data_key)
    path = Path(data_dir) / DB_NAME
    engine = make_engine(path)
    try:
        migrate(engine, path)
        remove_old_backups(path.parent)
    except BaseException:
        engine.dispose()
        raise
    return Store(path=path, engine=engine, outbox=Outbox(engine, key), kv=KeyValues(engine))


__all__ = [
    "CryptoError", "DataKey", "DeadLetter", "DuplicateRating", "InvalidDraft", "KeyValues", "LATEST", "MAX_SEQ",
    "MigrationError", "Outbox", "OutboxStatus", "Pending", "Purged", "SequenceExhausted", "Store", "StoreError",
    "Submitted", "TxnRecord", "UnknownKey", "WrongState", "open_store",
]
