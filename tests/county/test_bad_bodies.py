"""The county backend against bad bodies, over raw sockets: just over each size limit, a lying
Content-Length, chunked without a length, a body that comes too slowly, malformed JSON, the
wrong media type, numbers and texts no column can hold. Each gets the contract's typed error,
never a 500, and stores nothing; the backend keeps serving."""

from __future__ import annotations

import hashlib
import json
import select
import socket

from county.auth import JSON_LIMIT
from kiosk import wire
from tests.county.raw_http import (assert_still_serving, chunked, exchange, head, no_server_errors, read_answer, signed,
                                   stored, txn_request)
from tests.county.support import API, JPEG, PNG, Server, beacon_body, sample_txn

__all__ = ["no_server_errors"]  # the autouse fixture, imported to apply here


def test_bodies_just_over_each_limit_are_413_and_at_the_limit_pass(server, kiosk):
    big = JPEG + b"\x00" * (wire.MAX_BLOB_BYTES - len(JPEG))
    for data, expected in ((big + b"\x00", (413, "too_large")), (big, (201, ""))):
        answer = exchange(server, signed(kiosk, "PUT", f"/blobs/{hashlib.sha256(data).hexdigest()}", data,
                                         content_type="image/jpeg"), head_only=expected[0] == 413)
        assert answer.error() == expected
    kiosk.put_blob(PNG, "image/png")
    txn = sample_txn(kiosk.txn_id(1), material=big)
    body = json.dumps(txn, ensure_ascii=False).encode()
    for padding, expected in ((JSON_LIMIT - len(body) + 1, (413, "too_large")), (JSON_LIMIT - len(body), (201, ""))):
        answer = exchange(server, signed(kiosk, "POST", "/transactions", body + b" " * padding,
                                         headers={"Idempotency-Key": txn["txn_id"]}), head_only=expected[0] == 413)
        assert answer.error() == expected
    enroll = b'{"token": "' + b"x" * 64 * 1024 + b'"}'
    assert exchange(server, head("POST", API + "/enroll", {"Content-Type": "application/json",
                    "Content-Length": str(len(enroll))}) + enroll, head_only=True).error() == (413, "too_large")
    lying = signed(kiosk, "POST", "/beacons", b"{}", headers={"Content-Length": str(10 ** 12)})
    assert exchange(server, lying).error() == (413, "too_large")  # refused before reading: no wait for 1 TB
    assert stored(server)["blobs"] == 2 and stored(server)["transactions"] == 1


def test_chunked_bodies_without_a_length_are_held_to_the_limit(server, kiosk):
    small = JPEG + b"chunked"
    assert chunked(kiosk, f"/blobs/{hashlib.sha256(small).hexdigest()}", small, content_type="image/jpeg").status == 201
    big = JPEG + b"\x00" * wire.MAX_BLOB_BYTES
    answer = chunked(kiosk, f"/blobs/{hashlib.sha256(big).hexdigest()}", big, content_type="image/jpeg", finish=False)
    assert answer.error() == (413, "too_large")
    assert stored(server)["blobs"] == 1


def test_a_body_that_comes_too_slowly_is_408_and_the_server_serves_on(db_url):
    with Server(db_url, body_idle_s=1.0) as server:
        kiosk = server.enroll("ZZ-EQ-0001")
        data = txn_request(kiosk, 1)
        cut = data.index(b"\r\n\r\n") + 20
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=60) as stalled:
            stalled.sendall(data[:cut])  # and then nothing
            assert_still_serving(kiosk, 2)  # the stalled connection holds nobody up
            assert read_answer(stalled).error() == (408, "timeout")
        server.app.state.county.auth.body_total_s = 2.0
        with socket.create_connection((host, int(port)), timeout=60) as trickle:
            trickle.sendall(data[:cut])
            for byte in range(cut, cut + 40):  # a byte every 0.25 s: never idle, never done
                if select.select([trickle], [], [], 0.25)[0]:
                    break
                trickle.sendall(data[byte:byte + 1])
            assert read_answer(trickle).error() == (408, "timeout")
        assert stored(server)["transactions"] == 1


