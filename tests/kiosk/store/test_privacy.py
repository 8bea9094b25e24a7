"""Nothing personal is on disk in plain text: not in the database, its WAL, its SHM, its
backups; and once purged, not even the ciphertext stays behind in freed pages or the WAL."""

from __future__ import annotations

import logging
import stat
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from kiosk import wire
from kiosk.store import Purged, open_store
from kiosk.store.db import backup_database, reading
from kiosk.store.schema import blobs, transactions
from tests.kiosk.store import citizen
from tests.kiosk.store.citizen import CST, DEVICE
from tests.kiosk.store.test_outbox import NOW

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "gb18030")


def needles() -> dict[str, bytes]:
    found = {}
    for label, text in (("name", citizen.NAME), ("id", citizen.ID_NUMBER), ("address", citizen.ADDRESS),
                        ("phone", citizen.PHONE), ("comment", "窗口阿姨人很好")):
        for encoding in ENCODINGS:
            found[f"{label}/{encoding}"] = text.encode(encoding)
    found["image"] = citizen.IMAGE_MARKER
    return found


def leaks(folder: Path, wanted: dict[str, bytes]) -> list[str]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files
    return [f"{label} in {p.name}" for p in files for label, needle in wanted.items() if needle in p.read_bytes()]


def test_no_plaintext_anywhere_before_and_after_purge(data_dir, key, caplog):
    caplog.set_level(logging.DEBUG)
    assert all(len(n) >= 6 for n in needles().values())  # long enough never to match by chance
    with open_store(data_dir, key) as store:
        txn_id = store.outbox.submit(citizen.draft(size=20_000), DEVICE, NOW).txn_id
        rating = wire.RatingIn(txn_id=txn_id, score=4, comment="窗口阿姨人很好", rated_at=NOW)
        store.outbox.add_rating(rating, NOW)
        store.outbox.mark_dead(txn_id, "invalid", f"申请人{citizen.NAME}信息有误", NOW)
        store.outbox.retry_dead(txn_id)
        store.outbox.mark_retry(txn_id, f"echo {citizen.ID_NUMBER}", NOW)
        backup_database(store.path, data_dir / "backups" / "outbox.v2.test.db")
        names = {p.name for p in data_dir.rglob("*")}
        assert {"outbox.db", "outbox.db-wal", "outbox.db-shm", "outbox.v2.test.db"} <= names
        assert leaks(data_dir, needles()) == []  # while open: WAL and SHM in use
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data_dir.rglob("*")}
        assert modes == {**dict.fromkeys(names, 0o600), "backups": 0o700}
        assert citizen.NAME.encode() in store.outbox.body(txn_id)  # it is there, sealed
        store.outbox.mark_delivered(txn_id, "{}", NOW)
        store.outbox.mark_delivered(f"rating:{txn_id}", "{}", NOW)
        assert store.outbox.purge(NOW, 0) == 2
        assert leaks(data_dir, needles()) == []
    assert leaks(data_dir, needles()) == []
    assert "queued" in caplog.text and "purged" in caplog.text  # it did log, and nothing personal:
    assert not [label for label, needle in needles().items() if needle in caplog.text.encode("utf-8")]


def test_purge_zeroes_ciphertext_keeps_row_and_shared_images(data_dir, key):
    shared = citizen.image(fill=b"\x02", size=30_000)
    with open_store(data_dir, key) as store:
        gone = store.outbox.submit(citizen.draft(shared=shared, size=30_000), DEVICE, NOW).txn_id
        kept = store.outbox.submit(citizen.draft(shared=shared), DEVICE, NOW).txn_id
        with reading(store.engine) as conn:
            body = conn.execute(select(transactions.c.body).where(transactions.c.txn_id == gone)).scalar()
            sealed = dict(conn.execute(select(blobs.c.sha256, blobs.c.sealed)).all())
        store.checkpoint()  # the ciphertext is now in the main file, in pages purge must zero
        hashes = store.outbox.due(NOW)[0].blob_hashes
        own = [h for h in hashes if h != shared.sha256]
        store.outbox.mark_delivered(gone, '{"status":"received"}', NOW)
        assert store.outbox.purge(NOW, grace_s=60) == 0  # grace not over
        assert store.outbox.purge(NOW + timedelta(seconds=60), grace_s=60) == 1
        assert store.outbox.purge(NOW + timedelta(seconds=60), grace_s=60) == 0
        record = store.outbox.record(gone)
        assert record.purged and record.state == "delivered" and record.item_name == "高龄津贴申领"
        assert record.accepted_at == NOW
        try:
            store.outbox.body(gone)
            raise AssertionError("body still there")
        except Purged:
            pass
        assert store.outbox.blob(shared.sha256)[1] == bytes(shared.data)  # kept: still pending elsewhere
        assert len(store.outbox.body(kept)) > 0
        ciphertexts = {"body": body[13:45], **{h[:8]: sealed[h][13:45] for h in own}}
        assert leaks(data_dir, ciphertexts) == []
        assert leaks(data_dir, {"shared": sealed[shared.sha256][13:45]}) != []  # the check can find
        with reading(store.engine) as conn:
            assert set(conn.execute(select(blobs.c.sha256)).scalars()) == set(store.outbox.due(NOW)[0].blob_hashes)
        assert store.integrity_ok()
        assert store.outbox.forget(NOW + timedelta(days=91), row_days=90) == 1
        assert store.outbox.record(gone) is None and store.outbox.record(kept) is not None


def test_purge_also_after_discard(store):
    txn_id = store.outbox.submit(citizen.draft(), DEVICE, NOW.astimezone(CST)).txn_id
    store.outbox.mark_dead(txn_id, "invalid", "x", NOW)
    assert store.outbox.purge(NOW, 0) == 0  # a dead letter keeps its data: it may be sent again
    store.outbox.discard_dead(txn_id, "staff: withdrawn", NOW)
    assert store.outbox.purge(NOW, 0) == 1
    assert store.outbox.record(txn_id).discard_reason == "staff: withdrawn"


def test_the_search_finds_plain_text_when_there_is_some(data_dir, key):
    """Control: the same search does see a name written unsealed (the kv table is plain)."""
    with open_store(data_dir, key) as store:
        store.kv.set("not-for-personal-data", citizen.NAME)
        assert leaks(data_dir, needles()) == ["name/utf-8 in outbox.db-wal"]
        store.checkpoint()
        assert leaks(data_dir, needles()) == ["name/utf-8 in outbox.db"]
