"""kiosk.readiness on a real machine folder (keys, store, runtime files; no backend asked):
each check finds what is there, the UI's health files count when fresh, the report's forms."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest

from kiosk.agent.heartbeat import write_device_health, write_heartbeat
from kiosk.agent.identity_override import set_identity
from kiosk.config import load_config
from kiosk.crypto import DataKey
from kiosk.readiness import Check, Report, gather, local
from kiosk.readiness.clock import STA_UNSYNC, KernelClock, judge
from kiosk.signing import DeviceKey
from kiosk.store import open_store
from kiosk.store.records import OutboxStatus as Status

CONFIG = """
[identity]
device_id = "ZZ-EQ-0042"
maintainer = "二七区政务服务中心"
phone = "0371-68665010"

[devices.idcard]
type = "emulated"
[devices.printer]
type = "emulated"

[backend]
url = "http://127.0.0.1:9"

[paths]
data_dir = "data"
runtime_dir = "run"
"""


@pytest.fixture
def config(tmp_path):
    folder = tmp_path / "kiosk"
    folder.mkdir()
    (folder / "kiosk.toml").write_text(CONFIG, encoding="utf-8")
    DeviceKey.load_or_create(folder / "device.key")
    open_store(folder / "data", folder / "data.key", create_key=True).close()
    return load_config(folder / "kiosk.toml")


def named(report: Report) -> dict[str, Check]:
    return {check.name: check for check in report.checks}


def test_a_fresh_machine_without_the_backend_check(config):
    report = gather(config, probe_backend=False)
    found = named(report)
    assert list(found) == ["config", "keys", "device.idcard", "device.printer", "ui", "clock", "disk", "fonts",
                           "catalog", "outbox", "beacon"]
    assert all(found[n].ok for n in found if n != "clock"), report.to_text()
    assert found["device.printer"].data == {"type": "emulated", "port": None, "health": None, "code": "emulated"}
    assert found["beacon"].data["code"] == "none_yet" and found["ui"].data["code"] == "not_running"
    assert report.identity.device_id == "ZZ-EQ-0042" and report.taken_at.tzinfo is not None
    assert report.ready == all(c.ok for c in report.checks)
    doc = json.loads(json.dumps(report.to_json(), ensure_ascii=False))
    assert doc["ready"] == report.ready and [c["name"] for c in doc["checks"]] == list(found)
    assert len(report.to_text().splitlines()) == len(report.checks)
    assert "\n" not in report.reason()


def test_the_uis_health_files_count_while_fresh(config):
    run = config.path(config.paths.runtime_dir)
    now = config.now()
    write_heartbeat(run, "serving", now - timedelta(minutes=5), now=now)
    write_device_health(run, {"idcard": {"state": "online", "detail": {}, "counters": {}},
                              "printer": {"state": "user_error", "reason": "paper out",
                                          "detail": {"paper": "out"}, "counters": {}}}, now=now)
    found = named(gather(config, now=now, probe_backend=False))
    assert found["ui"].ok and found["ui"].data["code"] == "serving"
    assert found["device.idcard"].ok and found["device.idcard"].data["health"] == "online"
    printer = found["device.printer"]
    assert not printer.ok and printer.data["code"] == "unhealthy" and "paper out" in printer.detail

    later = now + timedelta(seconds=config.agent.ui_stale_after_s + 1)  # the UI stopped writing
    found = named(gather(config, now=later, probe_backend=False))
    assert found["device.printer"].ok and found["device.printer"].data["health"] is None
    assert found["ui"].data["code"] == "not_running"
    write_heartbeat(run, "out_of_service", now, now=now)
    assert not named(gather(config, now=now, probe_backend=False))["ui"].ok


def test_keys_must_be_private_and_present(config):
    folder = config.path("x").parent
    os.chmod(folder / "data.key", 0o644)
    keys = local.keys_check(config)
    assert not keys.ok and keys.data["code"] == "mode" and keys.data["data_key"]["mode"] == "0644"
    os.chmod(folder / "data.key", 0o600)
    (folder / "device.key").unlink()
    keys = local.keys_check(config)
    assert not keys.ok and keys.data["device_key"]["code"] == "missing" and "device.key missing" in keys.detail
    DataKey.load(folder / "data.key")


def test_the_store_gives_outbox_beacon_and_identity_card(config):
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:
        store.kv.incr("beacon.seq")  # the agent built beacon #1 just now
        set_identity(config.identity, store.kv, {"phone": "0371-12345678"})
    report = gather(config, probe_backend=False)
    beacon = named(report)["beacon"]
    assert beacon.ok and beacon.data["code"] == "recent" and beacon.data["seq"] == 1
    assert report.identity.phone == "0371-12345678"
    later = gather(config, now=config.now() + timedelta(hours=1), probe_backend=False)
    assert named(later)["beacon"].data["code"] == "stale" and not named(later)["beacon"].ok
    (config.data_dir / "outbox.db").rename(config.data_dir / "moved.db")
    outbox = named(gather(config, probe_backend=False))["outbox"]
    assert not outbox.ok and outbox.data["code"] == "no_store"
    assert not (config.data_dir / "outbox.db").exists(), "verify never makes a store"


def test_gathering_changes_no_byte_of_the_store(config):
    """Read-only: no migration, no fingerprint written, no -wal/-shm left behind."""
    import hashlib

    def files() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in config.data_dir.iterdir()}

    before = files()
    assert named(gather(config, probe_backend=False))["outbox"].ok
    assert files() == before
    with open_store(config.data_dir, config.path(config.paths.data_key)) as store:  # the UI has it open
        store.kv.incr("beacon.seq")
        assert named(gather(config, probe_backend=False))["beacon"].data["seq"] == 1  # read through its WAL
    DataKey.load_or_create(config.path("other.key"))
    other = config.model_copy(update={"paths": config.paths.model_copy(update={"data_key": "other.key"})})
    other._source = config.source
    outbox = named(gather(other, probe_backend=False))["outbox"]
    assert not outbox.ok and "does not match" in outbox.detail


def test_outbox_dead_letters_and_a_stuck_queue():
    assert local.outbox_check(Status(pending=2, delivered=5, dead=0, oldest_pending_age_s=120)).ok
    dead = local.outbox_check(Status(pending=0, delivered=5, dead=1, oldest_pending_age_s=None))
    assert not dead.ok and dead.data["code"] == "dead_letters"
    stuck = local.outbox_check(Status(pending=3, delivered=0, dead=0, oldest_pending_age_s=2 * 86400))
    assert not stuck.ok and stuck.data["code"] == "stuck"


def test_a_config_broken_since_start_and_a_full_disk_and_no_font(config, monkeypatch):
    from kiosk.ui import theme

    assert local.config_check(config).ok
    config.path("kiosk.toml").write_text("[identity\n", encoding="utf-8")
    broken = local.config_check(config)
    assert not broken.ok and "not valid TOML" in broken.detail
    disk = local.disk_check(config.data_dir, min_free=1 << 60)
    assert not disk.ok and disk.data["code"] == "low"
    monkeypatch.setattr(theme, "SEARCH_PATHS", [])
    monkeypatch.setattr(theme, "USE_FONTCONFIG", False)
    fonts = local.fonts_check()
    assert not fonts.ok and "fonts-noto-cjk" in fonts.detail


def test_the_clock_verdict():
    synced = KernelClock(state=0, status=0, maxerror_us=40_000)
    assert judge(synced, 0.4)[:2] == (True, "synced")
    assert judge(synced, None)[:2] == (True, "synced")
    assert judge(synced, -45.0)[:2] == (False, "skewed")
    unsynced = KernelClock(state=5, status=STA_UNSYNC, maxerror_us=16_000_000)
    assert judge(unsynced, 0.0)[:2] == (False, "unsynced")
    assert judge(KernelClock(0, 0, 16_000_000), None)[:2] == (False, "unsynced")  # no idea of the error
    assert judge(None, 2.0)[:2] == (True, "near_backend")
    assert judge(None, None)[:2] == (False, "unknown")
    assert "-0 s" not in judge(synced, -0.3)[2]
