"""The UI and the agent open a brand-new outbox at the same moment (``kiosk --simulate`` starts
both at once; so does a first boot): both get a WAL database and neither sees "locked"."""

from __future__ import annotations

import sqlite3
import threading

from kiosk.crypto import DataKey
from kiosk.store import open_store


def test_many_openers_of_one_new_outbox_all_succeed(tmp_path):
    for round_ in range(30):
        data_dir = tmp_path / str(round_)
        data_dir.mkdir()
        key_path = data_dir / "data.key"
        DataKey.load_or_create(key_path)
        errors: list[BaseException] = []
        start = threading.Barrier(4)

        def open_once() -> None:
            start.wait()
            try:
                with open_store(data_dir, key_path) as store:
                    store.outbox.status  # the store is usable
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=open_once) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        with sqlite3.connect(data_dir / "outbox.db") as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
