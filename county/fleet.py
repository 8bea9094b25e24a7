"""The fleet view's rules (设备运行监控): one colour and its reasons per kiosk. Pure: no I/O.

The api side reads the database into :class:`KioskView` s and hands them to :func:`fleet_rows`;
``/fleet`` (``fleet_html.render_fleet``) and ``county fleet [--json]`` (``fleet_html.fleet_json``
/ ``fleet_text``) render the same rows, so the page and the command line never disagree.

Rules (issue 4, "Fleet view"), each a :class:`Reason` with an English ``code`` and Chinese text:

red
  ``no_beacon``       no beacon for more than 3 beacon intervals (age > 3 × interval);
  ``never_seen``      enrolled but never beaconed;
  ``ui_down``         the UI reported ``down`` (its heartbeat stopped);
  ``paper_out``       the printer's ``detail.paper`` is ``out``;
  ``dead_letters``    ``outbox.dead`` > 0 (transactions the county refused for good).
yellow
  ``device_<state>``  a device whose state is not ``online`` or ``busy`` (``busy`` is a device
                      at work, fine), e.g. ``device_offline``; ``subject`` names the device;
  ``paper_low``       the printer's paper is ``low``;
  ``printer_cover_open``  the printer's ``detail.cover_open`` is true (it cannot print);
  ``clock_skew``      ``|clock_skew_s|`` > :data:`CLOCK_SKEW_LIMIT_S` (30 s): the kiosk's own
                      clock is off (its requests are corrected, but its receipts' times are not);
                      well inside the 300 s signature window, so it is seen before it bites;
  ``backlog_old``     ``outbox.oldest_pending_age_s`` > 3600 (as the last beacon reported it);
  ``ui_maintenance``  the UI is in ``maintenance`` (an operator put it there: expected, but it
                      serves nobody, so it is not green);
  ``ui_out_of_service``  the UI shows 暂停服务 (it is alive and reachable; the cause, usually a
                      device, raises its own reason, red when it is one of the red rules).
green
  none of the above.

Decisions:
- Nothing is latched: the colour is computed afresh from the last beacon, its time and ``now``
  on every call, so a red raised by missed beacons clears by itself when a beacon comes back.
- A stale last beacon still tells what it told: its reasons are listed after ``no_beacon``.
- When the UI is ``down`` the agent reports every device ``offline`` ("the UI is down"): those
  device, paper and cover reasons are left out, ``ui_down`` says it all.
- The beacon interval is ``KioskView.beacon_interval_s`` when the caller knows it (see
  :func:`estimate_interval`: the median gap between consecutive ``sent_at`` s of the kiosk's
  beacons), else :data:`DEFAULT_INTERVAL_S` (60 s, the kiosk's default ``agent.beacon_interval_s``).
- The identity card shown is the last beacon's (it carries any ``set_identity`` change), else the
  one given at enrollment. Only the card's named fields are kept; of each device only its state
  and, for the printer, ``paper`` and ``cover_open``: free-form ``detail`` never reaches a page.
  A beacon holds no personal data; the rows hold nothing else.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

STALE_INTERVALS = 3
DEFAULT_INTERVAL_S = 60.0
MIN_INTERVAL_S, MAX_INTERVAL_S = 5.0, 3600.0  # the kiosk's bounds for agent.beacon_interval_s
CLOCK_SKEW_LIMIT_S = 30
BACKLOG_LIMIT_S = 3600
COLOURS = ("red", "yellow", "green")
FINE_DEVICE_STATES = ("online", "busy")
IDENTITY_KEYS = ("name", "category", "maintainer", "phone", "location", "model", "serial")

COLOUR_ZH = {"red": "故障", "yellow": "注意", "green": "正常"}
UI_ZH = {"serving": "服务中", "out_of_service": "暂停服务", "maintenance": "维护中", "down": "停止运行"}
DEVICE_ZH = {"idcard": "身份证阅读器", "printer": "打印机", "scanner": "高拍仪", "camera": "摄像头"}
DEVICE_STATE_ZH = {"online": "在线", "busy": "工作中", "offline": "离线", "no_device": "未连接",
                   "hardware_error": "硬件故障", "user_error": "操作异常"}
PAPER_ZH = {"ok": "纸量正常", "low": "纸将用尽", "out": "缺纸", "unknown": "纸量未知"}
CHINA = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class Reason:
    code: str
    text_zh: str
    colour: str = "yellow"
    subject: str | None = None  # the device a device reason is about


@dataclass(frozen=True)
class KioskView:
    device_id: str
    identity: dict[str, Any]
    enrolled_at: datetime | float | str | None = None
    last_beacon: dict[str, Any] | None = None  # the body as wire.Beacon dumps it
    last_beacon_at: datetime | float | str | None = None  # when the county received it
    beacon_interval_s: float | None = None


@dataclass(frozen=True)
class FleetRow:
    device_id: str
    identity: dict[str, str]
    colour: str
    reasons: list[Reason]
    last_beacon_at: datetime | None
    age_s: int | None
    beacon_interval_s: float
    ui_state: str | None = None
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: dict[str, int | None] | None = None  # pending, dead, oldest_pending_age_s
    availability_percent: float | None = None
    clock_skew_s: int | None = None
    software_version: str | None = None
    catalog_version: str | None = None
    seq: int | None = None


# -- time helpers -------------------------------------------------------------------------------
def as_datetime(value: datetime | float | int | str | None) -> datetime | None:
    """An aware datetime from a datetime (naive means UTC, as SQLite gives it back), epoch
    seconds or RFC 3339 text; None for None or for anything unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    if isinstance(value, str):
        try:
            return as_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def format_age(age_s: int | None) -> str:
    """``3分20秒前``, ``2小时5分前``, ``1天3小时前``; ``从未`` for None."""
    if age_s is None:
        return "从未"
    s = max(0, int(age_s))
    if s < 60:
        return f"{s}秒前"
    if s < 3600:
        return f"{s // 60}分{s % 60}秒前"
    if s < 86400:
        return f"{s // 3600}小时{s % 3600 // 60}分前"
    return f"{s // 86400}天{s % 86400 // 3600}小时前"


