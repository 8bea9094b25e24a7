"""Submitting numbers, seals and keeps the exact body; delivery bookkeeping does what the
agent and the service menu rely on."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from kiosk import wire
from kiosk.crypto import CryptoError
from kiosk.store import (DuplicateRating, InvalidDraft, Purged, SequenceExhausted, UnknownKey, WrongState,
                         open_store)
from kiosk.store.db import writing
from kiosk.store.schema import sequence, transactions
from tests.kiosk.store import citizen
from tests.kiosk.store.citizen import CST, DEVICE

NOW = datetime(2026, 11, 22, 10, 5, 0, tzinfo=CST)


def test_submit_numbers_and_stores_the_exact_body(store):
    draft = citizen.draft()
    hashes = [b.sha256 for b in draft.blobs()]
    done = store.outbox.submit(draft, DEVICE, NOW)
    assert done.txn_id == "ZZ-EQ-0001-20261122-000001" and done.accepted_at == NOW
    body = store.outbox.body(done.txn_id)
    data = json.loads(body)
    model = wire.TransactionIn.model_validate(data)
    assert model.txn_id == done.txn_id and model.applicant.name == citizen.NAME
    assert data["created_at"] == "2026-11-22T10:03:00+08:00"
    assert data["form"]["since"] == "2020-01-01"
    assert [m["sha256"] for m in data["materials"]] == hashes[:2]
    assert data["signature"] == {"sha256": hashes[3], "content_type": "image/png", "size": draft.signature.size}
    assert body == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    assert store.outbox.body(done.txn_id) == body  # the same bytes every time
    content_type, image = store.outbox.blob(hashes[3])
    assert content_type == "image/png" and hashlib.sha256(image).hexdigest() == hashes[3]


def test_body_is_byte_identical_after_reopen(data_dir, key):
    with open_store(data_dir, key) as first:
        txn_id = first.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id
        body = first.outbox.body(txn_id)
    with open_store(data_dir, key) as again:
        assert again.outbox.body(txn_id) == body
        assert again.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id.endswith("-000002")


def test_date_is_local_date_of_now_and_sequence_runs_across_days(store):
    late = datetime(2026, 11, 22, 23, 59, 59, tzinfo=CST)  # 15:59 UTC: still the 22nd here
    assert store.outbox.submit(citizen.draft(), DEVICE, late).txn_id == "ZZ-EQ-0001-20261122-000001"
    early = datetime(2026, 11, 22, 16, 0, 1, tzinfo=timezone.utc)  # 00:00:01 on the 23rd in Beijing
    assert store.outbox.submit(citizen.draft(), DEVICE, early.astimezone(CST)).txn_id == \
        "ZZ-EQ-0001-20261123-000002"
    assert store.outbox.submit(citizen.draft(), "ZZ-EQ-0002", late).txn_id.endswith("-000001")


def test_naive_now_and_bad_device_refused(store):
    with pytest.raises(ValueError):
        store.outbox.submit(citizen.draft(), DEVICE, datetime(2026, 11, 22, 10, 0))
    with pytest.raises(ValueError):
        store.outbox.submit(citizen.draft(), "zz eq", NOW)


def test_invalid_draft_refused_without_values_and_without_using_a_number(store):
    draft = citizen.draft()
    draft.applicant = draft.applicant.model_copy(update={"gender": citizen.NAME})
    with pytest.raises(InvalidDraft) as err:
        store.outbox.submit(draft, DEVICE, NOW)
    assert "applicant.gender" in str(err.value) and citizen.NAME not in str(err.value)
    big = citizen.draft()
    big.signature = citizen.image("image/png", size=wire.MAX_BLOB_BYTES)
    with pytest.raises(InvalidDraft, match="signature.size"):
        store.outbox.submit(big, DEVICE, NOW)
    assert store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id.endswith("-000001")


def test_after_999999_numbering_stops(store):
    store.outbox.submit(citizen.draft(), DEVICE, NOW)
    with writing(store.engine) as conn:
        conn.execute(update(sequence).values(last=999_998))
    assert store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id.endswith("-999999")
    with pytest.raises(SequenceExhausted):
        store.outbox.submit(citizen.draft(), DEVICE, NOW)
    assert store.outbox.status(NOW).pending == 2


def test_swapped_ciphertext_fails(store):
    a = store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id
    b = store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id
    with writing(store.engine) as conn:
        sealed_a = conn.execute(select(transactions.c.body).where(transactions.c.txn_id == a)).scalar()
        conn.execute(update(transactions).where(transactions.c.txn_id == b).values(body=sealed_a))
    assert json.loads(store.outbox.body(a))["txn_id"] == a
    with pytest.raises(CryptoError):
        store.outbox.body(b)


def test_delivery_bookkeeping(store):
    shared = citizen.image(fill=b"\x01")
    a = store.outbox.submit(citizen.draft(shared=shared), DEVICE, NOW).txn_id
    b = store.outbox.submit(citizen.draft(shared=shared), DEVICE, NOW + timedelta(seconds=1)).txn_id
    due = store.outbox.due(NOW + timedelta(seconds=1))
    assert [p.key for p in due] == [a, b] and due[0].kind == "txn" and len(due[0].blob_hashes) == 5
    assert due[0].blob_hashes[2] == shared.sha256 == due[1].blob_hashes[2]
    assert [p.key for p in store.outbox.due(NOW)] == [a]
    assert store.outbox.mark_retry(a, "HTTP 503", NOW + timedelta(seconds=30))
    assert store.outbox.error_of(a) == "HTTP 503"
    assert [p.key for p in store.outbox.due(NOW + timedelta(seconds=29))] == [b]
    later = store.outbox.due(NOW + timedelta(seconds=30))
    assert [(p.key, p.attempts) for p in later] == [(b, 0), (a, 1)]
    ack = '{"txn_id":"%s","status":"received","accepted_at":"2026-11-22T10:06:00+08:00","promised_by":"2026-11-29"}'
    store.outbox.mark_delivered(a, ack % a, NOW + timedelta(seconds=40))
    store.outbox.mark_delivered(a, ack % a, NOW + timedelta(seconds=50))  # repeat: no change
    record = store.outbox.record(a)
    assert record.state == "delivered" and record.attempts == 2
    assert record.delivered_at == (NOW + timedelta(seconds=40)).astimezone(timezone.utc)
    assert not store.outbox.mark_retry(a, "late", NOW)
    status = store.outbox.status(NOW + timedelta(seconds=61))
    assert (status.pending, status.delivered, status.dead, status.oldest_pending_age_s) == (1, 1, 0, 60)
    with pytest.raises(UnknownKey):
        store.outbox.mark_delivered("ZZ-EQ-0001-20261122-000099", "{}", NOW)


def test_dead_letters_retry_and_discard(store):
    a = store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id
    assert store.outbox.mark_dead(a, "invalid", "缺少必填项", NOW)
    assert store.outbox.due(NOW + timedelta(days=1)) == []
    [dead] = store.outbox.dead_letters()
    assert (dead.key, dead.code, dead.message, dead.item_name, dead.attempts) == (a, "invalid", "缺少必填项",
                                                                                 "高龄津贴申领", 1)
    assert store.outbox.status(NOW).dead == 1
    store.outbox.retry_dead(a)
    assert [p.key for p in store.outbox.due(NOW)] == [a] and store.outbox.dead_letters() == []
    with pytest.raises(WrongState):
        store.outbox.retry_dead(a)
    store.outbox.mark_dead(a, "invalid", "again", NOW)
    with pytest.raises(ValueError):
        store.outbox.discard_dead(a, "   ")
    store.outbox.discard_dead(a, "王工: 事项已下线, 已电话告知申请人", NOW)
    assert store.outbox.dead_letters() == []
    assert store.outbox.record(a).discard_reason == "王工: 事项已下线, 已电话告知申请人"
    status = store.outbox.status(NOW)
    assert (status.dead, status.discarded, status.pending) == (0, 1, 0)
    with pytest.raises(WrongState):
        store.outbox.discard_dead(a, "twice")


def test_ratings_queue_once_and_wait_for_their_transaction(store):
    txn_id = store.outbox.submit(citizen.draft(), DEVICE, NOW).txn_id
    rating = wire.RatingIn(txn_id=txn_id, score=5, reasons=["服务热情"], comment="很方便",
                           rated_at=NOW + timedelta(minutes=1))
    key = store.outbox.add_rating(rating, NOW)
    assert key == f"rating:{txn_id}"
    with pytest.raises(DuplicateRating):
        store.outbox.add_rating(rating.model_copy(update={"score": 1}), NOW)
    assert [p.kind for p in store.outbox.due(NOW)] == ["txn"]  # held back: 404 would kill it
    store.outbox.mark_delivered(txn_id, "{}", NOW)
    [pending] = store.outbox.due(NOW)
    assert (pending.kind, pending.key, pending.txn_id) == ("rating", key, txn_id)
    body = store.outbox.body(key)
    assert json.loads(body) == {"txn_id": txn_id, "score": 5, "reasons": ["服务热情"], "comment": "很方便",
                                "rated_at": "2026-11-22T10:06:00+08:00"}
    other = wire.RatingIn(txn_id="ZZ-EQ-0009-20261101-000007", score=3, rated_at=NOW)
    store.outbox.add_rating(other, NOW)  # made at another kiosk: not held back
    assert [p.key for p in store.outbox.due(NOW)] == [key, "rating:ZZ-EQ-0009-20261101-000007"]
    store.outbox.mark_delivered(key, "{}", NOW)
    store.outbox.purge(NOW, 0)
    with pytest.raises(Purged):
        store.outbox.body(key)
    with pytest.raises(DuplicateRating):
        store.outbox.add_rating(rating, NOW)


def test_kv(store, data_dir, key):
    assert store.kv.get("beacon.seq") is None and store.kv.get("x", 7) == 7
    assert [store.kv.incr("beacon.seq") for _ in range(3)] == [1, 2, 3]
    store.kv.set("cmd:abc", {"ok": True, "message": "已执行"})
    store.kv.set("cmd:abd", {"ok": False})
    store.kv.set("clock_skew_s", -12)
    assert store.kv.items("cmd:") == {"cmd:abc": {"ok": True, "message": "已执行"}, "cmd:abd": {"ok": False}}
    assert store.kv.update("samples", lambda old: old + [1], default=[]) == [1]
    assert store.kv.delete("cmd:abd") and not store.kv.delete("cmd:abd")
    with open_store(data_dir, key) as again:
        assert again.kv.get("beacon.seq") == 3 and again.kv.get("clock_skew_s") == -12


def test_reprs_are_masked(store):
    done = store.outbox.submit(citizen.draft(), DEVICE, NOW)
    text = " ".join(repr(x) for x in (store, store.outbox, store.kv, done, store.outbox.due(NOW),
                                      store.outbox.recent(), store.outbox.status(NOW)))
    assert citizen.NAME not in text and citizen.ID_NUMBER not in text and citizen.PHONE not in text
