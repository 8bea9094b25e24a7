"""Who is asking: the body read within a limit, the Ed25519 signature (``kiosk.signing``),
the 300 s clock window, nonces remembered 600 s in the database (several workers agree), and
a per-device rate limit so that one device's flood cannot starve the others.

Order for a signed request: size limit (413 before and while reading; 408 for a body that
comes too slowly) → signature and clock (401) → rate limit (429) → nonce (401
``replayed_nonce``) → the body's media type (415). The signature comes first
so a forged request learns nothing, and a request refused for its rate keeps its nonce
unspent.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from county import db as tables
from county.bodies import require_json
from county.db import Database
from county.errors import ApiError
from county.timefmt import stamp
from kiosk.signing import (CLOCK_WINDOW_S, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP,
                           NONCE_MEMORY_S, load_public_key, verify_request)

JSON_LIMIT = 1024 * 1024  # a JSON body bigger than this is refused (413 too_large)
NONCE_PURGE_EVERY_S = 30.0
KEY_CACHE_S = 60.0
SIGNING_HEADERS = (HEADER_DEVICE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)
BODY_IDLE_S = 30.0  # no byte of the body for this long: 408
BODY_TOTAL_S = 600.0  # the whole body not in after this long: 408 (5 MiB at under 9 kB/s)


async def read_body(request: Request, limit: int, idle_s: float = BODY_IDLE_S, total_s: float = BODY_TOTAL_S
                    ) -> bytes:
    """The whole body, refused with 413 by ``Content-Length`` before reading and while reading
    (a chunked body that grows past the limit): never more than ``limit`` bytes in memory.
    408 ``timeout`` when the client sends nothing for ``idle_s`` or has not finished in
    ``total_s`` (a slow client cannot hold a worker's connection for ever)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError(400, "malformed", "Content-Length is not a number")
        if int(declared) > limit:
            raise ApiError(413, "too_large", f"the body is over {limit} bytes")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + total_s
    stream = request.stream().__aiter__()
    chunks: list[bytes] = []
    size = 0
    while True:
        wait = min(idle_s, deadline - loop.time())
        try:
            if wait <= 0:
                raise TimeoutError
            chunk = await asyncio.wait_for(stream.__anext__(), wait)
        except StopAsyncIteration:
            break
        except TimeoutError:
            raise ApiError(408, "timeout", "the body came too slowly") from None
        except ClientDisconnect:
            raise ApiError(400, "malformed", "the client went away before the whole body") from None
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"the body is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class RateLimiter:
    """Token buckets by key (the device id; the client address for unsigned requests):
    ``burst`` requests at once, ``rate`` per second after. In memory, per worker process."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed, else the seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > 10000:  # forget full buckets: they are the default
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst}
            return (1.0 - tokens) / self.rate

    def check(self, key: str) -> None:
        wait = self.take(key)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, "rate_limited", f"too many requests; retry after {seconds} s",
                           headers={"Retry-After": str(seconds)})


@dataclass
class Signed:
    device_id: str
    body: bytes


class Authenticator:
    def __init__(self, database: Database, clock: Callable[[], float], limiter: RateLimiter,
                 body_idle_s: float = BODY_IDLE_S, body_total_s: float = BODY_TOTAL_S) -> None:
        self.db, self.clock, self.limiter = database, clock, limiter
        self.body_idle_s, self.body_total_s = body_idle_s, body_total_s
        self._keys: dict[str, tuple[float, object]] = {}  # device -> (fetched at, key)
        self._last_purge = 0.0

    def _public_key(self, device_id: str) -> object | None:
        """The enrolled key; cached a minute (an enrolled id never changes its key: another key
        is 409 ``already_enrolled``), so a flood costs no database round trip per request."""
        cached = self._keys.get(device_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < KEY_CACHE_S:
            return cached[1]
        with self.db.connect() as conn:
            b64 = conn.execute(select(tables.devices.c.public_key)
                               .where(tables.devices.c.device_id == device_id)).scalar()
        if b64 is None:
            self._keys.pop(device_id, None)
            return None
        key = load_public_key(b64)
        if len(self._keys) > 100000:
            self._keys.clear()
        self._keys[device_id] = (now, key)
        return key

    def _verify(self, method: str, target: str, headers: dict[str, str], body: bytes) -> str:
        device_id = headers.get(HEADER_DEVICE.lower(), "")
        key = self._public_key(device_id) if 3 <= len(device_id) <= 32 else None
        if key is None:
            raise ApiError(401, "bad_signature", "unknown device")
        now = self.clock()
        reason = verify_request(key, method, target, headers, body, now, CLOCK_WINDOW_S)  # type: ignore[arg-type]
        if reason == "clock_skew":
            raise ApiError(401, "clock_skew", f"the request's time is more than {CLOCK_WINDOW_S} s from the server's",
                           extra={"server_time": stamp(now)})
        if reason:
            raise ApiError(401, reason, "the signature does not verify")
        return device_id

    def _remember_nonce(self, device_id: str, nonce: str) -> None:
        now = self.clock()
        with self.db.begin() as conn:
            if now - self._last_purge > NONCE_PURGE_EVERY_S:
                conn.execute(delete(tables.nonces).where(tables.nonces.c.seen_at < now - NONCE_MEMORY_S))
                self._last_purge = now
            seen = conn.execute(select(tables.nonces.c.seen_at).where(tables.nonces.c.nonce == nonce)).scalar()
            if seen is not None and now - seen <= NONCE_MEMORY_S:
                raise ApiError(401, "replayed_nonce", "this nonce was used in the last 600 s")
            if seen is not None:
                conn.execute(delete(tables.nonces).where(tables.nonces.c.nonce == nonce))
        try:
            with self.db.begin() as conn:
                conn.execute(insert(tables.nonces).values(nonce=nonce, device_id=device_id, seen_at=now))
        except IntegrityError:  # the same nonce raced in through another request
            raise ApiError(401, "replayed_nonce", "this nonce was used in the last 600 s") from None

    async def signed(self, request: Request, limit: int = JSON_LIMIT, *, json_body: bool = True) -> Signed:
        """A genuine request's body; with ``json_body`` (all but blobs) one that says it is
        JSON when it has a body (415 after the signature, so a forged request learns nothing)."""
        body = await self.body(request, limit)
        target = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        if request.scope.get("query_string"):
            target += "?" + request.scope["query_string"].decode("latin-1")
        if any(len(request.headers.getlist(name)) > 1 for name in SIGNING_HEADERS):
            raise ApiError(401, "bad_signature", "a signing header is repeated")
        headers = {k.lower(): v for k, v in request.headers.items()}
        device_id = await run_in_threadpool(self._verify, request.method, target, headers, body)
        self.limiter.check(device_id)
        await run_in_threadpool(self._remember_nonce, device_id, headers.get(HEADER_NONCE.lower(), ""))
        if json_body and (body or request.method in ("POST", "PUT")):
            require_json(request.headers.get("content-type"))
        return Signed(device_id, body)

    async def body(self, request: Request, limit: int) -> bytes:
        return await read_body(request, limit, self.body_idle_s, self.body_total_s)

    def unsigned(self, request: Request) -> None:
        """Rate limit for the one unsigned endpoint (enrollment), by client address."""
        client = request.client.host if request.client else "unknown"
        self.limiter.check(f"addr:{client}")