def test_malformed_bodies_get_typed_errors_and_store_nothing(server, kiosk):
    kiosk.put_blob(JPEG)
    kiosk.put_blob(PNG, "image/png")
    good = json.dumps(sample_txn(kiosk.txn_id(1)), ensure_ascii=False).encode()
    name, rent = "李小明".encode(), b'"rent": 2200'
    bad, wrong, odd = (400, "malformed"), (415, "unsupported_media_type"), (422, "invalid")
    cases = {  # label: (body, answer), sent as application/json
        "cut short": (good[:-1], bad),
        "invalid UTF-8": (good.replace(name, b"\xe6\x9d\x8e\xff"), bad),
        "a byte order mark": (b"\xef\xbb\xbf" + good, bad),
        "a raw NUL": (good.replace(name, b"\x00"), bad),
        "an escaped NUL": (good.replace(name, b"\\u0000"), odd),
        "a duplicate key": (b'{"txn_id": "ZZ-EQ-0002-20261122-000001", ' + good[1:], bad),
        "NaN": (good.replace(rent, b'"rent": NaN'), bad),
        "Infinity": (good.replace(rent, b'"rent": -Infinity'), bad),
        "beyond a double": (good.replace(rent, b'"rent": 1e999'), bad),
        "5000 digits": (good.replace(rent, b'"rent": ' + b"9" * 5000), bad),
        "nested past the parser": (good.replace(rent, b'"rent": ' + b"[" * 10 ** 5 + b"]" * 10 ** 5), bad),
        "nested within the parser": (good.replace(rent, b'"rent": ' + b"[" * 900 + b"]" * 900), odd),
    }
    sent = [(label, body, "application/json", expected) for label, (body, expected) in cases.items()]
    for label, body, content_type, expected in sent + [("text/plain", good, "text/plain", wrong),
                                                        ("no content type", good, "", wrong)]:
        assert body != good or content_type != "application/json", label
        answer = exchange(server, signed(kiosk, "POST", "/transactions", body, content_type=content_type,
                                         headers={"Idempotency-Key": kiosk.txn_id(1)}))
        assert answer.error() == expected, label
        assert set(answer.body) >= {"error", "message"} and "李" not in answer.body["message"], label
    printer = {"state": "online", "detail": {"paper": "ok", "cover_open": False}}
    beacons = {  # what the schema lets through and no column can hold
        "seq past INTEGER": beacon_body(kiosk.device_id, 2 ** 31, []),
        "a counter past 64 bits": beacon_body(kiosk.device_id, 1, [], devices={"printer": {**printer,
                                                                                "counters": {"jams": 2 ** 63}}}),
        "a NUL in a detail": beacon_body(kiosk.device_id, 1, [], devices={"printer": {**printer,
                                                                           "detail": {"paper": "ok\u0000"}}}),
        "a lone surrogate": beacon_body(kiosk.device_id, 1, [], devices={"printer": {**printer,
                                                                          "detail": {"paper": "\ud800"}}}),
        "a NUL in an ack": beacon_body(kiosk.device_id, 1, [{"command_id": "a\u0000", "ok": True, "message": ""}]),
    }
    for label, beacon in beacons.items():
        data = json.dumps(beacon).encode()  # ASCII escapes: the lone surrogate stays one
        assert exchange(server, signed(kiosk, "POST", "/beacons", data)).error() == odd, label
    assert stored(server)["transactions"] == 0 and stored(server)["beacon_history"] == 0
    charset = signed(kiosk, "POST", "/transactions", good, content_type="application/json; charset=utf-8",
                     headers={"Idempotency-Key": kiosk.txn_id(1)})
    assert exchange(server, charset).status == 201
