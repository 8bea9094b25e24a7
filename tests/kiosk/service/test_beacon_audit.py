"""The beacon counts the service menu's audit log (entries in 24 h and the newest one):
sent by the real agent over HTTP, accepted and kept by the real county backend; a kiosk
whose menu was never used sends no figures, and the county takes that too."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from county import db as tables
from kiosk.agent.runner import Agent
from kiosk.client import CountyClient
from kiosk.config import load_config
from kiosk.crypto import DataKey
from kiosk.service.audit import AuditLog, audit_path
from kiosk.signing import DeviceKey
from kiosk.store import open_store
from tests.county.support import Server
from tests.support.fake_county import FakeCounty
from tests.support.kiosk_env import DEVICE_ID, make_env, write_config


def send_beacon(config, key) -> None:
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        agent = Agent(config, store.outbox, store.kv, CountyClient.from_config(config, key))
        assert agent.send_beacon()


def fill_audit(config) -> None:
    now = datetime.now(timezone.utc).astimezone()
    old = AuditLog(audit_path(config.data_dir), lambda: now - timedelta(days=3))
    old.write("李娜", "menu_opened")
    log = AuditLog(audit_path(config.data_dir), lambda: now)
    log.write("王建国", "menu_opened")
    log.write("王建国", "paper_replaced", paper_mm_before=812)


def test_the_agent_sends_the_audit_figures(tmp_path):
    with FakeCounty() as county:
        config, key = make_env(tmp_path / "etc", county)
        send_beacon(config, key)
        assert county.beacons[-1]["service"] is None  # never used: nothing to count
        fill_audit(config)
        send_beacon(config, key)
        service = county.beacons[-1]["service"]
    assert service["window_s"] == 86400 and service["entries"] == 2
    assert service["last_action"] == "paper_replaced" and service["last_who"] == "王建国"
    datetime.fromisoformat(service["last_at"])


def test_the_county_backend_accepts_and_keeps_them(tmp_path):
    with Server(f"sqlite:///{tmp_path / 'county.db'}") as server:
        config = load_config(write_config(tmp_path / "etc", server.url))
        key = DeviceKey.load_or_create(config.path(config.paths.device_key))
        DataKey.load_or_create(config.path(config.paths.data_key))
        config.data_dir.mkdir(parents=True)
        server.enroll(DEVICE_ID, key)
        send_beacon(config, key)
        fill_audit(config)
        send_beacon(config, key)
        with server.db.connect() as conn:
            bodies = conn.execute(select(tables.beacon_history.c.body).order_by(tables.beacon_history.c.id)).scalars()
            kept = [json.loads(body).get("service") for body in bodies]
    assert kept[0] is None
    assert kept[1]["entries"] == 2 and kept[1]["last_action"] == "paper_replaced"
