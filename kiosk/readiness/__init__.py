"""The readiness report: can this machine serve citizens? (after VotingWorks' readiness report)

Shared by ``kiosk-provision verify`` (text or JSON, exit 1 when not ready) and the service
menu (readiness at a glance, and the printed report of :mod:`kiosk.readiness_paper`).
No Kivy here: :func:`gather` runs in a plain process or in a UI worker thread.

:func:`gather` looks at, in this order:

- ``config``: the config file still loads (it may have been edited since start);
- ``keys``: the device key and the data key, mode 0600, loaded as the kiosk loads them;
- ``device.<name>``, one per configured device: present at its stable name (a character
  device node: tty, pty, usblp, video), readable and writable by this user, and, when the UI
  runs, its last health state from the UI's ``device-health.json``; emulated devices pass;
- ``ui``: the UI's heartbeat (not running is fine; out of service is not);
- ``backend`` and ``enrollment`` (unless ``probe_backend=False``): one signed request the
  county answers (:mod:`kiosk.readiness.backend`);
- ``clock``: synchronised by NTP (kernel ``adjtimex``) and within 30 s of the backend's clock;
- ``disk``: at least 1 GiB free in the data folder;
- ``fonts``: a CJK font for the screen (``kiosk.ui.theme.find_cjk_font``);
- ``catalog``: the catalog in use loads (its version);
- ``outbox``: no dead letters, nothing pending for more than a day;
- ``beacon``: the agent's last beacon is recent (none yet is fine on a new machine).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.readiness.model import Check, Report

__all__ = ["Check", "Report", "gather", "DEVICE_NAMES"]

#: The devices a config may have, in the order the report lists them.
DEVICE_NAMES = ("idcard", "printer", "scanner", "camera")


def gather(config: Any, *, now: datetime | None = None, probe_backend: bool = True,
           timeout_s: float = 5.0) -> Report:
    """Every check, in the order above; ``now`` (aware) defaults to the config's local time."""
    from kiosk.agent.heartbeat import read_device_health, read_ui_status
    from kiosk.readiness import backend, clock, local
    from kiosk.wiring import runtime_dir

    now = now or config.now()
    checks: list[Check] = [local.config_check(config), local.keys_check(config)]
    stale = config.agent.ui_stale_after_s
    health = read_device_health(runtime_dir(config), now, stale)
    for name in DEVICE_NAMES:
        device = getattr(config.devices, name)
        if device is not None:
            checks.append(local.device_check(name, device, health))
    checks.append(local.ui_check(read_ui_status(runtime_dir(config), now, stale)))
    catalog, etag = local.catalog_check(config)
    skew: float | None = None
    if probe_backend:
        found = backend.probe(config, etag, timeout_s)
        skew = found.skew_s
        checks += _backend_checks(config, found)
    kernel = clock.kernel_clock()
    ok, code, detail = clock.judge(kernel, skew)
    checks.append(Check("clock", ok, detail, {
        "code": code, "kernel_synced": None if kernel is None else kernel.synced,
        "maxerror_us": None if kernel is None else kernel.maxerror_us,
        "skew_s": None if skew is None else round(skew, 1)}))
    checks += [local.disk_check(config.data_dir), local.fonts_check(), catalog]
    outbox, beacon, identity = local.store_checks(config, now)
    checks += [outbox, beacon]
    return Report(identity=identity, taken_at=now, checks=tuple(checks))


def _backend_checks(config: Any, found: Any) -> list[Check]:
    url = str(config.backend.url)
    reach = Check("backend", found.reachable,
                  f"{url} answered in {found.latency_ms} ms" if found.reachable else f"{url}: {found.reason}",
                  {"code": "reachable" if found.reachable else "unreachable", "url": url,
                   "latency_ms": found.latency_ms})
    if found.accepted:
        enrolled = Check("enrollment", True, f"{config.identity.device_id} accepted",
                         {"code": "accepted", "device_id": config.identity.device_id, "catalog": found.catalog})
    elif found.accepted is None:
        enrolled = Check("enrollment", False, f"not known: {found.reason}",
                         {"code": "unknown", "device_id": config.identity.device_id})
    else:
        code = "not_enrolled" if "bad_signature" in found.reason else (
            "no_key" if "device key" in found.reason else "refused")
        enrolled = Check("enrollment", False, found.reason, {"code": code, "device_id": config.identity.device_id})
    return [reach, enrolled]