def format_time(moment: datetime | None) -> str:
    """China Standard Time (UTC+8, the whole country's), to the second."""
    return "—" if moment is None else moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def estimate_interval(sent_ats: Iterable[datetime | float | str]) -> float | None:
    """The beacon interval from a kiosk's recent beacons' ``sent_at`` s: the median gap between
    consecutive ones (robust to the quick beacon that follows commands and to a reboot's gap),
    clamped to the kiosk's own bounds; None with fewer than two usable times."""
    times = sorted(t for t in (as_datetime(v) for v in sent_ats) if t is not None)
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:]) if b > a]
    if not gaps:
        return None
    return min(MAX_INTERVAL_S, max(MIN_INTERVAL_S, statistics.median(gaps)))


# -- the rules ----------------------------------------------------------------------------------
def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _identity(view: KioskView) -> dict[str, str]:
    beacon_card = (view.last_beacon or {}).get("identity")
    card = beacon_card if isinstance(beacon_card, dict) else (view.identity or {})
    return {key: _text(card.get(key)) for key in IDENTITY_KEYS}


def _devices(beacon: dict[str, Any]) -> dict[str, dict[str, Any]]:
    devices = beacon.get("devices")
    summary: dict[str, dict[str, Any]] = {}
    for name, health in sorted((devices or {}).items() if isinstance(devices, dict) else []):
        health = health if isinstance(health, dict) else {}
        entry: dict[str, Any] = {"state": _text(health.get("state")) or "unknown"}
        if name == "printer":
            detail = health.get("detail") if isinstance(health.get("detail"), dict) else {}
            entry["paper"] = _text(detail.get("paper")) or "unknown"
            cover = detail.get("cover_open")
            entry["cover_open"] = cover if isinstance(cover, bool) else None
        summary[str(name)] = entry
    return summary


def device_label(name: str) -> str:
    return DEVICE_ZH.get(name, name)


def _device_reasons(devices: dict[str, dict[str, Any]]) -> list[Reason]:
    reasons: list[Reason] = []
    for name, entry in devices.items():
        label = device_label(name)
        state = entry["state"]
        if state not in FINE_DEVICE_STATES:
            reasons.append(Reason(f"device_{state}", f"{label}{DEVICE_STATE_ZH.get(state, state)}", "yellow", name))
        if name == "printer":
            if entry["paper"] == "out":
                reasons.append(Reason("paper_out", "打印机缺纸", "red", name))
            elif entry["paper"] == "low":
                reasons.append(Reason("paper_low", "打印机纸将用尽", "yellow", name))
            if entry["cover_open"] is True:
                reasons.append(Reason("printer_cover_open", "打印机盖未关", "yellow", name))
    return reasons


