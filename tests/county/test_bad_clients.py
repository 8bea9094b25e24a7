"""The county backend against bad clients, over raw sockets: replayed and forged requests,
skewed clocks, a flood from one device, a database failing underneath. Each gets the
contract's typed error, never a 500, stores nothing, and the backend keeps serving: a genuine
transaction is still accepted at the end. (Bad bodies: test_bad_bodies.py.)"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time

from county import db as tables
from county.timefmt import stamp
from kiosk.signing import new_nonce
from tests.county.raw_http import (FixedClock, assert_still_serving, exchange, head, no_server_errors, signed, signing,
                                   stored, txn_request)
from tests.county.support import API, JPEG, PNG, Kiosk, Server, beacon_body, sample_txn

__all__ = ["no_server_errors"]  # the autouse fixture, imported to apply here


def test_replays_of_each_signed_post_are_refused_even_after_a_restart(db_url):
    with Server(db_url) as server:
        kiosk = server.enroll("ZZ-EQ-0001")
        assert exchange(server, signed(kiosk, "PUT", f"/blobs/{hashlib.sha256(PNG).hexdigest()}", PNG,
                                       content_type="image/png")).status == 201
        txn_id = kiosk.txn_id(1)
        rating = {"txn_id": txn_id, "score": 5, "reasons": [], "comment": "", "rated_at": "2026-11-22T10:09:00+08:00"}
        originals = {
            "blob": signed(kiosk, "PUT", f"/blobs/{hashlib.sha256(JPEG).hexdigest()}", JPEG, content_type="image/jpeg"),
            "transaction": txn_request(kiosk, 1),
            "rating": signed(kiosk, "POST", "/ratings", rating, headers={"Idempotency-Key": f"rating:{txn_id}"}),
            "beacon": signed(kiosk, "POST", "/beacons", beacon_body(kiosk.device_id, 1, [])),
        }
        for name, data in originals.items():
            assert exchange(server, data).status in (200, 201), name
        before = stored(server)
        for name, data in originals.items():
            assert exchange(server, data).error() == (401, "replayed_nonce"), name
            fresh = data.replace(data.split(b"X-Kiosk-Nonce: ")[1][:32], new_nonce().encode())
            assert exchange(server, fresh).error() == (401, "bad_signature"), name  # the old signature, a new nonce
    with Server(db_url) as restarted:  # nonces live in the database
        for name, data in originals.items():
            assert exchange(restarted, data).error() == (401, "replayed_nonce"), name
        assert stored(restarted) == before
        assert_still_serving(Kiosk(restarted, kiosk.device_id, kiosk.key))


def test_forged_signatures_are_bad_signature_and_spend_no_nonce(server, kiosk):
    other = server.enroll("ZZ-EQ-0002")
    kiosk.put_blob(JPEG)
    kiosk.put_blob(PNG, "image/png")
    txn = sample_txn(kiosk.txn_id(1))
    body = json.dumps(txn, ensure_ascii=False).encode()
    nonce, path = new_nonce(), API + "/transactions"
    genuine = {"Content-Type": "application/json", "Content-Length": str(len(body)), "Idempotency-Key": txn["txn_id"],
               **signing(kiosk, "POST", path, body, nonce=nonce)}
    signature = base64.b64decode(genuine["X-Kiosk-Signature"])
    forgeries = {
        "another device's key": signing(other, "POST", path, body, nonce=nonce) | {"X-Kiosk-Device": kiosk.device_id},
        "another body": signing(kiosk, "POST", path, body.replace(b"2200", b"2100"), nonce=nonce),
        "another path": signing(kiosk, "POST", API + "/ratings", body, nonce=nonce),
        "another query": signing(kiosk, "POST", path + "?dry=1", body, nonce=nonce),
        "another method": signing(kiosk, "PUT", path, body, nonce=nonce),
        "truncated base64": {"X-Kiosk-Signature": genuine["X-Kiosk-Signature"][:-4]},
        "no padding": {"X-Kiosk-Signature": genuine["X-Kiosk-Signature"].rstrip("=")},
        "63 bytes": {"X-Kiosk-Signature": base64.b64encode(signature[:63]).decode()},
        "hmac with an algorithm header": {
            "X-Kiosk-Signature-Algorithm": "hmac-sha256", "X-Kiosk-Signature": base64.b64encode(hmac.digest(
                kiosk.key.public_key_raw(), body, "sha256")).decode()},
        "algorithm none": {"X-Kiosk-Algorithm": "none", "X-Kiosk-Signature": ""},
        "upper-case nonce": {"X-Kiosk-Nonce": nonce.upper()},
        "signed timestamp with a plus": {"X-Kiosk-Timestamp": "+" + genuine["X-Kiosk-Timestamp"]},
        "unknown device": signing(Kiosk(server, "ZZ-EQ-0404", kiosk.key), "POST", path, body, nonce=nonce)
        | {"X-Kiosk-Device": "ZZ-EQ-0404"},
        "device id not of the form": {"X-Kiosk-Device": "zz-eq-0001"},
        **{f"no {name}": {name: None} for name in
           ("X-Kiosk-Device", "X-Kiosk-Timestamp", "X-Kiosk-Nonce", "X-Kiosk-Signature")},
    }
    for name, changes in forgeries.items():
        changes = {"X-Kiosk-Device": kiosk.device_id, **changes} if "X-Kiosk-Device" not in changes else changes
        headers = {k: v for k, v in {**genuine, **changes}.items() if v is not None}
        assert exchange(server, head("POST", path, headers) + body).error() == (401, "bad_signature"), name
    for name, first in (("X-Kiosk-Device", other.device_id), ("X-Kiosk-Signature", "AAAA")):  # which would count?
        doubled = head("POST", path, genuine).replace(f"{name}: ".encode(), f"{name}: {first}\r\n{name}: ".encode())
        assert exchange(server, doubled + body).error() == (401, "bad_signature"), f"{name} twice"
    assert stored(server)["transactions"] == 0
    assert exchange(server, head("POST", path, genuine) + body).status == 201  # its nonce was never spent


def test_clock_skew_at_and_just_past_the_window_both_ways(server, kiosk):
    fixed = FixedClock(float(int(time.time())))
    server.clock = server.app.state.county.clock = server.app.state.county.auth.clock = fixed
    now = int(fixed.now)
    for seq, moment in enumerate((now - 300, now + 300), start=1):
        assert exchange(server, signed(kiosk, "POST", "/beacons", beacon_body(kiosk.device_id, seq, []),
                                       timestamp=moment)).status == 200
    for moment in (now - 301, now + 301, 999999999999):
        answer = exchange(server, signed(kiosk, "POST", "/beacons", beacon_body(kiosk.device_id, 9, []),
                                         timestamp=moment))
        assert answer.error() == (401, "clock_skew") and answer.body["server_time"] == stamp(fixed.now)
    forged = signed(Kiosk(server, kiosk.device_id, server.enroll("ZZ-EQ-0002").key), "POST", "/beacons",
                    beacon_body(kiosk.device_id, 9, []), timestamp=now + 301)
    assert exchange(server, forged).error() == (401, "bad_signature")  # a forger learns nothing of the clock
    assert stored(server)["beacon_history"] == 2
    assert_still_serving(kiosk)


def test_a_flood_from_one_device_is_limited_stores_only_what_passed_and_keeps_its_nonces(db_url):
    with Server(db_url, rate_per_s=0.5, rate_burst=3) as server:
        flooder, quiet = server.enroll("ZZ-EQ-0001"), server.enroll("ZZ-EQ-0002")
        sent = [signed(flooder, "POST", "/beacons", beacon_body(flooder.device_id, seq, [])) for seq in range(12)]
        answers = [exchange(server, data) for data in sent]
        passed = [a.status for a in answers].count(200)
        limited = [(data, a) for data, a in zip(sent, answers) if a.status != 200]
        assert limited and all(a.error() == (429, "rate_limited") for _, a in limited)
        assert all(a.headers["retry-after"].isdigit() and int(a.headers["retry-after"]) >= 1 for _, a in limited)
        assert exchange(server, signed(quiet, "POST", "/beacons", beacon_body(quiet.device_id, 1, []))).status == 200
        assert stored(server)["beacon_history"] == passed + 1
        data, answer = limited[-1]
        time.sleep(int(answer.headers["retry-after"]) + 0.2)
        assert exchange(server, data).status == 200  # the same bytes, after Retry-After: its nonce was kept
        enrolls = [exchange(server, head("POST", API + "/enroll", {"Content-Type": "application/json",
                                         "Content-Length": "2"}) + b"{}") for _ in range(6)]
        assert (429, "rate_limited") in [a.error() for a in enrolls]  # unsigned: limited by the client's address
        quiet.put_blob(JPEG)
        quiet.put_blob(PNG, "image/png")
        for _ in range(5):  # as a kiosk does: honour Retry-After
            answer = exchange(server, txn_request(flooder, 1))
            if answer.status != 429:
                break
            time.sleep(int(answer.headers["retry-after"]))
        assert answer.status == 201


def test_a_database_failure_is_500_internal_with_no_body_in_the_log(server, kiosk, caplog):
    caplog.set_level(logging.DEBUG)
    kiosk.put_blob(JPEG)
    kiosk.put_blob(PNG, "image/png")
    assert kiosk.post_txn(sample_txn(kiosk.txn_id(1))).status_code == 201
    tables.ratings.drop(server.db.engine)  # the database breaks under the backend
    rating = {"txn_id": kiosk.txn_id(1), "score": 1, "reasons": [], "comment": "13800138000 李小明",
              "rated_at": "2026-11-22T10:09:00+08:00"}
    answer = kiosk.send("POST", "/ratings", rating, {"Idempotency-Key": f"rating:{kiosk.txn_id(1)}"})
    assert answer.status_code == 500 and answer.json() == {"error": "internal", "message": "internal error"}
    assert "internal error on POST /api/v1/ratings" in caplog.text
    assert "13800138000" not in caplog.text and "李小明" not in caplog.text
    assert kiosk.send("GET", f"/transactions/{kiosk.txn_id(1)}").status_code == 200  # the same connection serves on
    caplog.clear()
