"""The fleet view rendered: the ``/fleet`` page, ``county fleet --json`` and ``county fleet``.

All three read only :class:`county.fleet.FleetRow` s, so they show the same thing, and only
what a row holds (a beacon holds no personal data; a row keeps only the identity card's named
fields and each device's state and paper). The page is one self-contained HTML document: no
script, no external asset, an inline style, ``<meta http-equiv="refresh" content="30">``;
every value from a kiosk goes through :func:`html.escape`. Times are China Standard Time.
"""

from __future__ import annotations

import html
import unicodedata
from datetime import datetime
from typing import Any

from county.fleet import (COLOUR_ZH, DEVICE_STATE_ZH, PAPER_ZH, UI_ZH, FleetRow, as_datetime,
                          device_label, format_age, format_time)

REFRESH_S = 30
CARD = (("name", "设备名称"), ("category", "类别"), ("maintainer", "维护单位"),
        ("phone", "联系电话"), ("location", "安放位置"))

STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em} .summary{margin:.2em 0 1em;color:#444}
table{border-collapse:collapse;width:100%} th,td{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}
th{background:#f2f2f2} dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:0 .6em} dt{color:#666}
dd{margin:0} ul{margin:0;padding-left:1.1em} .muted{color:#777}
.badge{display:inline-block;padding:.1em .6em;border-radius:.3em;color:#fff;font-weight:bold}
tr.red .badge{background:#c62828} tr.yellow .badge{background:#b7791f} tr.green .badge{background:#2e7d32}
tr.red td:first-child{border-left:6px solid #c62828} tr.yellow td:first-child{border-left:6px solid #d69e2e}
tr.green td:first-child{border-left:6px solid #2e7d32} li.red{color:#c62828}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _summary(rows: list[FleetRow]) -> str:
    counts = {c: sum(1 for r in rows if r.colour == c) for c in COLOUR_ZH}
    return (f"共 {len(rows)} 台：{COLOUR_ZH['red']} {counts['red']} 台 · "
            f"{COLOUR_ZH['yellow']} {counts['yellow']} 台 · {COLOUR_ZH['green']} {counts['green']} 台")


def _device_text(name: str, entry: dict[str, Any]) -> str:
    text = f"{device_label(name)}：{DEVICE_STATE_ZH.get(entry.get('state'), entry.get('state'))}"
    if name == "printer":
        text += f"，{PAPER_ZH.get(entry.get('paper'), entry.get('paper'))}"
        if entry.get("cover_open") is True:
            text += "，盖未关"
    return text


def _outbox_text(outbox: dict[str, Any] | None) -> list[str]:
    if outbox is None:
        return []
    oldest = outbox.get("oldest_pending_age_s")
    return [f"待发 {outbox.get('pending')}", f"死信 {outbox.get('dead')}",
            "最早待发 " + ("—" if oldest is None else format_age(oldest))]


def _cell_card(row: FleetRow) -> str:
    items = "".join(f"<dt>{_e(label)}</dt><dd>{_e(row.identity.get(key)) or '—'}</dd>" for key, label in CARD)
    return f"<td><strong>{_e(row.device_id)}</strong><dl>{items}</dl></td>"


def _row(row: FleetRow) -> str:
    reasons = "".join(f'<li class="{_e(r.colour)}">{_e(r.text_zh)} <span class="muted">({_e(r.code)})</span></li>'
                      for r in row.reasons) or "<li>一切正常</li>"
    devices = "".join(f"<li>{_e(_device_text(n, d))}</li>" for n, d in row.devices.items()) or "<li>—</li>"
    outbox = "".join(f"<li>{_e(t)}</li>" for t in _outbox_text(row.outbox)) or "<li>—</li>"
    availability = "—" if row.availability_percent is None else f"{row.availability_percent:.1f}%"
    ui = "—" if row.ui_state is None else UI_ZH.get(row.ui_state, row.ui_state)
    return (
        f'<tr class="{_e(row.colour)}">'
        f'<td><span class="badge">{_e(COLOUR_ZH.get(row.colour, row.colour))}</span><ul>{reasons}</ul></td>'
        + _cell_card(row)
        + f"<td>{_e(format_time(row.last_beacon_at))}<br>{_e(format_age(row.age_s))}"
        f'<br><span class="muted">周期 {_e(f"{row.beacon_interval_s:g}")} 秒</span></td>'
        f"<td>{_e(ui)}</td><td><ul>{devices}</ul></td><td><ul>{outbox}</ul></td>"
        f"<td>{_e(availability)}</td>"
        f"<td>软件 {_e(row.software_version or '—')}<br>目录 {_e(row.catalog_version or '—')}</td>"
        "</tr>\n"
    )


def render_fleet(rows: list[FleetRow], now: datetime | float) -> str:
    """The ``/fleet`` page for these rows (in their order), as of ``now``."""
    at = format_time(as_datetime(now))
    head = "".join(f"<th>{_e(h)}</th>" for h in
                   ("状态与原因", "设备身份证", "最近信标", "界面", "外设", "待发件", "24小时可用率", "版本"))
    body = "".join(_row(r) for r in rows) or '<tr><td colspan="8">尚无已登记的设备</td></tr>'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{REFRESH_S}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>自助终端运行监控</title>\n<style>{STYLE}</style>\n</head><body>\n"
        "<h1>自助终端运行监控</h1>\n"
        f'<p class="summary">{_e(_summary(rows))}；更新于 {_e(at)}（北京时间），每 {REFRESH_S} 秒自动刷新</p>\n'
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"
        "</body></html>\n"
    )


def fleet_json(rows: list[FleetRow]) -> list[dict[str, Any]]:
    """``county fleet --json``: one JSON-ready object per row, in the rows' order."""
    return [
        {
            "device_id": r.device_id,
            "colour": r.colour,
            "reasons": [{"code": x.code, "text_zh": x.text_zh, "colour": x.colour, "subject": x.subject}
                        for x in r.reasons],
            "identity": dict(r.identity),
            "last_beacon_at": None if r.last_beacon_at is None else r.last_beacon_at.isoformat(timespec="seconds"),
            "age_s": r.age_s,
            "beacon_interval_s": r.beacon_interval_s,
            "seq": r.seq,
            "ui_state": r.ui_state,
            "devices": {name: dict(entry) for name, entry in r.devices.items()},
            "outbox": None if r.outbox is None else dict(r.outbox),
            "availability_percent": r.availability_percent,
            "clock_skew_s": r.clock_skew_s,
            "software_version": r.software_version,
            "catalog_version": r.catalog_version,
        }
        for r in rows
    ]


def _plain(value: Any) -> str:
    """Text safe on a terminal: control characters (escape sequences, newlines) become ``?``."""
    text = "" if value is None else str(value)
    return "".join("?" if unicodedata.category(ch).startswith("C") else ch for ch in text)


def fleet_text(rows: list[FleetRow]) -> str:
    """``county fleet``: a line per kiosk, then one indented line per reason; control
    characters from a kiosk's fields are shown as ``?``."""
    lines = [_summary(rows)]
    for r in rows:
        card = " · ".join(v for v in (r.identity.get("name"), r.identity.get("location"),
                                      r.identity.get("maintainer"), r.identity.get("phone")) if v)
        avail = "—" if r.availability_percent is None else f"{r.availability_percent:.1f}%"
        box = "—" if r.outbox is None else f"{r.outbox.get('pending')}/{r.outbox.get('dead')}"
        lines.append(f"{r.colour.upper():<6} {_plain(r.device_id)}  {_plain(card)}")
        lines.append(f"       信标 {format_time(r.last_beacon_at)}（{format_age(r.age_s)}）  "
                     f"界面 {_plain(UI_ZH.get(r.ui_state, r.ui_state) if r.ui_state else '—')}  "
                     f"待发/死信 {box}  可用率 {avail}  软件 {_plain(r.software_version or '—')}  "
                     f"目录 {_plain(r.catalog_version or '—')}")
        lines.extend(f"       - [{x.colour}] {x.code}: {_plain(x.text_zh)}" for x in r.reasons)
    return "\n".join(lines) + "\n"
