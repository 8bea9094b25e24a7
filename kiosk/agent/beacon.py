"""The health beacon (设备健康信标): everything county-api.md names, from what the agent can see.

- identity: the configured card with any ``set_identity`` override (``identity_override``);
- software: the package version and the catalog version in use;
- ui: from the UI's heartbeat file (``heartbeat.py``); stale or missing means ``down``;
- devices: one entry per configured device, from the UI's device-health file; a device the
  UI has not reported (or a UI that is down) is ``offline`` with the reason in ``detail``.
  The printer's ``detail`` always carries ``paper`` and ``cover_open`` (``unknown``/None
  when not known);
- system: psutil figures; outbox: the store's status; clock_skew_s: the client's offset;
- availability: seconds ``serving`` in the last 24 h (``availability.py``);
- acks: command results not yet carried by an answered beacon;
- service: the service menu's audit log, counted (entries in 24 h, the newest one).

``seq`` is a persistent counter in the store's ``kv``: it rises by one per beacon built,
across restarts, so the county sees gaps and reboots.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

import psutil

from kiosk import wire
from kiosk.agent.availability import WINDOW_S, Availability
from kiosk.agent.heartbeat import read_device_health, read_ui_status
from kiosk.agent.identity_override import effective_identity
from kiosk.agent.outbox_port import KeyValues, OutboxPort
from kiosk.client import CountyClient

log = logging.getLogger(__name__)

SEQ_KEY = "beacon.seq"
DEVICE_NAMES = ("idcard", "printer", "scanner", "camera")


def software_version() -> str:
    try:
        return metadata.version("kiosk")
    except metadata.PackageNotFoundError:
        return "0.0.0+unknown"


def system_figures(disk_path: str) -> wire.SystemFigures:
    """psutil's view; a figure that cannot be had is None, never an error."""
    figures: dict[str, Any] = {}
    try:
        figures["cpu_percent"] = float(psutil.cpu_percent(interval=None))
        figures["mem_percent"] = float(psutil.virtual_memory().percent)
    except (OSError, RuntimeError):
        pass
    try:
        figures["disk_free_bytes"] = int(psutil.disk_usage(disk_path).free)
    except OSError:
        pass
    try:
        sensors = psutil.sensors_temperatures() if hasattr(psutil, "sensors_temperatures") else {}
        readings = [t.current for entries in sensors.values() for t in entries if t.current is not None]
        if readings:
            figures["temperature_c"] = float(max(readings))
    except (OSError, RuntimeError, AttributeError):
        pass
    return wire.SystemFigures(**figures)


def device_entries(configured: list[str], reported: dict[str, dict[str, Any]] | None, ui_down: bool) -> dict[str, wire.DeviceHealth]:
    entries: dict[str, wire.DeviceHealth] = {}
    names = list(configured) + [n for n in (reported or {}) if n not in configured]
    for name in names:
        report = (reported or {}).get(name)
        if report is None or report.get("state") not in wire.DEVICE_STATES:
            why = "the UI is down" if ui_down else "not reported by the UI"
            entries[name] = wire.DeviceHealth(state="offline", detail={"reason": why})
        else:
            detail = dict(report.get("detail") or {})
            if report.get("reason"):
                detail.setdefault("reason", str(report["reason"]))
            counters = {str(k): int(v) for k, v in (report.get("counters") or {}).items()
                        if isinstance(v, int) and not isinstance(v, bool)}
            entries[name] = wire.DeviceHealth(state=report["state"], detail=detail, counters=counters)
        if name == "printer":
            entries[name].detail.setdefault("paper", "unknown")
            entries[name].detail.setdefault("cover_open", None)
    return entries


def service_figures(data_dir: Any, now: datetime) -> wire.ServiceFigures | None:
    """The audit log counted; None when the menu was never used (no log yet) or unreadable."""
    from kiosk.service.audit import AuditLog, audit_path

    log_ = AuditLog(audit_path(data_dir))
    if not log_.path.exists():
        return None
    summary = log_.summary(now)
    last = summary.last
    return wire.ServiceFigures(window_s=summary.window_s, entries=summary.entries,
                               last_at=last.at if last else None, last_action=last.action[:64] if last else None,
                               last_who=last.who[:40] if last else None)


class BeaconBuilder:
    def __init__(self, config: Any, kv: KeyValues, outbox: OutboxPort, client: CountyClient,
                 catalog_version: Callable[[], str], availability: Availability,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.kv = kv
        self.outbox = outbox
        self.client = client
        self.catalog_version = catalog_version
        self.availability = availability
        self.clock = clock
        psutil.cpu_percent(interval=None)  # the first reading is meaningless; prime it

    def configured_devices(self) -> list[str]:
        return [name for name in DEVICE_NAMES if getattr(self.config.devices, name, None) is not None]

    def ui_status(self):
        now = datetime.fromtimestamp(self.clock(), timezone.utc)
        return read_ui_status(self.config.path(self.config.paths.runtime_dir), now, self.config.agent.ui_stale_after_s)

    def build(self, acks: list[wire.CommandAck], seq: int | None = None) -> wire.Beacon:
        """A new beacon with the next ``seq`` (or ``seq`` given: the same beacon, built again)."""
        now_ts = self.clock()
        now = datetime.fromtimestamp(now_ts, timezone.utc)
        runtime_dir = self.config.path(self.config.paths.runtime_dir)
        stale = self.config.agent.ui_stale_after_s
        ui = read_ui_status(runtime_dir, now, stale)
        reported = read_device_health(runtime_dir, now, stale) if ui.state != "down" else None
        status = self.outbox.status(now)
        seq = self._next_seq() if seq is None else seq
        identity = effective_identity(self.config.identity, self.kv)
        sent_at = datetime.fromtimestamp(self.client.now(), timezone.utc).astimezone()
        try:
            uptime = max(0, int(now_ts - psutil.boot_time()))
        except (OSError, RuntimeError):
            uptime = 0
        return wire.Beacon(
            device_id=identity.device_id,
            seq=seq,
            sent_at=sent_at,
            identity=identity,
            software=wire.Software(version=software_version(), catalog_version=self.catalog_version()),
            uptime_s=uptime,
            ui=wire.UiState(state=ui.state, since=ui.since, last_alive_at=ui.last_alive_at),
            devices=device_entries(self.configured_devices(), reported, ui.state == "down"),
            system=system_figures(str(self.config.data_dir)),
            outbox=wire.OutboxFigures(pending=status.pending, oldest_pending_age_s=status.oldest_pending_age_s,
                                      dead=status.dead),
            clock_skew_s=self.client.clock_skew_s,
            availability=wire.Availability(window_s=WINDOW_S, serving_s=self.availability.serving_s(now_ts)),
            acks=acks,
            service=service_figures(self.config.data_dir, now),
        )

    def _next_seq(self) -> int:
        incr = getattr(self.kv, "incr", None)
        if incr is not None:
            return int(incr(SEQ_KEY))
        seq = int(self.kv.get(SEQ_KEY, 0) or 0) + 1
        self.kv.set(SEQ_KEY, seq)
        return seq
