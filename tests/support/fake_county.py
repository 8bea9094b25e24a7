"""A county backend for the tests: real HTTP on 127.0.0.1 that follows county-api.md and
misbehaves on demand.

It verifies signatures (``kiosk.signing.verify_request``), a 300 s clock window against its
own (skewable) clock and nonces for 600 s; stores blobs by hash (5 MiB limit); keeps
transactions and ratings idempotent by key (200 with the same body on a repeat, 409 on a
different one); answers ``missing_blobs``; queues commands for beacons until acknowledged;
serves a catalog with an ETag. It counts what arrived (``created[txn_id]``) so a test can
assert "exactly once".

Misbehaviour is queued with :meth:`FakeCounty.fail` (the next matching requests) or drawn at
random with :meth:`FakeCounty.chaos`: ``503``, ``500``, ``408``, ``429`` (``retry_after``
seconds or an HTTP date), ``cut`` (the request is processed, then the socket is closed
without an answer), ``drop`` (closed before processing), ``slow`` (answer after
``delay`` s), ``html``, ``truncated``, ``wrong_shape`` (processed, then a nonsense body).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from typing import Any

from kiosk import wire
from kiosk.signing import NONCE_MEMORY_S, load_public_key, verify_request
from tests.support.fake_county_http import FAULT_KINDS, Answer, Fault, make_handler

CST = timezone(timedelta(hours=8))


class FakeCounty:
    """The server and its state; use as a context manager or call :meth:`start`/:meth:`stop`."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix.rstrip("/")  # e.g. "/kiosk": the backend lives under a path
        self.lock = threading.RLock()
        self.skew_s = 0.0  # the server's clock minus the real one
        self.proxy_date_skew_s: float | None = None  # set: a proxy's Date header, this far off the real time
        self.tokens: set[str] = set()
        self.devices: dict[str, str] = {}  # device_id -> public key b64
        self.nonces: dict[str, float] = {}
        self.blobs: dict[str, bytes] = {}
        self.txns: dict[str, bytes] = {}
        self.acks: dict[str, dict] = {}
        self.ratings: dict[str, bytes] = {}
        self.created: Counter[str] = Counter()  # txn_id -> 201s (must end at exactly 1)
        self.repeats: Counter[str] = Counter()
        self.conflicts: Counter[str] = Counter()
        self.rating_created: Counter[str] = Counter()
        self.log: list[tuple[str, str, int]] = []  # (method, path, status) in arrival order
        self.blob_order: list[str] = []
        self.beacons: list[dict] = []
        self.commands: dict[str, list[dict]] = {}  # device_id -> queued, resent until acked
        self.command_acks: list[dict] = []
        self.catalog: dict = {"version": "2026.11.1", "items": []}
        self.catalog_etag = '"cat-1"'
        self.invalid_items: set[str] = set()  # item codes answered 422 invalid
        self.lose_blobs = False  # the next transaction finds the blob store empty (a backend restore)
        self.certificates: dict[tuple[str, str], dict] = {}
        self.faults: list[Fault] = []
        self.chaos_rate = 0.0
        self.chaos_kinds: tuple[str, ...] = ()
        self.rng = random.Random(1)
        self.connections = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self))
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- life -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"

    def start(self) -> "FakeCounty":
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> "FakeCounty":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- set-up by the tests -------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.skew_s

    def date_header_time(self) -> float:
        """What the answers' ``Date`` says: the backend's clock, or a proxy's in between."""
        if self.proxy_date_skew_s is not None:
            return time.time() + self.proxy_date_skew_s
        return self.now()

    def new_token(self) -> str:
        token = "tok-" + hashlib.sha256(str(self.rng.random()).encode()).hexdigest()[:20]
        with self.lock:
            self.tokens.add(token)
        return token

    def enroll_key(self, device_id: str, public_key_b64: str) -> None:
        with self.lock:
            self.devices[device_id] = public_key_b64

    def fail(self, kind: str, times: int = 1, match: str = "", retry_after: str = "1", delay: float = 0.0) -> None:
        assert kind in FAULT_KINDS, kind
        with self.lock:
            self.faults.append(Fault(kind, match, times, retry_after, delay))

    def chaos(self, rate: float, kinds: tuple[str, ...] = FAULT_KINDS, seed: int = 1, delay: float = 0.0) -> None:
        with self.lock:
            self.chaos_rate, self.chaos_kinds, self.rng = rate, kinds, random.Random(seed)
            self.chaos_delay = delay

    def queue_command(self, device_id: str, command_id: str, type_: str, args: dict | None = None) -> None:
        with self.lock:
            self.commands.setdefault(device_id, []).append({"id": command_id, "type": type_, "args": args or {}})

    def queue_raw_command(self, device_id: str, command: object) -> None:
        """Any JSON value as a command (nonsense on purpose)."""
        with self.lock:
            self.commands.setdefault(device_id, []).append(command)

    def set_catalog(self, catalog: dict, etag: str) -> None:
        with self.lock:
            self.catalog, self.catalog_etag = catalog, etag

    def requests_to(self, method: str, prefix: str) -> list[tuple[str, str, int]]:
        with self.lock:
            return [entry for entry in self.log if entry[0] == method and entry[1].startswith(prefix)]

    # -- the contract ------------------------------------------------------------------------------
    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
            if self.chaos_rate and self.rng.random() < self.chaos_rate:
                return Fault(self.rng.choice(self.chaos_kinds), retry_after="0", delay=getattr(self, "chaos_delay", 0.0))
        return None

    def authenticate(self, method: str, target: str, headers: Any, body: bytes) -> Answer | None:
        device = headers.get("X-Kiosk-Device", "")
        with self.lock:
            key_b64 = self.devices.get(device)
        if key_b64 is None:
            return Answer(401, {"error": "bad_signature", "message": "unknown device"})
        now = self.now()
        reason = verify_request(load_public_key(key_b64), method, target, dict(headers.items()), body, now)
        if reason == "clock_skew":
            server_time = datetime.fromtimestamp(now, CST).isoformat(timespec="seconds")
            return Answer(401, {"error": "clock_skew", "server_time": server_time})
        if reason:
            return Answer(401, {"error": reason})
        nonce = headers["X-Kiosk-Nonce"]
        with self.lock:
            for old, at in list(self.nonces.items()):
                if now - at > NONCE_MEMORY_S:
                    del self.nonces[old]
            if nonce in self.nonces:
                return Answer(401, {"error": "replayed_nonce"})
            self.nonces[nonce] = now
        return None

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> Answer:
        if method == "POST" and path == "/enroll":
            return self.enroll(body)
        if method == "PUT" and path.startswith("/blobs/"):
            return self.put_blob(path[len("/blobs/"):], body)
        if method == "POST" and path == "/transactions":
            return self.post_transaction(headers.get("Idempotency-Key", ""), body)
        if method == "POST" and path == "/transactions/query":
            return self.query(body)
        if method == "GET" and path.startswith("/transactions/"):
            return self.progress(path[len("/transactions/"):])
        if method == "POST" and path == "/ratings":
            return self.post_rating(headers.get("Idempotency-Key", ""), body)
        if method == "POST" and path == "/certificates":
            return self.certificate(body)
        if method == "GET" and path.split("?")[0] == "/catalog":
            return self.get_catalog(headers.get("If-None-Match"))
        if method == "POST" and path == "/beacons":
            return self.beacon(headers.get("X-Kiosk-Device", ""), body)
        return Answer(404, {"error": "not_found", "message": f"{method} {path}"})

    def enroll(self, body: bytes) -> Answer:
        try:
            request = wire.EnrollRequest.model_validate_json(body)
            load_public_key(request.public_key)
        except ValueError as err:
            return Answer(400, {"error": "invalid", "message": str(err)[:200]})
        with self.lock:
            if request.token not in self.tokens:
                return Answer(403, {"error": "bad_token"})
            known = self.devices.get(request.device_id)
            if known is not None and known != request.public_key:
                return Answer(409, {"error": "already_enrolled"})
            self.tokens.discard(request.token)
            self.devices[request.device_id] = request.public_key
        return Answer(201, {"device_id": request.device_id, "enrolled_at": _stamp(self.now())})

    def put_blob(self, sha256: str, body: bytes) -> Answer:
        if not re.fullmatch(wire.SHA256_HEX[1:-1], sha256):
            return Answer(400, {"error": "hash_mismatch", "message": "not a sha256"})
        if len(body) > wire.MAX_BLOB_BYTES:
            return Answer(413, {"error": "too_large"})
        if hashlib.sha256(body).hexdigest() != sha256:
            return Answer(400, {"error": "hash_mismatch"})
        with self.lock:
            self.blob_order.append(sha256)
            if sha256 in self.blobs:
                return Answer(200, {"sha256": sha256})
            self.blobs[sha256] = body
        return Answer(201, {"sha256": sha256})

    def post_transaction(self, key: str, body: bytes) -> Answer:
        try:
            txn = wire.TransactionIn.model_validate_json(body)
        except ValueError as err:
            return Answer(422, {"error": "invalid", "message": str(err).splitlines()[0][:200]})
        if key != txn.txn_id:
            return Answer(422, {"error": "invalid", "message": "Idempotency-Key is not the txn_id"})
        with self.lock:
            if txn.txn_id in self.txns:
                if self.txns[txn.txn_id] == body:
                    self.repeats[txn.txn_id] += 1
                    return Answer(200, self.acks[txn.txn_id])
                self.conflicts[txn.txn_id] += 1
                return Answer(409, {"error": "idempotency_conflict"})
            if self.lose_blobs:
                self.lose_blobs = False
                self.blobs.clear()
            missing = [h for h in txn.blob_hashes() if h not in self.blobs]
            if missing:
                return Answer(422, {"error": "missing_blobs", "missing": missing})
            if txn.item_code in self.invalid_items:
                return Answer(422, {"error": "invalid", "message": "不符合事项规则"})
            accepted = self.now()
            ack = {"txn_id": txn.txn_id, "status": "received", "accepted_at": _stamp(accepted),
                   "promised_by": (datetime.fromtimestamp(accepted, CST).date() + timedelta(days=7)).isoformat()}
            self.txns[txn.txn_id], self.acks[txn.txn_id] = body, ack
            self.created[txn.txn_id] += 1
        return Answer(201, ack)

    def _progress(self, txn_id: str) -> dict:
        txn = json.loads(self.txns[txn_id])
        ack = self.acks[txn_id]
        return {"txn_id": txn_id, "item_code": txn["item_code"], "item_name": txn["item_code"],
                "status": "received", "promised_by": ack["promised_by"],
                "history": [{"status": "received", "at": ack["accepted_at"], "note": ""}],
                "applicant": {"name": wire.mask_name(txn["applicant"]["name"]),
                              "id_number": wire.mask_id_number(txn["applicant"]["id_number"])}}

    def progress(self, txn_id: str) -> Answer:
        with self.lock:
            if txn_id not in self.txns:
                return Answer(404, {"error": "not_found"})
            return Answer(200, self._progress(txn_id))

    def query(self, body: bytes) -> Answer:
        try:
            request = wire.ProgressQuery.model_validate_json(body)
        except ValueError:
            return Answer(400, {"error": "invalid"})
        with self.lock:
            found = [self._progress(t) for t, b in self.txns.items()
                     if json.loads(b)["applicant"]["id_number"] == request.id_number]
        return Answer(200, {"transactions": found[::-1]})

    def post_rating(self, key: str, body: bytes) -> Answer:
        try:
            rating = wire.RatingIn.model_validate_json(body)
        except ValueError as err:
            return Answer(422, {"error": "invalid", "message": str(err).splitlines()[0][:200]})
        if key != f"rating:{rating.txn_id}":
            return Answer(422, {"error": "invalid", "message": "bad Idempotency-Key"})
        with self.lock:
            if rating.txn_id not in self.txns:
                return Answer(404, {"error": "unknown_txn"})
            if rating.txn_id in self.ratings:
                if self.ratings[rating.txn_id] == body:
                    return Answer(200, {"txn_id": rating.txn_id})
                return Answer(409, {"error": "idempotency_conflict"})
            self.ratings[rating.txn_id] = body
            self.rating_created[rating.txn_id] += 1
        return Answer(201, {"txn_id": rating.txn_id})

    def certificate(self, body: bytes) -> Answer:
        try:
            request = wire.CertificateRequest.model_validate_json(body)
        except ValueError:
            return Answer(400, {"error": "invalid"})
        with self.lock:
            cert = self.certificates.get((request.kind, request.id_number))
        if cert is None:
            return Answer(404, {"error": "no_record"})
        return Answer(200, cert)

    def get_catalog(self, if_none_match: str | None) -> Answer:
        with self.lock:
            if if_none_match and if_none_match == self.catalog_etag:
                return Answer(304, None, {"ETag": self.catalog_etag})
            return Answer(200, self.catalog, {"ETag": self.catalog_etag})

    def beacon(self, device_id: str, body: bytes) -> Answer:
        try:
            beacon = wire.Beacon.model_validate_json(body)
        except ValueError as err:
            return Answer(422, {"error": "invalid", "message": str(err).splitlines()[0][:200]})
        if beacon.device_id != device_id:
            return Answer(422, {"error": "invalid", "message": "device_id is not the signer"})
        with self.lock:
            self.beacons.append(json.loads(body))
            acked = {ack.command_id for ack in beacon.acks}
            self.command_acks.extend(ack.model_dump() for ack in beacon.acks)
            queue = [c for c in self.commands.get(device_id, [])
                     if not isinstance(c, dict) or c.get("id") not in acked]
            self.commands[device_id] = queue
            return Answer(200, {"server_time": _stamp(self.now()), "commands": list(queue)})


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, CST).isoformat(timespec="seconds")
