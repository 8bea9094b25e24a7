"""Raw HTTP for the bad-client tests: requests as exact bytes on a fresh socket (``requests``
would mend a malformed one), signed like a kiosk, and what the database holds afterwards."""

from __future__ import annotations

import http.client
import json
import logging
import select
import socket
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select as sql_select

from county import db as tables
from kiosk.signing import sign_request
from tests.county.support import API, JPEG, PNG, Kiosk, Server, sample_txn

STORED = ("blobs", "transactions", "ratings", "beacon_history", "devices")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any

    def error(self) -> tuple[int, str]:
        return self.status, (self.body or {}).get("error", "")


def exchange(server: Server, data: bytes, *, head_only: bool = False) -> Answer:
    """One request on a fresh connection; ``head_only`` sends no body (for an answer that must
    come from the head alone: the server closes at once, and bytes it never read would reset it)."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(data[:data.index(b"\r\n\r\n") + 4] if head_only else data)
        return read_answer(sock)


def read_answer(sock: socket.socket) -> Answer:
    response = http.client.HTTPResponse(sock)
    response.begin()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    assert headers.get("content-type", "").startswith("application/json"), body[:100]
    return Answer(response.status, headers, json.loads(body))


def head(method: str, target: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: county.test", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def signing(kiosk: Kiosk, method: str, target: str, body: bytes, **kw: Any) -> dict[str, str]:
    kw.setdefault("timestamp", int(kiosk.server.clock()))
    return sign_request(kiosk.key, kiosk.device_id, method, target, body, **kw)


def signed(kiosk: Kiosk, method: str, path: str, body: bytes | dict = b"", *, content_type: str = "application/json",
           headers: dict[str, str] | None = None, **kw: Any) -> bytes:
    """The bytes of one request signed like a kiosk; ``headers`` replace signed ones afterwards."""
    data = json.dumps(body, ensure_ascii=False).encode() if isinstance(body, dict) else body
    all_headers = {"Content-Type": content_type} if content_type else {}
    all_headers.update(signing(kiosk, method, API + path, data, **kw))
    all_headers.update({"Content-Length": str(len(data)), **(headers or {})})
    return head(method, API + path, {k: v for k, v in all_headers.items() if v is not None}) + data


def stored(server: Server) -> dict[str, int]:
    with server.db.connect() as conn:
        return {name: conn.execute(sql_select(func.count()).select_from(getattr(tables, name))).scalar()
                for name in STORED}


def txn_request(kiosk: Kiosk, n: int, **kw: Any) -> bytes:
    txn = sample_txn(kiosk.txn_id(n))
    return signed(kiosk, "POST", "/transactions", txn, headers={"Idempotency-Key": txn["txn_id"]}, **kw)


def assert_still_serving(kiosk: Kiosk, n: int = 900) -> None:
    kiosk.put_blob(JPEG)
    kiosk.put_blob(PNG, "image/png")
    assert exchange(kiosk.server, txn_request(kiosk, n)).status == 201


@pytest.fixture(autouse=True)
def no_server_errors(caplog):
    """Imported by a test module: no ERROR line logged (no 500, no traceback) while it runs."""
    caplog.set_level(logging.ERROR)
    yield
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


class FixedClock:
    """A server clock that stands still (for the edges of the clock window)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def chunked(kiosk: Kiosk, path: str, data: bytes, *, content_type: str, finish: bool = True) -> Answer:
    """A signed PUT sent chunked, without a Content-Length; it stops sending once answered."""
    headers = {"Content-Type": content_type, "Transfer-Encoding": "chunked",
               **signing(kiosk, "PUT", API + path, data)}
    host, port = kiosk.server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(head("PUT", API + path, headers))
        for start in range(0, len(data), 256 * 1024):
            if select.select([sock], [], [], 0)[0]:
                break  # answered already
            piece = data[start:start + 256 * 1024]
            sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
        if finish:
            sock.sendall(b"0\r\n\r\n")
        return read_answer(sock)
