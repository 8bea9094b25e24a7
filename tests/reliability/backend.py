"""The reference county backend for the crash test, with a window onto what reaches it.

``create_app`` served by uvicorn on loopback with its own SQLite database, wrapped in a
small ASGI layer that writes down every request under ``/api/v1`` with its answer, and that
can SIGKILL the agent at the n-th request, at one of three moments:

- ``before``: the request arrived and is dropped unprocessed (the connection died on the way);
- ``after``: the backend has done the work and committed, the answer is not sent yet (the
  agent dies never knowing: it must send again, and the backend must answer 200, not
  create a second case);
- ``late``: the answer is sent, and the agent dies a moment later (while it writes down the
  acknowledgement, or starts the next request).
"""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from county.admin import create_token
from county.app import create_app
from county.db import Database
from kiosk.wire import API_PREFIX

PHASES = ("before", "after", "late")


@dataclass
class Exchange:
    method: str
    path: str
    key: str          # the Idempotency-Key, if any
    status: int = 0   # 0: dropped by a ``before`` kill, never processed
    killed: str = ""  # the phase, when the agent was killed at this request
    cut: bool = False  # the agent died while it was in flight (its answer went nowhere)
    error: bytes = b""  # the start of the body of an answer >= 400


@dataclass
class Target:
    process: subprocess.Popen
    path: str | None  # only requests to this path count (None: every request)
    left: int         # the matching request that kills: 1 is the next one
    phase: str


class Recorder:
    """The ASGI layer: records requests, kills the agent when armed."""

    def __init__(self, app: Any, rng: random.Random) -> None:
        self.app, self.rng = app, rng
        self.exchanges: list[Exchange] = []
        self.kills: list[Exchange] = []
        self._target: Target | None = None
        self._open: set[int] = set()  # ids of the exchanges in flight
        self._lock = threading.Lock()

    def arm(self, process: subprocess.Popen, within: int, path: str | None = None,
            phase: str | None = None) -> None:
        """Kill ``process`` at one of the next ``within`` requests (to ``path``, if given), at
        ``phase`` (random if not given)."""
        with self._lock:
            self._target = Target(process, path, self.rng.randint(1, within), phase or self.rng.choice(PHASES))

    def disarm(self) -> None:
        with self._lock:
            self._target = None

    def _take(self, scope: dict) -> tuple[Exchange, Target | None]:
        headers = dict(scope.get("headers") or [])
        exchange = Exchange(scope["method"], scope["path"].removeprefix(API_PREFIX),
                            headers.get(b"idempotency-key", b"").decode())
        with self._lock:
            self.exchanges.append(exchange)
            target = self._target
            if target is None or target.path not in (None, exchange.path):
                return exchange, None
            target.left -= 1
            if target.left == 0:
                self._target = None
                exchange.killed = target.phase
                self.kills.append(exchange)
                return exchange, target
        return exchange, None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        exchange, target = self._take(scope)
        self._open.add(id(exchange))
        try:
            await self._serve(scope, receive, send, exchange, target)
        finally:
            self._open.discard(id(exchange))

    async def _serve(self, scope: dict, receive: Any, send: Any, exchange: Exchange,
                     target: Target | None) -> None:
        if target is not None and target.phase == "before":
            await self._kill(target.process)
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return

        async def watched_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                if target is not None and target.phase == "after":
                    await self._kill(target.process)
            elif message["type"] == "http.response.body" and exchange.status >= 400 and not exchange.error:
                exchange.error = bytes(message.get("body", b""))[:200]
            await send(message)

        async def watched_receive() -> dict:
            message = await receive()
            if message["type"] == "http.disconnect":  # the client went away mid-request (killed
                exchange.cut = True                  # after this request began): nobody reads the answer
            return message

        await self.app(scope, watched_receive, watched_send)
        if target is not None and target.phase == "late":  # the agent goes on meanwhile
            await asyncio.sleep(self.rng.uniform(0, 0.02))
            await self._kill(target.process)

    async def _kill(self, process: subprocess.Popen) -> None:
        """SIGKILL, wait until it is gone, and mark what it had in flight."""
        process.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        with self._lock:
            for exchange in self.exchanges[-20:]:
                if id(exchange) in self._open:
                    exchange.cut = True


class Backend:
    """The watched backend on 127.0.0.1, an ephemeral port; ``db_path`` is its SQLite file."""

    def __init__(self, folder: Path, rng: random.Random) -> None:
        self.db_path = folder / "county.db"
        url = f"sqlite:///{self.db_path}"
        self.database = Database(url)
        # The flood limit per device is another test's subject: here it would only slow the drain.
        app = create_app(url, database=self.database, rate_per_s=10_000, rate_burst=10_000)
        self.recorder = Recorder(app, rng)
        config = uvicorn.Config(self.recorder, host="127.0.0.1", port=0, log_level="warning",
                                access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="county", daemon=True)
        self.url = ""

    def __enter__(self) -> "Backend":
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the county backend did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.database.dispose()

    def token(self) -> str:
        return create_token(self.database, time.time())["token"]

    def rows(self, sql: str) -> list[tuple]:
        """Read the backend's own database (a connection of its own, read only)."""
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
