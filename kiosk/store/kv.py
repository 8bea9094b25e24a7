"""Small persistent key/values for the agent: beacon sequence, clock skew, catalog ETag,
executed command ids and pending acks, availability samples.

Values are JSON, stored in plain text: this table is not for personal data. ``update`` and
``incr`` read and write in one ``BEGIN IMMEDIATE`` transaction, so two processes never lose
an increment.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kiosk.store.db import reading, writing
from kiosk.store.schema import kv

_MISSING = object()


class KeyValues:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, key: str, default: Any = None) -> Any:
        with reading(self._engine) as conn:
            value = conn.execute(select(kv.c.value).where(kv.c.key == key)).scalar()
        return default if value is None else json.loads(value)

    def set(self, key: str, value: Any) -> None:
        with writing(self._engine) as conn:
            _put(conn, key, value)

    def delete(self, key: str) -> bool:
        with writing(self._engine) as conn:
            return conn.execute(delete(kv).where(kv.c.key == key)).rowcount > 0

    def items(self, prefix: str = "") -> dict[str, Any]:
        """Every key starting with ``prefix`` (a literal prefix, no wildcards)."""
        with reading(self._engine) as conn:
            rows = conn.execute(select(kv.c.key, kv.c.value).where(
                kv.c.key >= prefix).order_by(kv.c.key)).all()
        return {k: json.loads(v) for k, v in rows if k.startswith(prefix)}

    def update(self, key: str, change: Callable[[Any], Any], default: Any = None) -> Any:
        """Atomically replace the value by ``change(old)``; returns the new value."""
        with writing(self._engine) as conn:
            value = conn.execute(select(kv.c.value).where(kv.c.key == key)).scalar()
            new = change(default if value is None else json.loads(value))
            _put(conn, key, new)
        return new

    def incr(self, key: str, by: int = 1) -> int:
        return self.update(key, lambda old: int(old) + by, default=0)

    def __repr__(self) -> str:
        return "KeyValues()"


def _put(conn, key: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    conn.execute(sqlite_insert(kv).values(key=key, value=text, updated_ts=time.time()).on_conflict_do_update(
        index_elements=["key"], set_={"value": text, "updated_ts": time.time()}))
