"""The fleet page, JSON and text (county/fleet_html.py): content, escaping, and only what rows hold."""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser

from county.fleet import KioskView, fleet_rows
from county.fleet_html import fleet_json, fleet_text, render_fleet
from tests.county.test_fleet import ENROLLED, NOW, beacon, devices, identity, view

HOSTILE = identity("ZZ-EQ-0666", name='"><img src=x onerror=alert(1)>', maintainer="<script>alert('x')</script>",
                   location="A & B <大厅>", category="'single' \"double\"")
VOID = {"meta", "br", "img", "input", "link", "hr"}


class Page(HTMLParser):
    """Tags as a stack (to check nesting), text, and every attribute seen."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def fleet() -> list:
    return fleet_rows([
        view("ZZ-EQ-0001"),
        view("ZZ-EQ-0002", dead=2, devs=devices(paper="low", camera="offline")),
        view("ZZ-EQ-0003", age_s=None),
        view("ZZ-EQ-0004", skew=45, pending=5, oldest=7200, serving_s=43200),
    ], NOW)


def test_page_is_well_formed_and_self_contained() -> None:
    html = render_fleet(fleet(), NOW)
    page = Page(html)
    assert page.errors == [] and page.stack == []
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta http-equiv="refresh" content="30">' in html
    assert '<meta charset="utf-8">' in html
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert not any(name in ("src", "href") or name.startswith("on") for name, _ in page.attrs)
    assert "http://" not in html and "https://" not in html


def test_page_shows_identity_card_colour_reasons_and_figures() -> None:
    html = render_fleet(fleet(), NOW)
    for label in ("设备名称", "类别", "维护单位", "联系电话", "安放位置"):
        assert label in html
    for value in ("政务服务自助一体机", "24小时自助服务终端", "二七区政务服务中心", "0371-68665010",
                  "大学路街道便民服务中心大厅"):
        assert value in html
    assert "共 4 台：故障 2 台 · 注意 1 台 · 正常 1 台" in html
    assert html.count('<tr class="red">') == 2 and html.count('<tr class="yellow">') == 1
    assert html.count('<tr class="green">') == 1
    assert "2件办件投递被拒（死信）" in html and "(dead_letters)" in html
    assert "打印机纸将用尽" in html and "摄像头离线" in html and "从未收到信标" in html
    assert "设备时钟偏差+45秒" in html and "待发 5" in html and "死信 2" in html and "最早待发 2小时0分前" in html
    assert "打印机：在线，纸将用尽" in html and "身份证阅读器：在线" in html
    assert "100.0%" in html and "50.0%" in html
    assert "软件 0.1.0" in html and "目录 2026.11.1" in html
    assert "2026-11-22 17:59:50" in html and "10秒前" in html  # beijing time, 10 s before NOW
    assert "更新于 2026-11-22 18:00:00" in html


def test_rows_appear_in_the_order_given() -> None:
    html = render_fleet(fleet(), NOW)
    positions = [html.index(f"<strong>{d}</strong>") for d in ("ZZ-EQ-0002", "ZZ-EQ-0003", "ZZ-EQ-0004", "ZZ-EQ-0001")]
    assert positions == sorted(positions)


def test_empty_fleet() -> None:
    html = render_fleet([], NOW)
    assert "尚无已登记的设备" in html and "共 0 台" in html
    assert fleet_json([]) == [] and fleet_text([]).startswith("共 0 台")


def test_hostile_identity_and_fields_are_escaped() -> None:
    devs = devices()
    devs["<b>usb</b>"] = {"state": "offline", "detail": {}, "counters": {}}
    at = NOW - timedelta(seconds=5)
    body = beacon("ZZ-EQ-0666", sent_at=at, card=HOSTILE, devs=devs)
    body["software"]["version"] = "</td><script>evil()</script>"
    html = render_fleet(fleet_rows([KioskView("ZZ-EQ-0666", HOSTILE, ENROLLED, body, at)], NOW), NOW)
    page = Page(html)
    assert page.errors == [] and "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "A &amp; B &lt;大厅&gt;" in html
    # the parsed text is exactly what the kiosk sent: escaped, not dropped
    text = "".join(page.text)
    for value in (HOSTILE["maintainer"], HOSTILE["name"], HOSTILE["location"], HOSTILE["category"],
                  "</td><script>evil()</script>", "<b>usb</b>"):
        assert value in text


def test_text_output_neutralises_control_characters() -> None:
    row = fleet_rows([view("ZZ-EQ-0001")], NOW)[0]
    row.identity["maintainer"] = "二七区\x1b[31m红\n伪造行"
    out = fleet_text([row])
    assert "\x1b" not in out and "二七区?[31m红?伪造行" in out
    assert len(out.splitlines()) == 3  # summary, kiosk line, figures line


# -- only what the rows hold ------------------------------------------------------------------------
PERSONAL = ("张三", "110101199003077777", "13800138000")


def _leaky(device_id: str, at) -> dict:
    """A beacon whose free-form parts (device detail, counters, acks) carry personal-looking data."""
    devs = devices(paper="low")
    devs["idcard"]["detail"] = {"last_name": PERSONAL[0], "last_id": PERSONAL[1], "reason": PERSONAL[2]}
    devs["idcard"]["counters"] = {"reads": 1234}
    devs["printer"]["detail"]["last_receipt"] = f"{PERSONAL[0]} {PERSONAL[1]}"
    body = beacon(device_id, sent_at=at, devs=devs)
    body["acks"] = [{"command_id": "c1", "ok": False, "message": PERSONAL[0] + PERSONAL[2]}]
    body["system"]["cpu_percent"] = 77.7
    body["uptime_s"] = 987654
    return body


def test_page_json_and_text_hold_only_what_rows_hold() -> None:
    at = NOW - timedelta(seconds=20)
    leaky = _leaky("ZZ-EQ-0001", at)
    rows = fleet_rows([KioskView("ZZ-EQ-0001", identity(), ENROLLED, leaky, at, 60)], NOW)
    outputs = [render_fleet(rows, NOW), json.dumps(fleet_json(rows), ensure_ascii=False), fleet_text(rows)]
    for out in outputs:
        for secret in PERSONAL + ("987654", "77.7", "1234", "last_receipt", "reads"):
            assert secret not in out
    # the same rows from a beacon without those free-form parts: byte-identical outputs
    plain = beacon("ZZ-EQ-0001", sent_at=at, devs=devices(paper="low"))
    plain_rows = fleet_rows([KioskView("ZZ-EQ-0001", identity(), ENROLLED, plain, at, 60)], NOW)
    assert plain_rows == rows
    assert [render_fleet(plain_rows, NOW), json.dumps(fleet_json(plain_rows), ensure_ascii=False),
            fleet_text(plain_rows)] == outputs


def test_rows_keep_only_the_card_and_device_summary() -> None:
    at = NOW - timedelta(seconds=20)
    row = fleet_rows([KioskView("ZZ-EQ-0001", identity(), ENROLLED, _leaky("ZZ-EQ-0001", at), at)], NOW)[0]
    assert set(row.identity) == {"name", "category", "maintainer", "phone", "location", "model", "serial"}
    assert row.devices["idcard"] == {"state": "online"}
    assert row.devices["printer"] == {"state": "online", "paper": "low", "cover_open": False}


def test_json_is_serialisable_and_mirrors_rows() -> None:
    rows = fleet()
    data = json.loads(json.dumps(fleet_json(rows), ensure_ascii=False))
    assert [d["device_id"] for d in data] == [r.device_id for r in rows]
    assert [d["colour"] for d in data] == ["red", "red", "yellow", "green"]
    red = data[0]
    assert red["reasons"][0] == {"code": "dead_letters", "text_zh": "2件办件投递被拒（死信），需人工处理",
                                 "colour": "red", "subject": None}
    assert {"code": "device_offline", "text_zh": "摄像头离线", "colour": "yellow", "subject": "camera"} in red["reasons"]
    assert red["outbox"] == {"pending": 0, "dead": 2, "oldest_pending_age_s": None}
    assert red["last_beacon_at"] == "2026-11-22T09:59:50+00:00" and red["age_s"] == 10
    never = data[1]
    assert (never["last_beacon_at"], never["age_s"], never["devices"], never["outbox"]) == (None, None, {}, None)
    assert data[3]["availability_percent"] == 100.0 and data[2]["clock_skew_s"] == 45


def test_text_lists_every_kiosk_and_reason() -> None:
    out = fleet_text(fleet())
    lines = out.splitlines()
    assert lines[0] == "共 4 台：故障 2 台 · 注意 1 台 · 正常 1 台"
    assert lines[1].startswith("RED    ZZ-EQ-0002  政务服务自助一体机 · 大学路街道便民服务中心大厅")
    assert "       - [red] dead_letters: 2件办件投递被拒（死信），需人工处理" in lines
    assert "       - [red] never_seen: 从未收到信标" in lines
    assert any(line.startswith("GREEN  ZZ-EQ-0001") for line in lines)
    assert "待发/死信 5/0" in out and "可用率 50.0%" in out
