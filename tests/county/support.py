"""The real backend on loopback for the tests: uvicorn in a thread on port 0, a clock the
tests can move, and kiosks that sign their requests with ``kiosk.signing``."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
import uvicorn
from sqlalchemy import create_engine

from county import db as tables
from county.admin import create_token
from county.app import create_app
from county.db import Database, normalise_url
from kiosk.signing import DeviceKey, sign_request

API = "/api/v1"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"kiosk-test-image"
PNG = b"\x89PNG\r\n\x1a\n" + b"kiosk-test-signature"


class Clock:
    """Real time plus an offset the test may move."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def reset_database(url: str) -> None:
    """An empty schema (PostgreSQL is shared between tests)."""
    engine = create_engine(normalise_url(url))
    tables.metadata.drop_all(engine)
    engine.dispose()


class Server:
    """``create_app`` served by uvicorn on 127.0.0.1, an ephemeral port."""

    def __init__(self, db_url: str, **app_kw: Any) -> None:
        self.clock = Clock()
        self.db = Database(db_url)
        self.app = create_app(db_url, clock=self.clock, database=self.db, **app_kw)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", access_log=False,
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.db.dispose()

    def token(self, ttl_s: float = 3600) -> str:
        return create_token(self.db, self.clock(), ttl_s)["token"]

    def enroll(self, device_id: str = "ZZ-EQ-0001", key: DeviceKey | None = None) -> "Kiosk":
        kiosk = Kiosk(self, device_id, key or DeviceKey.generate())
        answer = kiosk.enroll(self.token())
        assert answer.status_code == 201, answer.text
        return kiosk


def identity(device_id: str) -> dict[str, str]:
    return {"device_id": device_id, "name": "政务服务自助一体机", "category": "24小时自助服务终端",
            "maintainer": "二七区政务服务中心", "phone": "0371-68665010", "location": "大学路街道便民服务中心大厅"}


@dataclass
class Kiosk:
    server: Server
    device_id: str
    key: DeviceKey
    session: requests.Session = field(default_factory=requests.Session)
    seq: int = 0

    def enroll(self, token: str, public_key: str | None = None) -> requests.Response:
        body = {"token": token, "device_id": self.device_id, "public_key": public_key or self.key.public_key_b64(),
                "identity": identity(self.device_id)}
        return self.session.post(self.server.url + API + "/enroll", json=body, timeout=10)

    def send(self, method: str, path: str, body: bytes | dict | None = None, headers: dict[str, str] | None = None,
             *, timestamp: float | None = None, nonce: str | None = None, sign: bool = True,
             content_type: str = "application/json") -> requests.Response:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if isinstance(body, dict) else (body or b"")
        all_headers = {"Content-Type": content_type} if data or method in ("POST", "PUT") else {}
        all_headers.update(headers or {})
        if sign:
            moment = self.server.clock() if timestamp is None else timestamp
            all_headers.update(sign_request(self.key, self.device_id, method, API + path, data, int(moment), nonce))
        return self.session.request(method, self.server.url + API + path, data=data or None, headers=all_headers,
                                    timeout=20)

    def put_blob(self, data: bytes, content_type: str = "image/jpeg") -> requests.Response:
        return self.send("PUT", f"/blobs/{hashlib.sha256(data).hexdigest()}", data, content_type=content_type)

    def post_txn(self, txn: dict[str, Any], key: str | None = None) -> requests.Response:
        data = json.dumps(txn, ensure_ascii=False).encode("utf-8")
        return self.send("POST", "/transactions", data, {"Idempotency-Key": key or txn["txn_id"]})

    def txn_id(self, n: int = 1, day: str = "20261122") -> str:
        return f"{self.device_id}-{day}-{n:06d}"

    def beacon(self, acks: list[dict] | None = None, **changes: Any) -> requests.Response:
        self.seq += 1
        return self.send("POST", "/beacons", beacon_body(self.device_id, self.seq, acks or [], **changes))


def blob_ref(data: bytes, content_type: str = "image/jpeg") -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "content_type": content_type, "size": len(data)}


def sample_txn(txn_id: str, *, id_number: str = "110105199003071239", name: str = "李小明",
               material: bytes = JPEG, signature: bytes = PNG, **changes: Any) -> dict[str, Any]:
    """A transaction for 房屋租赁登记备案 (zz-fwzlba) that passes the item's own rules."""
    page = blob_ref(material)
    body = {
        "txn_id": txn_id, "item_code": "zz-fwzlba", "item_version": "1",
        "created_at": "2026-11-22T10:03:00+08:00", "identity_method": "id_card",
        "applicant": {"id_type": "resident", "id_number": id_number, "name": name, "gender": "男", "nation": "汉",
                      "birth": "1990-03-07", "address": "北京市朝阳区光华路10号院1号楼2单元301室",
                      "authority": "北京市公安局朝阳分局", "valid_from": "2015-06-01", "valid_to": "2035-06-01",
                      "phone": "13800138000"},
        "form": {"role": "出租人", "house_address": "郑州市二七区大学路街道88号院3号楼2单元501室", "area": 85,
                 "rent": 2200, "use": "居住", "start_date": "2026-12-01", "end_date": "2027-11-30",
                 "other_name": "王芳", "phone": "13800138000"},
        "materials": [{"code": code, "name": name_, **page} for code, name_ in
                      (("lease", "房屋租赁合同"), ("property-cert", "不动产权证书"), ("other-id", "对方身份证"))],
        "face_photo": None,
        "signature": blob_ref(signature, "image/png"),
    }
    body.update(changes)
    return body


def beacon_body(device_id: str, seq: int, acks: list[dict], **changes: Any) -> dict[str, Any]:
    body = {
        "device_id": device_id, "seq": seq, "sent_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "identity": identity(device_id), "software": {"version": "0.1.0", "catalog_version": "2026.11.1"},
        "uptime_s": 3600, "ui": {"state": "serving"},
        "devices": {"printer": {"state": "online", "detail": {"paper": "ok", "cover_open": False}},
                    "idcard": {"state": "online"}},
        "system": {"cpu_percent": 3.5, "mem_percent": 40.1, "disk_free_bytes": 12345, "temperature_c": None},
        "outbox": {"pending": 0, "oldest_pending_age_s": None, "dead": 0}, "clock_skew_s": 0,
        "availability": {"window_s": 86400, "serving_s": 86000}, "acks": acks,
    }
    body.update(changes)
    return body
