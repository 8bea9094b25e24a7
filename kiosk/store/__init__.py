"""The kiosk's store: one SQLite file in the data folder, shared by the UI and the agent.

``open_store(data_dir, data_key)`` opens (or makes) ``outbox.db``, migrates it (backup
first), checks that the data key is the one the store was made with, and gives a
:class:`Store` with ``.outbox`` (queued transactions and ratings, sealed with the data key)
and ``.kv`` (the agent's small state). Files in the data folder: ``outbox.db``
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


#: The kv key holding the data key's fingerprint (not a secret: an HMAC of a constant, cut short).
FINGERPRINT_KEY = "store.data_key_fingerprint"


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


class DataKeyMismatch(StoreError):
    """The data key is not the one this store was made with: nothing sealed would open."""


def open_store(data_dir: str | os.PathLike[str], data_key: DataKey | str | os.PathLike[str], *,
               create_key: bool = False) -> Store:
    """Open the store in ``data_dir``; ``data_key`` is a :class:`DataKey` or its key file's path.

    A path is *loaded*, never made: a missing key file raises :class:`CryptoError`, because a
    new key cannot open anything the old one sealed (every pending transaction would become
    a dead letter). Only when the store is new (no ``outbox.db`` yet) and the caller passes
    ``create_key=True`` is a missing key file made (``kiosk-provision init``, tests).

    The store records its key's :attr:`DataKey.fingerprint` when it is made (or, for a store
    older than this check, at its first open) and raises :class:`DataKeyMismatch` when opened
    with another key.
    """
    path = Path(data_dir) / DB_NAME
    if isinstance(data_key, DataKey):
        key = data_key
    elif create_key and not path.exists():
        key = DataKey.load_or_create(data_key)
    else:
        key = DataKey.load(data_key)
    engine = make_engine(path)
    try:
        migrate(engine, path)
        remove_old_backups(path.parent)
        kv = KeyValues(engine)
        recorded = kv.update(FINGERPRINT_KEY, lambda old: old or key.fingerprint)
        if recorded != key.fingerprint:
            raise DataKeyMismatch(f"data key does not match this store (fingerprint {key.fingerprint}, "
                                  f"the store's is {recorded}); restore the data key it was made with")
    except BaseException:
        engine.dispose()
        raise
    return Store(path=path, engine=engine, outbox=Outbox(engine, key), kv=kv)


__all__ = [
    "CryptoError", "DataKey", "DataKeyMismatch", "DeadLetter", "DuplicateRating", "InvalidDraft", "KeyValues", "LATEST", "MAX_SEQ",
    "MigrationError", "Outbox", "OutboxStatus", "Pending", "Purged", "SequenceExhausted", "Store", "StoreError",
    "Submitted", "TxnRecord", "UnknownKey", "WrongState", "open_store",
]
