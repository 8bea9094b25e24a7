"""设备就绪报告: the readiness report on paper (after VotingWorks' readiness report).

The identity card (设备身份证) at the top, so the paper says which machine it is about; the
verdict; every check with √ or × and what was found, in Chinese; the time it was taken.
√ and × rather than ✓ and ✗: receipt printers carry a GB2312/GBK font, which has √ (A1CC)
and × (A1C1) but not the dingbats (GB18030's four-byte range), which print as ``?``.

Paper is Chinese whatever the screen's language: words from ``kiosk/locale/zh/paper.toml``.
The Chinese of each finding is made here from the check's ``data`` (its ``code`` and
figures), not from ``Check.detail`` (English, for an operator's terminal).
:func:`describe_zh` is public for a screen that wants the same words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drivers.printer.document import Document
from kiosk.i18n import tr
from kiosk.readiness import Check, Report
from kiosk.receipts import identity_block

#: Check name (its part before a dot for devices) → the key of its printed label.
LABELS = {"config": "paper_check_config", "keys": "paper_check_keys", "device.idcard": "paper_check_idcard",
          "device.printer": "paper_check_printer", "device.scanner": "paper_check_scanner",
          "device.camera": "paper_check_camera", "ui": "paper_check_ui", "backend": "paper_check_backend",
          "enrollment": "paper_check_enrollment", "clock": "paper_check_clock", "disk": "paper_check_disk",
          "fonts": "paper_check_fonts", "catalog": "paper_check_catalog", "outbox": "paper_check_outbox",
          "beacon": "paper_check_beacon"}
#: (kind, code) → the key of the finding's words; kind is the name, or "device" for devices.
FINDINGS = {
    ("config", "valid"): "paper_ready_config_valid", ("config", "invalid"): "paper_ready_config_invalid",
    ("keys", "ok"): "paper_ready_keys_ok", ("keys", "missing"): "paper_ready_keys_missing",
    ("keys", "mode"): "paper_ready_keys_mode", ("keys", "unreadable"): "paper_ready_keys_unreadable",
    ("keys", "not_a_file"): "paper_ready_keys_unreadable",
    ("device", "emulated"): "paper_ready_device_emulated", ("device", "uses_camera"): "paper_ready_device_camera",
    ("device", "present"): "paper_ready_device_present", ("device", "missing"): "paper_ready_device_missing",
    ("device", "not_a_device"): "paper_ready_device_not_a_device",
    ("device", "no_access"): "paper_ready_device_no_access", ("device", "unhealthy"): "paper_ready_device_unhealthy",
    ("ui", "not_running"): "paper_ready_ui_not_running", ("ui", "serving"): "paper_ready_ui_serving",
    ("ui", "maintenance"): "paper_ready_ui_maintenance", ("ui", "out_of_service"): "paper_ready_ui_out_of_service",
    ("backend", "reachable"): "paper_ready_backend_reachable",
    ("backend", "unreachable"): "paper_ready_backend_unreachable",
    ("enrollment", "accepted"): "paper_ready_enrollment_accepted",
    ("enrollment", "not_enrolled"): "paper_ready_enrollment_not_enrolled",
    ("enrollment", "no_key"): "paper_ready_enrollment_no_key",
    ("enrollment", "refused"): "paper_ready_enrollment_refused",
    ("enrollment", "unknown"): "paper_ready_enrollment_unknown",
    ("clock", "synced"): "paper_ready_clock_synced", ("clock", "near_backend"): "paper_ready_clock_near_backend",
    ("clock", "unsynced"): "paper_ready_clock_unsynced", ("clock", "skewed"): "paper_ready_clock_skewed",
    ("clock", "unknown"): "paper_ready_clock_unknown",
    ("disk", "ok"): "paper_ready_disk_ok", ("disk", "low"): "paper_ready_disk_low",
    ("disk", "unknown"): "paper_ready_disk_unknown",
    ("fonts", "found"): "paper_ready_fonts_found", ("fonts", "missing"): "paper_ready_fonts_missing",
    ("catalog", "ok"): "paper_ready_catalog_ok", ("catalog", "error"): "paper_ready_catalog_error",
    ("outbox", "ok"): "paper_ready_outbox_ok", ("outbox", "dead_letters"): "paper_ready_outbox_dead",
    ("outbox", "stuck"): "paper_ready_outbox_stuck", ("outbox", "no_store"): "paper_ready_outbox_no_store",
    ("outbox", "error"): "paper_ready_outbox_error",
    ("beacon", "none_yet"): "paper_ready_beacon_none", ("beacon", "recent"): "paper_ready_beacon_recent",
    ("beacon", "stale"): "paper_ready_beacon_stale",
}
#: A device's health state (drivers.health.DeviceState) → its printed words.
STATES = {"online": "paper_state_online", "busy": "paper_state_busy", "offline": "paper_state_offline",
          "no_device": "paper_state_no_device", "hardware_error": "paper_state_hardware_error",
          "user_error": "paper_state_user_error"}
GIB = 1 << 30


def _zh(key: str, **values: object) -> str:
    """A printed string: always Chinese, whatever language the screen is in."""
    return tr(key, "zh", **values)


def _state(value: Any) -> str:
    return _zh(STATES[value]) if value in STATES else str(value or "")


def _when(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%m-%d %H:%M")
    except ValueError:
        return str(value or "")


def _values(data: dict[str, Any]) -> dict[str, object]:
    """Every placeholder a finding may use, from the check's figures."""
    free, least = data.get("free_bytes"), data.get("min_free_bytes")
    return {"port": data.get("port") or "", "state": _state(data.get("health")), "ms": data.get("latency_ms", ""),
            "skew": f"{data['skew_s']:+.0f}" if isinstance(data.get("skew_s"), (int, float)) else "",
            "free": f"{free / GIB:.1f}" if isinstance(free, int) else "",
            "min": f"{least / GIB:.1f}" if isinstance(least, int) else "",
            "version": data.get("version") or "", "pending": data.get("pending", 0), "dead": data.get("dead", 0),
            "at": _when(data.get("at"))}


