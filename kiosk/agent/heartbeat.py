"""The UI's heartbeat and device health, as small JSON files in ``paths.runtime_dir``.

The UI and the agent are separate processes, and the agent must go on reporting when the UI
has died; so the UI writes two files and the agent only reads them:

``ui-heartbeat.json`` (the UI writes it every few seconds, e.g. every 5 s)::

    {"format": 1, "pid": 1234, "state": "serving" | "out_of_service" | "maintenance",
     "since": "<RFC 3339: when the state began>", "written_at": "<RFC 3339>"}

``device-health.json`` (the UI writes it on every health change and with each heartbeat)::

    {"format": 1, "written_at": "<RFC 3339>",
     "devices": {"printer": <drivers.health.HealthReport.to_dict()>, ...}}

A heartbeat older than ``agent.ui_stale_after_s`` (or missing, or unreadable) means the UI
is ``down``; its ``last_alive_at`` is then the last ``written_at`` the agent could read.
Both files are written atomically (temporary file, then rename) so a reader never sees half.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.fileio import atomic_write

HEARTBEAT_FILE = "ui-heartbeat.json"
HEALTH_FILE = "device-health.json"
FORMAT = 1
UI_WRITABLE_STATES = ("serving", "out_of_service", "maintenance")


def _now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


def write_json_atomically(path: Path, doc: Any) -> None:
    """``kiosk.fileio.atomic_write`` of the JSON document (mode 0600), making the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def read_json(path: Path) -> Any:
    """The document, or None when the file is missing or not JSON (never raises for that)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# -- the UI's side --------------------------------------------------------------------------
def write_heartbeat(runtime_dir: str | Path, state: str, since: datetime, now: datetime | None = None) -> None:
    """Called by the UI every few seconds: "I am alive, and this is what I am doing"."""
    if state not in UI_WRITABLE_STATES:
        raise ValueError(f"UI state must be one of {UI_WRITABLE_STATES}")
    now = now or _now()
    write_json_atomically(Path(runtime_dir) / HEARTBEAT_FILE, {
        "format": FORMAT, "pid": os.getpid(), "state": state,
        "since": since.isoformat(timespec="seconds"), "written_at": now.isoformat(timespec="seconds"),
    })


def write_device_health(runtime_dir: str | Path, reports: Iterable[Any] | Mapping[str, Mapping[str, Any]],
                        now: datetime | None = None) -> None:
    """Called by the UI with its drivers' ``HealthReport`` objects (or name → ``to_dict()``)."""
    if isinstance(reports, Mapping):
        devices = {str(name): dict(report) for name, report in reports.items()}
    else:
        devices = {report.device: report.to_dict() for report in reports}
    now = now or _now()
    write_json_atomically(Path(runtime_dir) / HEALTH_FILE, {
        "format": FORMAT, "written_at": now.isoformat(timespec="seconds"), "devices": devices,
    })


# -- the agent's side -------------------------------------------------------------------------
@dataclass(frozen=True)
class UiStatus:
    """What the beacon's ``ui`` says."""

    state: str
    since: datetime | None
    last_alive_at: datetime | None


def read_ui_status(runtime_dir: str | Path, now: datetime, stale_after_s: float) -> UiStatus:
    doc = read_json(Path(runtime_dir) / HEARTBEAT_FILE)
    if not isinstance(doc, dict):
        return UiStatus("down", None, None)
    written = _time(doc.get("written_at"))
    since = _time(doc.get("since"))
    state = doc.get("state")
    if written is None or state not in UI_WRITABLE_STATES:
        return UiStatus("down", None, written)
    if (now - written).total_seconds() > stale_after_s:
        return UiStatus("down", written, written)
    return UiStatus(state, since, written)


def read_device_health(runtime_dir: str | Path, now: datetime, stale_after_s: float) -> dict[str, dict[str, Any]] | None:
    """name → health dict as the UI last wrote it; None when missing, unreadable or stale."""
    doc = read_json(Path(runtime_dir) / HEALTH_FILE)
    if not isinstance(doc, dict) or not isinstance(doc.get("devices"), dict):
        return None
    written = _time(doc.get("written_at"))
    if written is None or (now - written).total_seconds() > stale_after_s:
        return None
    return {str(k): v for k, v in doc["devices"].items() if isinstance(v, dict)}
