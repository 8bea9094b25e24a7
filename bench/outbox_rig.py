"""What bench/outbox.py runs on: the reference county backend in a child process on
loopback (a fresh SQLite database, the per-device rate limit raised unless asked), a kiosk's
config, keys and store enrolled with it, and sample transactions queued in that store.

    .venv/bin/python bench/outbox_rig.py --serve sqlite:///county.db --port 8600 [--limited]
"""

from __future__ import annotations

import argparse
import copy
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ITEM = "zz-fwzlba"
CONFIG = """
[identity]
device_id = "ZZ-SIM-0001"
maintainer = "二七区政务服务中心"
phone = "0371-68665010"
location = "大学路街道便民服务中心大厅"

[devices]
idcard = {{ type = "emulated" }}
printer = {{ type = "emulated" }}
scanner = {{ type = "emulated" }}
camera = {{ type = "emulated" }}

[backend]
url = "{url}"

[paths]
data_dir = "data"
runtime_dir = "run"
device_key = "{key}"
"""



# -- the backend ----------------------------------------------------------------------------------
def serve(db_url: str, port: int, limited: bool) -> int:
    import uvicorn

    from county.app import create_app

    options = {} if limited else {"rate_per_s": 1e9, "rate_burst": 10**9}
    app = create_app(db_url, **options)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
    return 0


class Backend:
    """``county.app`` on loopback in a child process, a fresh SQLite database in ``folder``."""

    def __init__(self, folder: Path, limited: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{folder / 'county.db'}"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, __file__, "--serve", self.db_url, "--port", str(self.port)]
        self.proc = subprocess.Popen(command + (["--limited"] if limited else []), cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        import requests

        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the county backend did not start: {self.proc.stderr.read()[-500:]!r}")
            time.sleep(0.1)
        from county.db import Database

        self.database = Database(self.db_url)

    def token(self) -> str:
        from county.admin import create_token

        return create_token(self.database, time.time())["token"]

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.database.engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()

    def stop(self) -> None:
        if getattr(self, "database", None) is not None:
            self.database.dispose()
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()



# -- the kiosk side -------------------------------------------------------------------------------
class Machine:
    """A kiosk's config, keys and store in ``folder``, enrolled with ``backend``."""

    def __init__(self, folder: Path, backend: Backend, key_file: Path) -> None:
        from kiosk.client import CountyClient
        from kiosk.config import load_config
        from kiosk.crypto import DataKey
        from kiosk.signing import DeviceKey
        from kiosk.wiring import open_store

        folder.mkdir(parents=True, exist_ok=True)
        self.config_path = folder / "kiosk.toml"
        self.config_path.write_text(CONFIG.format(url=backend.url, key=key_file), encoding="utf-8")
        self.config = load_config(self.config_path)
        self.key = DeviceKey.load_or_create(key_file)
        DataKey.load_or_create(self.config.path(self.config.paths.data_key))
        self.client = CountyClient.from_config(self.config, self.key)
        self.client.enroll(backend.token(), self.key.public_key_b64(), self.config.identity)
        self.store = open_store(self.config)

    def pending(self) -> int:
        from datetime import datetime

        return self.store.outbox.status(datetime.now().astimezone()).pending

    def close(self) -> None:
        self.client.close()
        self.store.close()


def sample_draft(config, small: bool):
    """One visit walked through the real session; its draft, copied before the session wipes it."""
    from kiosk import wiring
    from kiosk.session import Session
    from kiosk.simulation import citizen

    item = wiring.catalog_store(config).current().get(ITEM)
    kept = []

    def submit(draft):
        kept.append(copy.deepcopy(draft))
        return f"{config.identity.device_id}-20261122-000000", config.now(), False

    citizen.walk_visit(Session(settings=config.session), item, submit, rating=None)
    draft = kept[0]
    if small:
        small_page = citizen.photo("document", (320, 240)).data
        for material in draft.materials:
            material.blob.data = bytearray(small_page)
    return draft


def distinct(draft, n: int):
    """``draft`` with its images made its own: ``n`` after each image's end (decoders ignore it)."""
    from kiosk.draft import Blob

    made = copy.copy(draft)
    tail = b"bench-%08d" % n
    fresh: dict[int, Blob] = {}

    def own(blob):
        if blob is None:
            return None
        if id(blob) not in fresh:
            fresh[id(blob)] = Blob(blob.content_type, bytearray(blob.data) + tail)
        return fresh[id(blob)]

    made.materials = [copy.copy(m) for m in draft.materials]
    for material in made.materials:
        material.blob = own(material.blob)
    made.face_photo, made.signature = own(draft.face_photo), own(draft.signature)
    return made


def fill(machine: Machine, draft, count: int, unique: bool) -> None:
    """Queue ``count`` transactions with the store's ``submit``, SQLite's fsync off meanwhile."""
    from sqlalchemy import event

    engine = machine.store.engine

    def no_fsync(dbapi_conn, _record) -> None:
        dbapi_conn.execute("PRAGMA synchronous=OFF").fetchall()

    event.listen(engine, "connect", no_fsync)
    engine.dispose()
    try:
        device_id = machine.config.identity.device_id
        for n in range(count):
            machine.store.outbox.submit(distinct(draft, n) if unique else draft, device_id, machine.config.now())
    finally:
        event.remove(engine, "connect", no_fsync)
        engine.dispose()


def agent(machine: Machine):
    from kiosk.agent.runner import Agent

    return Agent(machine.config, machine.store.outbox, machine.store.kv, machine.client)


def read_requests(machine: Machine) -> list[tuple[str, bytes, list[tuple[str, str, bytes]]]]:
    """Every pending transaction's body and blobs, as the agent would send them."""
    from datetime import datetime

    outbox = machine.store.outbox
    rows = outbox.due(datetime.now().astimezone(), 10**6)
    return [(row.key, outbox.body(row.key), [(sha, *outbox.blob(sha)) for sha in dict.fromkeys(row.blob_hashes)])
            for row in rows if row.kind == "txn"]



if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the reference county backend for the bench")
    parser.add_argument("--serve", metavar="DB_URL", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--limited", action="store_true", help="keep the default per-device rate limit")
    args = parser.parse_args()
    sys.exit(serve(args.serve, args.port, args.limited))