def _beacon_reasons(beacon: dict[str, Any], devices: dict[str, dict[str, Any]], ui_state: str | None) -> list[Reason]:
    reasons: list[Reason] = []
    if ui_state == "down":
        reasons.append(Reason("ui_down", "界面程序停止运行", "red"))
    elif ui_state == "maintenance":
        reasons.append(Reason("ui_maintenance", "维护中（暂停对外服务）", "yellow"))
    elif ui_state == "out_of_service":
        reasons.append(Reason("ui_out_of_service", "暂停服务", "yellow"))
    if ui_state != "down":
        reasons.extend(_device_reasons(devices))
    outbox = beacon.get("outbox") if isinstance(beacon.get("outbox"), dict) else {}
    dead = _int(outbox.get("dead")) or 0
    if dead > 0:
        reasons.append(Reason("dead_letters", f"{dead}件办件投递被拒（死信），需人工处理", "red"))
    oldest = _int(outbox.get("oldest_pending_age_s"))
    if oldest is not None and oldest > BACKLOG_LIMIT_S:
        reasons.append(Reason("backlog_old", f"待发办件积压超过1小时（最早{format_age(oldest)}）", "yellow"))
    skew = _int(beacon.get("clock_skew_s"))
    if skew is not None and abs(skew) > CLOCK_SKEW_LIMIT_S:
        reasons.append(Reason("clock_skew", f"设备时钟偏差{skew:+d}秒（超过{CLOCK_SKEW_LIMIT_S}秒）", "yellow"))
    return reasons


def _colour(reasons: list[Reason]) -> str:
    for colour in ("red", "yellow"):
        if any(r.colour == colour for r in reasons):
            return colour
    return "green"


def status_of(view: KioskView, now: datetime | float) -> FleetRow:
    """One kiosk's row: its colour, the reasons (red ones first), and the figures shown."""
    now_dt = as_datetime(now)
    if now_dt is None:
        raise ValueError("now must be a datetime or epoch seconds")
    interval = float(view.beacon_interval_s) if view.beacon_interval_s and view.beacon_interval_s > 0 else DEFAULT_INTERVAL_S
    beacon = view.last_beacon if isinstance(view.last_beacon, dict) else None
    seen_at = as_datetime(view.last_beacon_at)
    if seen_at is None and beacon is not None:
        seen_at = as_datetime(beacon.get("sent_at"))
    age_s = None if seen_at is None else max(0, int((now_dt - seen_at).total_seconds()))

    reasons: list[Reason] = []
    if beacon is None or age_s is None:
        reasons.append(Reason("never_seen", "从未收到信标", "red"))
    elif age_s > STALE_INTERVALS * interval:
        reasons.append(Reason("no_beacon", f"{format_age(age_s).removesuffix('前')}未收到信标"
                              f"（超过{STALE_INTERVALS}个信标周期）", "red"))
    ui_state = devices = outbox = availability = skew = software = None
    if beacon is not None:
        ui = beacon.get("ui") if isinstance(beacon.get("ui"), dict) else {}
        ui_state = _text(ui.get("state")) or None
        devices = _devices(beacon)
        reasons.extend(_beacon_reasons(beacon, devices, ui_state))
        box = beacon.get("outbox") if isinstance(beacon.get("outbox"), dict) else {}
        outbox = {"pending": _int(box.get("pending")), "dead": _int(box.get("dead")),
                  "oldest_pending_age_s": _int(box.get("oldest_pending_age_s"))}
        avail = beacon.get("availability") if isinstance(beacon.get("availability"), dict) else {}
        window, serving = _int(avail.get("window_s")), _int(avail.get("serving_s"))
        if window and window > 0 and serving is not None:
            availability = round(min(100.0, max(0.0, 100.0 * serving / window)), 1)
        skew = _int(beacon.get("clock_skew_s"))
        software = beacon.get("software") if isinstance(beacon.get("software"), dict) else {}
    reasons.sort(key=lambda r: COLOURS.index(r.colour) if r.colour in COLOURS else len(COLOURS))
    return FleetRow(
        device_id=view.device_id, identity=_identity(view), colour=_colour(reasons), reasons=reasons,
        last_beacon_at=seen_at, age_s=age_s, beacon_interval_s=interval, ui_state=ui_state,
        devices=devices or {}, outbox=outbox, availability_percent=availability, clock_skew_s=skew,
        software_version=_text((software or {}).get("version")) or None,
        catalog_version=_text((software or {}).get("catalog_version")) or None,
        seq=_int(beacon.get("seq")) if beacon is not None else None,
    )


def fleet_rows(views: Iterable[KioskView], now: datetime | float) -> list[FleetRow]:
    """Every kiosk's row, red first, then yellow, then green, each by device id."""
    rows = [status_of(view, now) for view in views]
    return sorted(rows, key=lambda row: (COLOURS.index(row.colour), row.device_id))
