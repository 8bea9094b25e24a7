"""Ratings (201, 200 repeat, 404 unknown txn, 409 conflict) and certificates (deterministic
synthetic records; 404 no_record)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from county.certificates import valid_id_number
from tests.county.support import JPEG, PNG, sample_txn


@pytest.fixture
def delivered(kiosk):
    kiosk.put_blob(JPEG)
    kiosk.put_blob(PNG, "image/png")
    txn = sample_txn(kiosk.txn_id(1))
    assert kiosk.post_txn(txn).status_code == 201
    return txn["txn_id"]


def _rate(kiosk, txn_id: str, score: int = 5, key: str | None = None, **extra):
    body = json.dumps({"txn_id": txn_id, "score": score, "reasons": ["办事快"], "comment": "",
                       "rated_at": "2026-11-22T10:10:00+08:00", **extra}, ensure_ascii=False).encode()
    return kiosk.send("POST", "/ratings", body, {"Idempotency-Key": key or f"rating:{txn_id}"})


def test_rating_201_then_200_then_409(kiosk, delivered):
    first = _rate(kiosk, delivered)
    assert first.status_code == 201 and first.json()["txn_id"] == delivered
    assert _rate(kiosk, delivered).status_code == 200
    other = _rate(kiosk, delivered, score=1)
    assert other.status_code == 409 and other.json()["error"] == "idempotency_conflict"


def test_rating_an_unknown_transaction_is_404(kiosk):
    answer = _rate(kiosk, kiosk.txn_id(77))
    assert answer.status_code == 404 and answer.json()["error"] == "unknown_txn"


def test_rating_key_and_score_are_checked(kiosk, delivered):
    assert _rate(kiosk, delivered, key=delivered).json()["error"] == "invalid"
    for score in (0, 6, 2.5, None):
        assert _rate(kiosk, delivered, score=score).status_code == 422


@pytest.mark.parametrize("kind, title", [("pension-rights", "基本养老保险个人权益单"),
                                         ("social-insurance-payment", "社会保险参保缴费证明")])
def test_certificates_are_deterministic_and_masked(kiosk, kind, title):
    ask = {"kind": kind, "id_number": "110105199003071239"}
    first = kiosk.send("POST", "/certificates", ask)
    assert first.status_code == 200
    cert = first.json()
    assert cert["kind"] == kind and cert["title"] == title and len(cert["lines"]) >= 5
    assert datetime.fromisoformat(cert["issued_at"]).tzinfo is not None and len(cert["verify_code"]) >= 16
    text = "\n".join(cert["lines"])
    assert "110105199003071239" not in text and "110105********1239" in text and "姓名：" in text
    again = kiosk.send("POST", "/certificates", ask).json()
    assert again["lines"] == cert["lines"] and again["verify_code"] == cert["verify_code"]
    other = kiosk.send("POST", "/certificates", {**ask, "id_number": "210102198506154028"}).json()
    assert other["lines"] != cert["lines"]


def test_no_record_for_bad_numbers_a_share_and_unknown_kinds(kiosk):
    from kiosk.catalog.forms import check_digit

    share = "11010519900307140" + check_digit("11010519900307140")
    for number in ("110105199003071238",  # check character wrong
                   "110105199013071239",  # no 13th month
                   "11010519900307123",   # too short
                   share):  # valid, but its sequence code ends in 0: no record
        answer = kiosk.send("POST", "/certificates", {"kind": "pension-rights", "id_number": number})
        assert answer.status_code == 404 and answer.json()["error"] == "no_record", number
    assert valid_id_number(share)
    unknown = kiosk.send("POST", "/certificates", {"kind": "marriage", "id_number": "110105199003071239"})
    assert unknown.status_code == 404


def test_a_tenth_of_valid_numbers_have_no_record():
    from county.certificates import has_record
    from kiosk.catalog.forms import check_digit

    numbers = [f"41010219800101{n:03d}" for n in range(200)]
    numbers = [n + check_digit(n) for n in numbers]
    assert sum(not has_record(n) for n in numbers) == 20
