"""The checks made on the machine itself: config, keys, devices, UI, disk, fonts, catalog,
outbox and the agent's last beacon. Each returns a :class:`kiosk.readiness.Check`; none
raises for what it finds. ``data["code"]`` names the finding (the printed report words it
in Chinese from that code and the figures beside it)."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.readiness.model import Check

#: Less free space than this in the data folder is not ready (photos of papers, the store).
MIN_FREE_BYTES = 1 << 30
#: A pending transaction older than this means delivery is not working.
MAX_PENDING_AGE_S = 24 * 3600
#: UI device states that can serve (drivers.health.AVAILABLE).
SERVING_STATES = ("online", "busy")


def config_check(config: Any) -> Check:
    from kiosk.config import ConfigError, load_config

    if not config.source or config.source.startswith("<"):
        return Check("config", True, "valid (given in memory)", {"code": "valid", "path": None})
    try:
        load_config(config.source)
    except ConfigError as err:
        return Check("config", False, str(err), {"code": "invalid", "path": config.source})
    return Check("config", True, f"valid: {config.source}", {"code": "valid", "path": config.source})


def _key_state(path: Path, load: Any) -> tuple[str, str, int | None]:
    """(code, detail, mode) of one key file, loaded the way the kiosk loads it."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "missing", f"{path.name} missing", None
    except OSError as err:
        return "unreadable", f"{path.name}: {err.strerror}", None
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        return "not_a_file", f"{path.name} is not a plain file", mode
    if mode & 0o077:
        return "mode", f"{path.name} has mode {mode:04o}, must be 0600", mode
    try:
        load(path)
    except Exception as err:  # KeyFileError, CryptoError: one line each
        return "unreadable", " ".join(str(err).split())[:200], mode
    return "ok", f"{path.name} {mode:04o}", mode


def keys_check(config: Any) -> Check:
    from kiosk.crypto import DataKey
    from kiosk.signing import DeviceKey

    found = {name: _key_state(config.path(getattr(config.paths, name)), load)
             for name, load in (("device_key", DeviceKey.load), ("data_key", DataKey.load))}
    bad = [(code, detail) for code, detail, _ in found.values() if code != "ok"]
    data: dict[str, Any] = {name: {"code": code, "mode": None if mode is None else f"{mode:04o}"}
                            for name, (code, _, mode) in found.items()}
    data["code"] = bad[0][0] if bad else "ok"
    return Check("keys", not bad, "; ".join(d for _, d in bad) if bad else
                 ", ".join(d for _, d, _ in found.values()), data)


def device_check(name: str, device: Any, health: dict[str, dict[str, Any]] | None) -> Check:
    """Present by its stable name (a character device: a tty, a pty, a usblp or video node)
    and, when the UI runs, its last health state."""
    kind = device.type
    port = getattr(device, "port", None)
    data: dict[str, Any] = {"type": kind, "port": port, "health": None}
    report = (health or {}).get(name)
    if report is not None:
        data["health"] = report.get("state")
        data["reason"] = str(report.get("reason") or "")[:200]
    if port is None:
        code, detail, ok = ("emulated", "emulated", True) if kind == "emulated" else \
            ("uses_camera", "reads codes from the camera", True)
    else:
        try:
            info = os.stat(port)  # follows /dev/kiosk/* symlinks to the node
        except FileNotFoundError:
            return Check(f"device.{name}", False, f"{port} missing", {**data, "code": "missing"})
        except OSError as err:
            return Check(f"device.{name}", False, f"{port}: {err.strerror}", {**data, "code": "no_access"})
        if not stat.S_ISCHR(info.st_mode):
            return Check(f"device.{name}", False, f"{port} is not a device node", {**data, "code": "not_a_device"})
        if not os.access(port, os.R_OK | os.W_OK):
            return Check(f"device.{name}", False, f"{port} present, not readable and writable by uid {os.geteuid()}"
                         " (groups?)", {**data, "code": "no_access"})
        code, detail, ok = "present", f"{port} present", True
    if report is None:
        return Check(f"device.{name}", ok, f"{detail}; health not reported (the UI is not running)", {**data, "code": code})
    if data["health"] not in SERVING_STATES:
        why = f": {data['reason']}" if data["reason"] else ""
        return Check(f"device.{name}", False, f"{detail}; {data['health']}{why}", {**data, "code": "unhealthy"})
    return Check(f"device.{name}", ok, f"{detail}; {data['health']}", {**data, "code": code})


def ui_check(status: Any) -> Check:
    """The UI's own state from its heartbeat (not running is fine: it starts after install)."""
    data = {"state": status.state, "since": status.since.isoformat(timespec="seconds") if status.since else None}
    if status.state == "down":
        return Check("ui", True, "not running", {**data, "code": "not_running"})
    if status.state == "out_of_service":
        return Check("ui", False, "running, out of service (暂停服务)", {**data, "code": "out_of_service"})
    return Check("ui", True, f"running, {status.state}", {**data, "code": status.state})


def disk_check(data_dir: Path, min_free: int = MIN_FREE_BYTES) -> Check:
    import shutil

    probe = data_dir if data_dir.exists() else data_dir.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError as err:
        return Check("disk", False, f"{data_dir}: {err.strerror}", {"code": "unknown", "path": str(data_dir)})
    data = {"path": str(data_dir), "free_bytes": free, "min_free_bytes": min_free}
    gib = free / (1 << 30)
    if free < min_free:
        return Check("disk", False, f"{gib:.2f} GiB free in {data_dir}, less than {min_free / (1 << 30):.1f} GiB",
                     {**data, "code": "low"})
    return Check("disk", True, f"{gib:.1f} GiB free in {data_dir}", {**data, "code": "ok"})


