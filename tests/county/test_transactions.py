"""Transactions: idempotent by txn_id, missing_blobs, the item's own rules, the signer's numbers."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.receipts import promised_date
from tests.county.support import JPEG, PNG, blob_ref, sample_txn

CST = timezone(timedelta(hours=8))


@pytest.fixture
def stocked(kiosk):
    assert kiosk.put_blob(JPEG).status_code == 201
    assert kiosk.put_blob(PNG, "image/png").status_code == 201
    return kiosk


def test_201_with_the_ack_then_200_with_the_same_body(stocked):
    txn = sample_txn(stocked.txn_id(1))
    first = stocked.post_txn(txn)
    assert first.status_code == 201
    ack = first.json()
    assert ack["txn_id"] == txn["txn_id"] and ack["status"] == "received"
    accepted = datetime.fromisoformat(ack["accepted_at"])
    assert accepted.utcoffset() == timedelta(hours=8)
    # 房屋租赁登记备案 promises 1 工作日
    assert ack["promised_by"] == promised_date(accepted.astimezone(CST).date(), 1, "工作日").isoformat()
    stocked.server.clock.offset += 100
    repeat = stocked.post_txn(txn)
    assert repeat.status_code == 200 and repeat.content == first.content


def test_same_key_with_another_body_is_409(stocked):
    txn = sample_txn(stocked.txn_id(1))
    assert stocked.post_txn(txn).status_code == 201
    changed = stocked.post_txn({**txn, "form": {**txn["form"], "rent": 2300}})
    assert changed.status_code == 409 and changed.json()["error"] == "idempotency_conflict"
    # the same JSON with other bytes (spacing) is another body too: the key is for the exact bytes
    spaced = json.dumps(txn, ensure_ascii=False, indent=1).encode()
    answer = stocked.send("POST", "/transactions", spaced, {"Idempotency-Key": txn["txn_id"]})
    assert answer.status_code == 409


def test_missing_blobs_lists_every_one(kiosk):
    page, sig = b"\xff\xd8\xff" + b"page", b"\x89PNG\r\n\x1a\n" + b"sig"
    txn = sample_txn(kiosk.txn_id(1), material=page, signature=sig)
    answer = kiosk.post_txn(txn)
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "missing_blobs"
    assert body["missing"] == [hashlib.sha256(page).hexdigest(), hashlib.sha256(sig).hexdigest()]
    assert kiosk.put_blob(page).status_code == 201
    assert kiosk.post_txn(txn).json()["missing"] == [hashlib.sha256(sig).hexdigest()]
    assert kiosk.put_blob(sig, "image/png").status_code == 201
    assert kiosk.post_txn(txn).status_code == 201


def test_idempotency_key_must_be_the_txn_id(stocked):
    txn = sample_txn(stocked.txn_id(1))
    wrong = stocked.post_txn(txn, key=stocked.txn_id(2))
    assert wrong.status_code == 422 and wrong.json()["error"] == "invalid"
    data = json.dumps(txn).encode()
    none = stocked.send("POST", "/transactions", data)
    assert none.status_code == 422 and none.json()["error"] == "invalid"


def test_the_txn_id_must_be_numbered_by_the_signing_device(stocked):
    other = sample_txn("ZZ-EQ-0002-20261122-000001")
    answer = stocked.post_txn(other)
    assert answer.status_code == 422 and answer.json()["error"] == "invalid"
    prefix = sample_txn("ZZ-EQ-00012-20261122-000001")  # ZZ-EQ-0001 is only a prefix of its device part
    assert stocked.post_txn(prefix).status_code == 422


@pytest.mark.parametrize("change, words", [
    ({"item_code": "zz-no-such-item"}, "unknown item"),
    ({"identity_method": "qr", "item_code": "zz-fwzlba"}, None),  # fwzlba accepts qr too: passes
])
def test_unknown_item_is_invalid(stocked, change, words):
    answer = stocked.post_txn(sample_txn(stocked.txn_id(1), **change))
    if words is None:
        assert answer.status_code == 201
    else:
        assert answer.status_code == 422 and answer.json()["error"] == "invalid" and words in answer.json()["message"]


def test_form_values_failing_the_items_rules_are_invalid(stocked):
    txn = sample_txn(stocked.txn_id(1))
    for form in ({**txn["form"], "phone": "12345"}, {**txn["form"], "use": "养殖"},
                 {k: v for k, v in txn["form"].items() if k != "area"}, {**txn["form"], "extra": "x"},
                 {**txn["form"], "area": 0}):
        answer = stocked.post_txn({**txn, "form": form})
        assert answer.status_code == 422 and answer.json()["error"] == "invalid"
        assert answer.json()["message"].startswith("form:")
        assert "13800138000" not in answer.text  # never the value


def test_required_materials_face_and_signature(stocked):
    txn = sample_txn(stocked.txn_id(1))
    without = stocked.post_txn({**txn, "materials": txn["materials"][:2]})
    assert without.status_code == 422 and "other-id" in without.json()["message"]
    stray = stocked.post_txn({**txn, "materials": txn["materials"] + [{**txn["materials"][0], "code": "photo"}]})
    assert stray.status_code == 422
    unsigned = stocked.post_txn({**txn, "signature": None})
    assert unsigned.status_code == 422 and "signature" in unsigned.json()["message"]


def test_eligibility_is_checked(stocked):
    txn = sample_txn(stocked.txn_id(1))
    expired = {**txn["applicant"], "valid_to": "2020-05-10"}
    answer = stocked.post_txn({**txn, "applicant": expired})
    assert answer.status_code == 422 and "card_expired" in answer.json()["message"]


@pytest.mark.parametrize("body", [b"", b"{", b"\xff", b"[]", b"null", b"1", b'{"txn_id": 5}', b"[" * 5000 + b"]" * 5000,
                                  b'{"txn_id": "ZZ-EQ-0001-20261122-000001"}'])
def test_malformed_bodies_are_4xx_in_the_contract_form(kiosk, body):
    answer = kiosk.send("POST", "/transactions", body, {"Idempotency-Key": "ZZ-EQ-0001-20261122-000001"})
    assert answer.status_code in (400, 422)
    assert answer.json()["error"] in ("malformed", "invalid") and "message" in answer.json()


def test_schema_violations_are_invalid_never_500(stocked):
    txn = sample_txn(stocked.txn_id(1))
    for bad in ({**txn, "created_at": "2026-11-22T10:03:00"}, {**txn, "surprise": 1},
                {**txn, "applicant": {**txn["applicant"], "gender": "x"}},
                {**txn, "materials": [{**txn["materials"][0], "size": 6 * 1024 * 1024}]},
                {**txn, "form": [1, 2]}):
        answer = stocked.post_txn(bad)
        assert answer.status_code == 422 and answer.json()["error"] == "invalid"


def test_racing_repeats_create_exactly_one(stocked):
    txn = sample_txn(stocked.txn_id(1))
    codes: list[int] = []

    def post() -> None:
        codes.append(stocked.post_txn(txn).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(codes) == [200] * 5 + [201]


def test_blob_refs_are_typed(stocked):
    txn = sample_txn(stocked.txn_id(1), signature=PNG)
    txn["signature"] = {**blob_ref(PNG, "image/png"), "content_type": "image/gif"}
    assert stocked.post_txn(txn).status_code == 422
