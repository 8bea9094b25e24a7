"""Signing per county-api.md "Authentication", checked against an independent rebuild."""

from __future__ import annotations

import base64
import hashlib
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.signing import (DeviceKey, KeyFileError, load_public_key, sign_request, string_to_sign,
                           verify_request)

NONCE = "0123456789abcdef0123456789abcdef"


def test_signed_string_is_the_five_lines_of_the_contract() -> None:
    body = '{"a":"张"}'.encode()
    expected = ("POST\n/kiosk/api/v1/transactions?x=1\n1763776980\n" + NONCE + "\n"
                + hashlib.sha256(body).hexdigest()).encode()
    assert string_to_sign("post", "/kiosk/api/v1/transactions?x=1", "1763776980", NONCE, body) == expected
    empty = string_to_sign("GET", "/api/v1/catalog", "1", NONCE, b"")
    assert empty.endswith(b"\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert not empty.endswith(b"\n\n")


def test_headers_verify_with_the_raw_public_key() -> None:
    key = DeviceKey.generate()
    body = b'{"seq":1}'
    headers = sign_request(key, "ZZ-EQ-0001", "POST", "/api/v1/beacons", body, timestamp=1763776980, nonce=NONCE)
    assert headers["X-Kiosk-Device"] == "ZZ-EQ-0001"
    assert headers["X-Kiosk-Timestamp"] == "1763776980"
    assert headers["X-Kiosk-Nonce"] == NONCE
    signature = base64.b64decode(headers["X-Kiosk-Signature"], validate=True)
    assert len(signature) == 64 and headers["X-Kiosk-Signature"].endswith("==")
    raw = base64.b64decode(key.public_key_b64())
    assert len(raw) == 32
    # an independent check: rebuild the string by hand and verify with cryptography directly
    signed = f"POST\n/api/v1/beacons\n1763776980\n{NONCE}\n{hashlib.sha256(body).hexdigest()}".encode()
    Ed25519PublicKey.from_public_bytes(raw).verify(signature, signed)


def test_nonces_are_random_lowercase_hex() -> None:
    key = DeviceKey.generate()
    nonces = {sign_request(key, "ZZ-EQ-0001", "GET", "/api/v1/catalog")["X-Kiosk-Nonce"] for _ in range(50)}
    assert len(nonces) == 50
    assert all(len(n) == 32 and n == n.lower() and int(n, 16) >= 0 for n in nonces)
    with pytest.raises(ValueError):
        sign_request(key, "ZZ-EQ-0001", "GET", "/x", nonce="ABCDEF0123456789ABCDEF0123456789")


@pytest.mark.parametrize("change", ["method", "path", "query", "body", "timestamp", "nonce", "device_key"])
def test_any_change_breaks_the_signature(change: str) -> None:
    key = DeviceKey.generate()
    body = b'{"txn_id":"ZZ-EQ-0001-20261122-000001"}'
    headers = sign_request(key, "ZZ-EQ-0001", "POST", "/api/v1/transactions?a=1", body, timestamp=1000, nonce=NONCE)
    method, path, public = "POST", "/api/v1/transactions?a=1", key.public_key()
    if change == "method":
        method = "PUT"
    elif change == "path":
        path = "/api/v1/ratings?a=1"
    elif change == "query":
        path = "/api/v1/transactions?a=2"
    elif change == "body":
        body = body.replace(b"1\"", b"2\"")
    elif change == "timestamp":
        headers["X-Kiosk-Timestamp"] = "1001"
    elif change == "nonce":
        headers["X-Kiosk-Nonce"] = "f" * 32
    else:
        public = DeviceKey.generate().public_key()
    assert verify_request(public, method, path, headers, body, now=1000) == "bad_signature"


def test_verify_accepts_within_the_window_and_reports_clock_skew() -> None:
    key = DeviceKey.generate()
    headers = sign_request(key, "ZZ-EQ-0001", "GET", "/api/v1/catalog", b"", timestamp=10_000)
    lower = {k.lower(): v for k, v in headers.items()}  # header names are case-insensitive
    assert verify_request(key.public_key(), "GET", "/api/v1/catalog", lower, b"", now=10_300) is None
    assert verify_request(key.public_key(), "GET", "/api/v1/catalog", headers, b"", now=9_700) is None
    assert verify_request(key.public_key(), "GET", "/api/v1/catalog", headers, b"", now=10_301) == "clock_skew"
    missing = {k: v for k, v in headers.items() if k != "X-Kiosk-Nonce"}
    assert verify_request(key.public_key(), "GET", "/api/v1/catalog", missing, b"", now=10_000) == "bad_signature"
    garbled = dict(headers, **{"X-Kiosk-Signature": "not base64!"})
    assert verify_request(key.public_key(), "GET", "/api/v1/catalog", garbled, b"", now=10_000) == "bad_signature"


def test_key_file_is_0600_and_reloads_the_same_key(tmp_path) -> None:
    path = tmp_path / "keys" / "device.key"
    key = DeviceKey.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert DeviceKey.load_or_create(path).public_key_b64() == key.public_key_b64()
    assert load_public_key(key.public_key_b64()) is not None


def test_a_key_file_open_to_others_is_refused(tmp_path) -> None:
    path = tmp_path / "device.key"
    DeviceKey.load_or_create(path)
    os.chmod(path, 0o640)
    with pytest.raises(KeyFileError, match="chmod 600"):
        DeviceKey.load(path)
    path.write_bytes(b"garbage")
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match="not a PEM"):
        DeviceKey.load(path)
    with pytest.raises(ValueError):
        load_public_key(base64.b64encode(b"short").decode())
