"""The HTTP side of the fake county: request parsing, misbehaviour, answers.

Kept apart from ``fake_county.py`` (the contract's rules and state) so each stays readable.
``make_handler(county)`` gives the ``BaseHTTPRequestHandler`` class bound to one county.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any

from kiosk import wire

FAULT_KINDS = ("503", "500", "408", "429", "cut", "drop", "slow", "html", "truncated", "wrong_shape")


@dataclass
class Fault:
    kind: str
    match: str = ""  # "METHOD /path-prefix" or a path prefix; "" matches everything
    times: int = 1
    retry_after: str = "1"
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        if not self.match:
            return True
        if " " in self.match:
            m, prefix = self.match.split(" ", 1)
            return method == m and path.startswith(prefix)
        return path.startswith(self.match)


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def make_handler(county: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def date_time_string(self, timestamp: float | None = None) -> str:
            return formatdate(county.date_header_time() if timestamp is None else timestamp, usegmt=True)

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with county.lock:
                county.connections += 1

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            target = self.path
            if not target.startswith(county.prefix + wire.API_PREFIX + "/"):
                return self._answer(Answer(404, {"error": "not_found"}))
            path = target[len(county.prefix + wire.API_PREFIX):]
            fault = county.take_fault(method, path)
            if fault and fault.kind == "drop":
                return self._cut()
            if fault and fault.kind in ("503", "500", "408", "429"):
                status = int(fault.kind)
                headers = {"Retry-After": fault.retry_after} if status in (429, 503) else {}
                return self._answer(Answer(status, {"error": "unavailable"}, headers), method, path)
            if path == "/enroll":
                answer = county.handle(method, path, self.headers, body)
            else:
                answer = county.authenticate(method, target, self.headers, body) or county.handle(
                    method, path, self.headers, body)
            if fault is None:
                return self._answer(answer, method, path)
            with county.lock:
                county.log.append((method, path, -answer.status))  # processed, answer lost
            if fault.kind == "cut":
                return self._cut()
            if fault.kind == "slow":
                time.sleep(fault.delay or 1.0)
                return self._answer(answer)
            nonsense = {"html": b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                        "truncated": json.dumps(answer.body or {}).encode()[:-3] or b"{",
                        "wrong_shape": b'{"ok": true, "items": 3}'}[fault.kind]
            ctype = "text/html" if fault.kind == "html" else "application/json"
            self._write(200, nonsense, {"Content-Type": ctype})

        def _answer(self, answer: Answer, method: str = "", path: str = "") -> None:
            if method:
                with county.lock:
                    county.log.append((method, path, answer.status))
            data = b"" if answer.body is None else json.dumps(answer.body, ensure_ascii=False).encode()
            headers = dict(answer.headers)
            if data:
                headers.setdefault("Content-Type", "application/json")
            self._write(answer.status, data, headers)

        def _write(self, status: int, data: bytes, headers: dict[str, str]) -> None:
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                self.close_connection = True

        def _cut(self) -> None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    return Handler