def fonts_check() -> Check:
    from kiosk.ui.theme import FontMissing, find_cjk_font  # no Kivy at import

    try:
        regular, bold = find_cjk_font()
    except FontMissing as err:
        return Check("fonts", False, str(err), {"code": "missing", "path": None})
    return Check("fonts", True, f"CJK font {regular}", {"code": "found", "path": regular, "bold": bold})


def catalog_check(config: Any) -> tuple[Check, str | None]:
    """The catalog in use, and its ETag for the backend probe."""
    from kiosk.wiring import catalog_store

    try:
        store = catalog_store(config)
        catalog = store.current()
    except Exception as err:  # CatalogError, OSError: a broken shipped catalog
        return Check("catalog", False, f"no usable catalog: {' '.join(str(err).split())[:200]}",
                     {"code": "error", "version": None}), None
    return Check("catalog", True, f"version {catalog.version} ({store.source}, {len(catalog.items)} items)",
                 {"code": "ok", "version": catalog.version, "source": store.source,
                  "items": len(catalog.items)}), store.etag


def outbox_check(status: Any) -> Check:
    data = {"pending": status.pending, "dead": status.dead, "oldest_pending_age_s": status.oldest_pending_age_s}
    text = f"{status.pending} pending, {status.dead} dead letters"
    if status.oldest_pending_age_s is not None:
        text += f", oldest {status.oldest_pending_age_s // 60} min"
    if status.dead:
        return Check("outbox", False, f"{text}: see the service menu", {**data, "code": "dead_letters"})
    if (status.oldest_pending_age_s or 0) > MAX_PENDING_AGE_S:
        return Check("outbox", False, f"{text}: delivery is not getting through", {**data, "code": "stuck"})
    return Check("outbox", True, text, {**data, "code": "ok"})


def beacon_check(seq: int | None, sent_ts: float | None, now: datetime, interval_s: int) -> Check:
    """The agent's last beacon (sent, answered or not): none yet is fine on a new machine;
    none for three intervals (at least 5 min) means the agent has stopped."""
    if seq is None or sent_ts is None:
        return Check("beacon", True, "none sent yet (the agent has not run)", {"code": "none_yet", "seq": None})
    age = max(0, round(now.timestamp() - sent_ts))
    at = datetime.fromtimestamp(sent_ts, now.tzinfo).isoformat(timespec="seconds")
    data = {"seq": seq, "at": at, "age_s": age}
    if age > max(3 * interval_s, 300):
        return Check("beacon", False, f"#{seq} at {at}, {age // 60} min ago: is kiosk-agent running?",
                     {**data, "code": "stale"})
    return Check("beacon", True, f"#{seq} at {at} ({age} s ago)", {**data, "code": "recent"})


def read_only_engine(path: Path) -> Any:
    """An engine that reads the store and never writes a byte of it.

    With no ``-wal`` file nobody has the store open and everything is in the main file:
    ``immutable=1`` reads it without making ``-wal``/``-shm`` files. With one, the UI or the
    agent has it open: ``mode=ro`` reads through their WAL (its files exist already)."""
    from urllib.parse import quote

    from sqlalchemy import create_engine

    live = path.with_name(path.name + "-wal").exists()
    return create_engine(f"sqlite+pysqlite:///file:{quote(str(path))}?{'mode=ro' if live else 'immutable=1'}&uri=true")


def store_checks(config: Any, now: datetime) -> tuple[Check, Check, Any]:
    """(outbox, beacon, identity card in force), read from the store without opening it
    for writing (no migration, no fingerprint recorded: a readiness check changes nothing).
    The card is the config's with any ``set_identity`` override the store keeps."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from kiosk.agent.beacon import SEQ_KEY
    from kiosk.agent.identity_override import effective_identity
    from kiosk.crypto import CryptoError, DataKey
    from kiosk.store import FINGERPRINT_KEY, KeyValues, Outbox
    from kiosk.store.db import DB_NAME, reading
    from kiosk.store.schema import kv as kv_table

    interval = config.agent.beacon_interval_s
    path = config.data_dir / DB_NAME
    if not path.exists():
        return (Check("outbox", False, f"no store in {config.data_dir}: run kiosk-provision init", {"code": "no_store"}),
                beacon_check(None, None, now, interval), config.identity)
    engine = read_only_engine(path)
    try:
        kv = KeyValues(engine)
        key = DataKey.load(config.path(config.paths.data_key))
        if kv.get(FINGERPRINT_KEY) not in (None, key.fingerprint):
            raise CryptoError("the data key does not match this store")
        outbox = outbox_check(Outbox(engine, key).status(now))
        with reading(engine) as conn:
            row = conn.execute(select(kv_table.c.value, kv_table.c.updated_ts).where(kv_table.c.key == SEQ_KEY)).first()
        seq, sent = (int(row[0]), float(row[1])) if row else (None, None)
        return outbox, beacon_check(seq, sent, now, interval), effective_identity(config.identity, kv)
    except (CryptoError, SQLAlchemyError, ValueError, TypeError) as err:
        why = str(err) if isinstance(err, CryptoError) else type(err).__name__
        return (Check("outbox", False, f"the store cannot be read: {' '.join(why.split())[:200]}", {"code": "error"}),
                beacon_check(None, None, now, interval), config.identity)
    finally:
        engine.dispose()
