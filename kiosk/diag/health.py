"""``kiosk-diag health``: the health of every configured device.

Presence at its path and the verdict come from the readiness report's own check
(:func:`kiosk.readiness.local.device_check`); the state, detail and counters come from the
UI's ``device-health.json`` (:mod:`kiosk.agent.heartbeat`) while it is fresh. When it is
missing or older than ``agent.ui_stale_after_s`` the UI is not running: every state is
``unknown`` and the old values are not shown, only how old the file is.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.diag.output import DiagError, one_line

#: device_check codes that mean nothing usable is at the device's path.
ABSENT_CODES = ("missing", "not_a_device")


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("health", help="the health of every configured device")
    group.add_argument("--config", required=True, help="the kiosk's config file")
    group.add_argument("--json", action="store_true", help="print JSON")
    group.set_defaults(func=show_health)


def _config(path: str) -> Any:
    from kiosk.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as err:
        raise DiagError(str(err), exit_code=1) from None


def health_file_age(runtime_dir: Path, now: datetime, stale_after_s: float) -> dict[str, Any] | None:
    """When the UI last wrote its device health, how long ago, and whether that still counts;
    None when there is no readable file."""
    from kiosk.agent.heartbeat import HEALTH_FILE, read_json

    doc = read_json(runtime_dir / HEALTH_FILE)
    written = doc.get("written_at") if isinstance(doc, dict) else None
    try:
        at = datetime.fromisoformat(written) if isinstance(written, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        return None
    age = round((now - at).total_seconds())
    return {"written_at": at.isoformat(timespec="seconds"), "age_s": age,
            "stale_after_s": stale_after_s, "fresh": age <= stale_after_s}


def collect(config: Any, now: datetime | None = None) -> tuple[dict[str, Any], list[str]]:
    """(the document printed, one reason per device not fit to serve)."""
    from kiosk.agent.heartbeat import read_device_health
    from kiosk.readiness import DEVICE_NAMES
    from kiosk.readiness.local import device_check
    from kiosk.wiring import runtime_dir

    now = now or config.now()
    stale = config.agent.ui_stale_after_s
    run = runtime_dir(config)
    health = read_device_health(run, now, stale)  # None unless fresh: never stale values
    written = health_file_age(run, now, stale)
    devices: dict[str, Any] = {}
    failures: list[str] = []
    for name in DEVICE_NAMES:
        device = getattr(config.devices, name)
        if device is None:
            continue
        where = device_check(name, device, None)  # presence alone
        verdict = device_check(name, device, health)  # presence and the UI's state
        report = (health or {}).get(name)
        devices[name] = {
            "type": device.type,
            "port": where.data["port"],
            "present": where.data["code"] not in ABSENT_CODES,
            "where": where.detail.partition("; ")[0],  # without "health not reported"
            "state": str(report.get("state") or "unknown") if report else "unknown",
            "reason": str(report.get("reason") or "") if report else "",
            "detail": dict(report.get("detail") or {}) if report else {},
            "counters": dict(report.get("counters") or {}) if report else {},
            "changed_at": report.get("changed_at") if report else None,
            "reported_at": written["written_at"] if report and written else None,
            "ok": verdict.ok,
        }
        if not verdict.ok:
            failures.append(f"{name}: {verdict.detail}")
    return {"devices": devices, "health_file": written}, failures


def _health_line(written: dict[str, Any] | None) -> str:
    if written is None:
        return "health: none reported (the UI is not running): states unknown"
    if written["fresh"]:
        return f"health: reported at {written['written_at']} ({written['age_s']} s ago)"
    return (f"health: last reported at {written['written_at']}, {written['age_s']} s ago, older than "
            f"{written['stale_after_s']} s (the UI is not running): states unknown")


def to_text(doc: dict[str, Any]) -> str:
    """One line per device: name, where it is, state, detail; then how fresh the health is."""
    devices = doc["devices"]
    width = max((len(name) for name in devices), default=0)
    lines = []
    for name, dev in devices.items():
        state = dev["state"] + (f" ({dev['reason']})" if dev["reason"] else "")
        detail = json.dumps(dev["detail"], ensure_ascii=False) if dev["detail"] else "-"
        lines.append(f"{name.ljust(width)}  {dev['where']}  {state}  {detail}")
    if not devices:
        lines.append("no devices configured")
    lines.append(_health_line(doc["health_file"]))
    return "\n".join(lines)


def show_health(args: argparse.Namespace) -> int:
    doc, failures = collect(_config(args.config))
    print(json.dumps(doc, ensure_ascii=False) if args.json else to_text(doc))
    if failures:
        raise DiagError("not healthy: " + one_line("; ".join(failures)))
    return 0
