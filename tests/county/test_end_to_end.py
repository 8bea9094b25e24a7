"""The real kiosk side against the real backend over loopback: ``kiosk-provision init``
enrolls with a token from ``county token create``, ``kiosk-diag outbox enqueue-sample`` queues
visits as the UI would, ``kiosk-agent --once`` delivers them — each exactly once — then
``county txn set-status`` moves a case and the kiosk's own ``CountyClient`` sees the history."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from county import db as tables
from kiosk.client import CountyClient
from kiosk.config import load_config
from kiosk.signing import DeviceKey

IDENTITY = ["--name", "政务服务自助一体机", "--category", "24小时自助服务终端", "--maintainer", "二七区政务服务中心",
            "--phone", "0371-68665010", "--location", "大学路街道便民服务中心大厅"]


def run(module: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_kiosk_delivers_to_the_real_backend_exactly_once(server, db_url, tmp_path):
    made = run("county.cli", "token", "create", "--db", db_url, "--json")
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)["token"]
    folder = tmp_path / "kiosk"
    init = run("provisioning.cli", "init", "--dir", str(folder), "--device-id", "ZZ-EQ-0007", "--backend", server.url,
               "--token", token, *IDENTITY, "--devices", "emulated", "--json")
    assert init.returncode == 0, init.stderr
    config_file = folder / "kiosk.toml"

    queued = run("kiosk.diag.cli", "outbox", "enqueue-sample", "--config", str(config_file), "--count", "3", "--json")
    assert queued.returncode == 0, queued.stderr
    numbers = json.loads(queued.stdout)["txn_ids"]
    agent = run("kiosk.agent_main", "--config", str(config_file), "--once")
    assert agent.returncode == 0, agent.stderr
    status = json.loads(run("kiosk.diag.cli", "outbox", "status", "--config", str(config_file), "--json").stdout)
    assert status["pending"] == 0 and status["dead"] == 0, status
    assert status["delivered"] == 6  # three transactions and their three ratings

    with server.db.connect() as conn:
        stored = conn.execute(select(tables.transactions.c.txn_id)).scalars().all()
        rated = conn.execute(select(func.count()).select_from(tables.ratings)).scalar()
        beacons = conn.execute(select(tables.beacons_last.c.device_id)).scalars().all()
    assert sorted(stored) == sorted(numbers) and rated == 3 and beacons == ["ZZ-EQ-0007"]

    again = run("kiosk.agent_main", "--config", str(config_file), "--once")  # nothing left to send twice
    assert again.returncode == 0, again.stderr
    with server.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tables.transactions)).scalar() == 3

    moved = run("county.cli", "txn", "set-status", numbers[0], "reviewing", "--note", "材料齐全，进入审核",
                env={"COUNTY_DB": db_url})
    assert moved.returncode == 0, moved.stderr
    config = load_config(config_file)
    client = CountyClient.from_config(config, DeviceKey.load(folder / "device.key"))
    progress = client.get_progress(numbers[0])
    assert progress.status == "reviewing"
    assert [h.status for h in progress.history] == ["received", "reviewing"]
    assert progress.history[1].note == "材料齐全，进入审核"
    assert "*" in progress.applicant.name and "*" in progress.applicant.id_number
