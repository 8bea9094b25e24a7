"""Blobs: content-addressed, 201 then 200, hash_mismatch, too_large (early, by Content-Length,
and while reading a body sent without one), JPEG and PNG only."""

from __future__ import annotations

import hashlib
import socket

from kiosk.signing import sign_request
from kiosk.wire import MAX_BLOB_BYTES
from tests.county.support import JPEG, PNG


def test_put_is_201_then_200(kiosk):
    first = kiosk.put_blob(JPEG)
    assert first.status_code == 201 and first.json()["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert kiosk.put_blob(JPEG).status_code == 200
    assert kiosk.put_blob(PNG, "image/png").status_code == 201


def test_bytes_that_do_not_hash_to_the_name_are_hash_mismatch(kiosk):
    wrong = kiosk.send("PUT", f"/blobs/{hashlib.sha256(b'other').hexdigest()}", JPEG, content_type="image/jpeg")
    assert wrong.status_code == 400 and wrong.json()["error"] == "hash_mismatch"
    not_a_hash = kiosk.send("PUT", "/blobs/ABC", JPEG, content_type="image/jpeg")
    assert not_a_hash.status_code == 400 and not_a_hash.json()["error"] == "hash_mismatch"


def test_only_jpeg_and_png(kiosk):
    gif = b"GIF89a" + b"x" * 20
    answer = kiosk.send("PUT", f"/blobs/{hashlib.sha256(gif).hexdigest()}", gif, content_type="image/gif")
    assert answer.status_code == 415 and answer.json()["error"] == "unsupported_media_type"
    lying = kiosk.send("PUT", f"/blobs/{hashlib.sha256(gif).hexdigest()}", gif, content_type="image/jpeg")
    assert lying.status_code == 415
    assert kiosk.put_blob(JPEG, "image/jpeg; charset=binary").status_code == 201


def test_exactly_5_mib_is_stored(kiosk):
    data = JPEG + b"\x00" * (MAX_BLOB_BYTES - len(JPEG))
    assert kiosk.put_blob(data).status_code == 201


def _raw_put(server, kiosk, headers: dict[str, str], body_chunks: list[bytes]) -> bytes:
    """Speak HTTP by hand: send the head, then only what the test says, then read the answer."""
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=10) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(f"PUT /api/v1/blobs/{'a' * 64} HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode())
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        while b"\r\n\r\n" not in answer or b"too_large" not in answer:
            part = sock.recv(65536)
            if not part:
                break
            answer += part
        return answer


def test_too_large_is_refused_by_content_length_before_reading(server, kiosk):
    signed = sign_request(kiosk.key, kiosk.device_id, "PUT", f"/api/v1/blobs/{'a' * 64}", b"")
    answer = _raw_put(server, kiosk, {"Content-Type": "image/jpeg", "Content-Length": str(MAX_BLOB_BYTES + 1), **signed},
                      [])  # not one byte of the body is sent: the answer comes anyway
    assert answer.startswith(b"HTTP/1.1 413") and b'"too_large"' in answer


def test_too_large_is_refused_while_reading_a_chunked_body(server, kiosk):
    signed = sign_request(kiosk.key, kiosk.device_id, "PUT", f"/api/v1/blobs/{'a' * 64}", b"")
    chunk = b"\xff" * 1024 * 1024
    chunks = [b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(7)]  # 7 MiB, never finished
    answer = _raw_put(server, kiosk, {"Content-Type": "image/jpeg", "Transfer-Encoding": "chunked", **signed}, chunks)
    assert answer.startswith(b"HTTP/1.1 413") and b'"too_large"' in answer


def test_too_large_over_requests_too(kiosk):
    data = JPEG + b"\x00" * (MAX_BLOB_BYTES + 1 - len(JPEG))
    answer = kiosk.put_blob(data)
    assert answer.status_code == 413 and answer.json()["error"] == "too_large"
