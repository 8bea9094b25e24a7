"""Errors always in the contract's form; no 500 for anything a client can send; nothing
personal in the logs."""

from __future__ import annotations

import logging

import pytest
import requests

from tests.county.support import JPEG, PNG, sample_txn

SIGNED_POSTS = ["/transactions", "/transactions/query", "/ratings", "/certificates", "/beacons"]
GARBAGE = [b"", b"{", b"}", b"\xff\xfe\x00", b"[]", b"null", b"true", b'"text"', b"1e999", b'{"a": NaN}',
           b"[" * 3000, b'{"x": ' * 3000, b'{"txn_id": {"$ne": 1}}', "{\"id_number\": \"\u0000\"}".encode()]


@pytest.mark.parametrize("path", SIGNED_POSTS)
def test_garbage_bodies_are_4xx_in_the_contract_form(kiosk, path):
    for body in GARBAGE:
        answer = kiosk.send("POST", path, body, {"Idempotency-Key": "x"})
        assert 400 <= answer.status_code < 500, (path, body[:20], answer.status_code)
        assert answer.headers["content-type"].startswith("application/json")
        assert set(answer.json()) >= {"error", "message"}


def test_unknown_paths_and_methods_answer_in_the_contract_form(server, kiosk):
    missing = requests.get(server.url + "/api/v1/nothing", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = requests.delete(server.url + "/api/v1/catalog", timeout=10)
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    huge = kiosk.send("POST", "/beacons", b"{" + b" " * (1024 * 1024 + 10) + b"}")
    assert huge.status_code == 413 and huge.json()["error"] == "too_large"
    bad_length = requests.post(server.url + "/api/v1/enroll", data=b"{}", timeout=10,
                               headers={"Content-Type": "application/json"})
    assert bad_length.status_code == 422 and bad_length.json()["error"] == "invalid"


def test_no_personal_data_in_the_logs(server, kiosk, caplog):
    caplog.set_level(logging.DEBUG)
    kiosk.put_blob(JPEG)
    kiosk.put_blob(PNG, "image/png")
    txn = sample_txn(kiosk.txn_id(1))
    assert kiosk.post_txn(txn).status_code == 201
    assert kiosk.post_txn({**txn, "form": {**txn["form"], "phone": "1"}}).status_code == 409
    kiosk.send("POST", "/transactions/query", {"id_number": "110105199003071239"})
    kiosk.send("POST", "/certificates", {"kind": "pension-rights", "id_number": "110105199003071239"})
    kiosk.post_txn(sample_txn(kiosk.txn_id(2), form={"phone": "13800138000"}))
    text = caplog.text
    assert "county.access" in text or "POST /api/v1/transactions" in text  # the scrubbed line is there
    for needle in ("110105199003071239", "李小明", "13800138000", "光华路"):
        assert needle not in text