def describe_zh(check: Check) -> tuple[str, str]:
    """(label, finding) of a check, in Chinese."""
    kind = "device" if check.name.startswith("device.") else check.name
    label = _zh(LABELS[check.name]) if check.name in LABELS else check.name
    data = check.data
    key = FINDINGS.get((kind, str(data.get("code"))))
    if key is None:
        return label, _zh("paper_ready_pass" if check.ok else "paper_ready_fail")
    values = _values(data)
    text = _zh(key, **values)
    if kind == "device" and data.get("code") not in ("unhealthy", "missing", "not_a_device", "no_access") \
            and data.get("health"):
        text = _zh("paper_ready_device_health", text=text, state=values["state"])
    skew = data.get("skew_s")
    if kind == "clock" and data.get("code") != "skewed" and isinstance(skew, (int, float)) and abs(skew) >= 2:
        # under 2 s is the Date header's one-second resolution, not worth a word
        text = _zh("paper_ready_clock_skew", text=text, skew=values["skew"])
    return label, text


def readiness_report(report: Report) -> Document:
    """The printed report: identity card, verdict, each check, the time; then the cut."""
    identity = report.identity
    doc = Document()
    doc.text(_zh("paper_ready_title"), align="center", bold=True, double_width=True, double_height=True)
    doc.rule()
    identity_block(doc, identity)
    doc.rule()
    failed = len(report.failed)
    doc.kv(_zh("paper_ready_verdict"), _zh("paper_ready_yes") if not failed else _zh("paper_ready_no", n=failed))
    doc.rule()
    for check in report.checks:
        label, text = describe_zh(check)
        mark = _zh("paper_ready_mark_ok" if check.ok else "paper_ready_mark_fail")
        doc.kv(_zh("paper_ready_item", mark=mark, label=label), text)
    doc.rule()
    # taken_at is the kiosk's local time already (gather uses the config's zone, not the system's)
    doc.kv(_zh("paper_ready_taken_at"), report.taken_at.strftime("%Y-%m-%d %H:%M:%S"))
    if failed:
        doc.text(_zh("paper_ready_advice"))
    doc.feed(1)
    return doc.cut()
