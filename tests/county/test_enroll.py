"""Enrollment: single-use expiring tokens, 403 bad_token, 409 already_enrolled, the same key again."""

from __future__ import annotations

from datetime import datetime

from kiosk.signing import DeviceKey
from tests.county.support import API, Kiosk


def test_enroll_answers_201_and_the_device_may_sign(server):
    kiosk = Kiosk(server, "ZZ-EQ-0001", DeviceKey.generate())
    answer = kiosk.enroll(server.token())
    assert answer.status_code == 201
    body = answer.json()
    assert body["device_id"] == "ZZ-EQ-0001" and datetime.fromisoformat(body["enrolled_at"]).tzinfo is not None
    assert kiosk.send("GET", "/catalog").status_code == 200


def test_a_token_is_single_use(server):
    token = server.token()
    assert Kiosk(server, "ZZ-EQ-0001", DeviceKey.generate()).enroll(token).status_code == 201
    again = Kiosk(server, "ZZ-EQ-0002", DeviceKey.generate()).enroll(token)
    assert again.status_code == 403 and again.json()["error"] == "bad_token"


def test_unknown_and_expired_tokens_are_bad_tokens(server):
    kiosk = Kiosk(server, "ZZ-EQ-0001", DeviceKey.generate())
    unknown = kiosk.enroll("ct-not-a-token-at-all")
    assert unknown.status_code == 403 and unknown.json() == {"error": "bad_token", "message": unknown.json()["message"]}
    token = server.token(ttl_s=60)
    server.clock.offset = 61
    expired = kiosk.enroll(token)
    assert expired.status_code == 403 and expired.json()["error"] == "bad_token"


def test_same_device_id_with_another_key_is_409_and_keeps_the_token(server):
    server.enroll("ZZ-EQ-0001")
    token = server.token()
    other = Kiosk(server, "ZZ-EQ-0001", DeviceKey.generate()).enroll(token)
    assert other.status_code == 409 and other.json()["error"] == "already_enrolled"
    assert Kiosk(server, "ZZ-EQ-0002", DeviceKey.generate()).enroll(token).status_code == 201  # not spent


def test_same_device_id_with_the_same_key_is_accepted_again(server):
    kiosk = server.enroll("ZZ-EQ-0001")
    again = kiosk.enroll(server.token())
    assert again.status_code == 201 and again.json()["device_id"] == "ZZ-EQ-0001"
    assert kiosk.send("GET", "/catalog").status_code == 200


def test_enroll_refuses_malformed_requests_in_the_contract_form(server):
    kiosk = Kiosk(server, "ZZ-EQ-0001", DeviceKey.generate())
    bad_key = kiosk.enroll(server.token(), public_key="bm90IDMyIGJ5dGVz")
    assert bad_key.status_code == 422 and bad_key.json()["error"] == "invalid"
    url = server.url + API + "/enroll"
    for body in (b"", b"{", b"\xff\xfe", b"[]", b"null", b'{"token": 1}'):
        answer = kiosk.session.post(url, data=body, headers={"Content-Type": "application/json"})
        assert answer.status_code in (400, 422), body
        assert set(answer.json()) >= {"error", "message"}
    mismatch = kiosk.session.post(url, json={"token": server.token(), "device_id": "ZZ-EQ-0001",
                                             "public_key": kiosk.key.public_key_b64(),
                                             "identity": {**_identity("ZZ-EQ-0009")}})
    assert mismatch.status_code == 422 and mismatch.json()["error"] == "invalid"


def _identity(device_id: str) -> dict[str, str]:
    from tests.county.support import identity

    return identity(device_id)
