"""The fleet view's colour rules (county/fleet.py) on tables of beacons built with kiosk.wire.Beacon.

The beacon helpers here (``beacon``, ``view``, ...) are used by test_fleet_html.py too."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from county.fleet import (CLOCK_SKEW_LIMIT_S, DEFAULT_INTERVAL_S, FleetRow, KioskView, Reason,
                          estimate_interval, fleet_rows, format_age, status_of)
from kiosk import wire

# -- beacons as the backend stores them: built and dumped with kiosk.wire.Beacon -------------------
NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone.utc)
ENROLLED = NOW - timedelta(days=3)


def identity(device_id: str = "ZZ-EQ-0001", **fields: str) -> dict[str, str]:
    card = {"device_id": device_id, "name": "政务服务自助一体机", "category": "24小时自助服务终端",
            "maintainer": "二七区政务服务中心", "phone": "0371-68665010",
            "location": "大学路街道便民服务中心大厅", "model": "ZW-2000", "serial": "SN0001"}
    card.update(fields)
    return card


def devices(**states: str) -> dict[str, dict[str, Any]]:
    """All four devices online with paper ``ok``, except those named (``printer="offline"``)."""
    out: dict[str, dict[str, Any]] = {}
    for name in ("idcard", "printer", "scanner", "camera"):
        out[name] = {"state": states.get(name, "online"), "detail": {}, "counters": {}}
    out["printer"]["detail"] = {"paper": states.get("paper", "ok"), "cover_open": states.get("cover_open", False)}
    return out


def beacon(device_id: str = "ZZ-EQ-0001", *, sent_at: datetime = NOW, ui: str = "serving",
           devs: dict[str, dict[str, Any]] | None = None, pending: int = 0, oldest: int | None = None,
           dead: int = 0, skew: int = 0, serving_s: int = 86400, card: dict[str, str] | None = None,
           seq: int = 7) -> dict[str, Any]:
    body = wire.Beacon(
        device_id=device_id, seq=seq, sent_at=sent_at,
        identity=card or identity(device_id),
        software={"version": "0.1.0", "catalog_version": "2026.11.1"},
        uptime_s=3600,
        ui={"state": ui, "since": sent_at - timedelta(hours=1), "last_alive_at": sent_at},
        devices=devs if devs is not None else devices(),
        system={"cpu_percent": 3.5, "mem_percent": 40.1, "disk_free_bytes": 10**10, "temperature_c": None},
        outbox={"pending": pending, "oldest_pending_age_s": oldest, "dead": dead},
        clock_skew_s=skew,
        availability={"window_s": 86400, "serving_s": serving_s},
        acks=[],
    )
    return body.model_dump(mode="json")


def view(device_id: str = "ZZ-EQ-0001", *, age_s: float | None = 10, interval: float | None = None,
         card: dict[str, str] | None = None, **beacon_fields: Any) -> KioskView:
    """A kiosk whose last beacon (``age_s`` old at :data:`NOW`, None for never) has these fields."""
    card = card or identity(device_id)
    if age_s is None:
        return KioskView(device_id, card, ENROLLED, None, None, interval)
    at = NOW - timedelta(seconds=age_s)
    return KioskView(device_id, card, ENROLLED, beacon(device_id, sent_at=at, card=card, **beacon_fields), at, interval)


def codes(row: FleetRow) -> list[str]:
    return [r.code for r in row.reasons]


# -- every rule alone -----------------------------------------------------------------------------
RULES = [
    # (case, view keyword arguments, colour, reason codes)
    ("all well", {}, "green", []),
    ("never beaconed", {"age_s": None}, "red", ["never_seen"]),
    ("3 intervals exactly is not yet missed", {"age_s": 180}, "green", []),
    ("more than 3 intervals", {"age_s": 181}, "red", ["no_beacon"]),
    ("a day of silence", {"age_s": 86400}, "red", ["no_beacon"]),
    ("own interval: 10 min, 25 min old", {"age_s": 1500, "interval": 600}, "green", []),
    ("own interval: 10 min, 31 min old", {"age_s": 1860, "interval": 600}, "red", ["no_beacon"]),
    ("UI down", {"ui": "down"}, "red", ["ui_down"]),
    ("paper out", {"devs": devices(paper="out")}, "red", ["paper_out"]),
    ("a dead letter", {"dead": 1}, "red", ["dead_letters"]),
    ("idcard offline", {"devs": devices(idcard="offline")}, "yellow", ["device_offline"]),
    ("scanner missing", {"devs": devices(scanner="no_device")}, "yellow", ["device_no_device"]),
    ("camera hardware error", {"devs": devices(camera="hardware_error")}, "yellow", ["device_hardware_error"]),
    ("printer user error", {"devs": devices(printer="user_error")}, "yellow", ["device_user_error"]),
    ("busy is fine", {"devs": devices(printer="busy", idcard="busy")}, "green", []),
    ("paper low", {"devs": devices(paper="low")}, "yellow", ["paper_low"]),
    ("paper unknown is not a reason", {"devs": devices(paper="unknown")}, "green", []),
    ("printer cover open", {"devs": devices(cover_open=True)}, "yellow", ["printer_cover_open"]),
    ("skew at the limit", {"skew": CLOCK_SKEW_LIMIT_S}, "green", []),
    ("skew beyond the limit", {"skew": CLOCK_SKEW_LIMIT_S + 1}, "yellow", ["clock_skew"]),
    ("negative skew beyond the limit", {"skew": -45}, "yellow", ["clock_skew"]),
    ("backlog of an hour exactly", {"pending": 3, "oldest": 3600}, "green", []),
    ("backlog older than an hour", {"pending": 3, "oldest": 3601}, "yellow", ["backlog_old"]),
    ("pending but young", {"pending": 40, "oldest": 600}, "green", []),
    ("maintenance", {"ui": "maintenance"}, "yellow", ["ui_maintenance"]),
    ("out of service", {"ui": "out_of_service"}, "yellow", ["ui_out_of_service"]),
    ("no devices configured", {"devs": {}}, "green", []),
]


@pytest.mark.parametrize("case,kwargs,colour,expected", RULES, ids=[r[0] for r in RULES])
def test_each_rule(case: str, kwargs: dict, colour: str, expected: list[str]) -> None:
    row = status_of(view(**kwargs), NOW)
    assert (row.colour, codes(row)) == (colour, expected)
    for reason in row.reasons:
        assert reason.text_zh and reason.colour in ("red", "yellow")


# -- combinations -------------------------------------------------------------------------------
COMBINATIONS = [
    ("red beats yellow", {"dead": 2, "skew": 60}, "red", ["dead_letters", "clock_skew"]),
    ("every red at once", {"age_s": 600, "ui": "down", "dead": 1}, "red", ["no_beacon", "ui_down", "dead_letters"]),
    ("stale beacon keeps its own reasons", {"age_s": 900, "devs": devices(paper="low")}, "red",
     ["no_beacon", "paper_low"]),
    ("paper out and cover open on an erroring printer",
     {"devs": devices(printer="hardware_error", paper="out", cover_open=True)}, "red",
     ["paper_out", "device_hardware_error", "printer_cover_open"]),
    ("several yellows", {"devs": devices(idcard="offline", paper="low"), "skew": 40, "oldest": 7200, "pending": 1},
     "yellow", ["device_offline", "paper_low", "backlog_old", "clock_skew"]),
    ("maintenance with a device off", {"ui": "maintenance", "devs": devices(camera="offline")}, "yellow",
     ["ui_maintenance", "device_offline"]),
    ("UI down hides the devices it cannot see",
     {"ui": "down", "devs": devices(idcard="offline", printer="offline", scanner="offline", camera="offline",
                                    paper="unknown")}, "red", ["ui_down"]),
    ("out of service, paper out", {"ui": "out_of_service", "devs": devices(paper="out")}, "red",
     ["paper_out", "ui_out_of_service"]),
]


@pytest.mark.parametrize("case,kwargs,colour,expected", COMBINATIONS, ids=[c[0] for c in COMBINATIONS])
def test_combinations(case: str, kwargs: dict, colour: str, expected: list[str]) -> None:
    row = status_of(view(**kwargs), NOW)
    assert row.colour == colour
    assert codes(row) == expected  # red reasons first, the rest in rule order


def test_device_reasons_name_their_device() -> None:
    row = status_of(view(devs=devices(idcard="offline", printer="hardware_error")), NOW)
    assert [(r.code, r.subject) for r in row.reasons] == [("device_offline", "idcard"),
                                                           ("device_hardware_error", "printer")]
    assert row.reasons[0].text_zh == "身份证阅读器离线"
    assert row.reasons[1].text_zh == "打印机硬件故障"


def test_reason_texts_are_chinese_with_figures() -> None:
    row = status_of(view(dead=3, skew=-90, oldest=5400, pending=2), NOW)
    texts = {r.code: r.text_zh for r in row.reasons}
    assert "3件" in texts["dead_letters"]
    assert "-90秒" in texts["clock_skew"]
    assert "1小时30分" in texts["backlog_old"]
    stale = status_of(view(age_s=600), NOW)
    assert stale.reasons == [Reason("no_beacon", "10分0秒未收到信标（超过3个信标周期）", "red")]


# -- missed beacons clear by themselves ------------------------------------------------------------
def test_missed_beacon_red_clears_when_beacons_come_back() -> None:
    card = identity()
    last = NOW - timedelta(minutes=30)
    silent = KioskView("ZZ-EQ-0001", card, ENROLLED, beacon(sent_at=last), last, 60)
    assert status_of(silent, NOW).colour == "red"
    later = NOW + timedelta(minutes=5)
    back = KioskView("ZZ-EQ-0001", card, ENROLLED, beacon(sent_at=later - timedelta(seconds=5)),
                     later - timedelta(seconds=5), 60)
    row = status_of(back, later)
    assert (row.colour, row.reasons) == ("green", [])


def test_status_goes_red_with_time_alone_and_is_not_latched() -> None:
    v = view(age_s=0)
    timeline = [(NOW + timedelta(seconds=s), status_of(v, NOW + timedelta(seconds=s)).colour)
                for s in (0, 60, 179, 180, 181, 3600)]
    assert [c for _, c in timeline] == ["green", "green", "green", "green", "red", "red"]
    assert status_of(v, NOW).colour == "green"  # asking earlier again: computed, nothing remembered


# -- figures --------------------------------------------------------------------------------------
def test_row_figures() -> None:
    row = status_of(view(age_s=42, pending=2, oldest=120, dead=0, skew=-3, serving_s=43200, seq=99), NOW)
    assert row.age_s == 42
    assert row.last_beacon_at == NOW - timedelta(seconds=42)
    assert row.ui_state == "serving"
    assert row.outbox == {"pending": 2, "dead": 0, "oldest_pending_age_s": 120}
    assert row.availability_percent == 50.0
    assert row.clock_skew_s == -3
    assert (row.software_version, row.catalog_version, row.seq) == ("0.1.0", "2026.11.1", 99)
    assert row.devices == {"camera": {"state": "online"}, "idcard": {"state": "online"},
                           "printer": {"state": "online", "paper": "ok", "cover_open": False},
                           "scanner": {"state": "online"}}
    assert row.beacon_interval_s == DEFAULT_INTERVAL_S


def test_never_seen_row_has_no_figures() -> None:
    row = status_of(view(age_s=None), NOW)
    assert (row.last_beacon_at, row.age_s, row.ui_state, row.outbox, row.availability_percent) == (None,) * 5
    assert row.devices == {} and row.identity["maintainer"] == "二七区政务服务中心"


def test_identity_from_the_last_beacon_else_enrollment() -> None:
    enrolled = identity(maintainer="旧维护单位")
    beaconed = identity(maintainer="新维护单位")
    at = NOW - timedelta(seconds=5)
    row = status_of(KioskView("ZZ-EQ-0001", enrolled, ENROLLED, beacon(sent_at=at, card=beaconed), at), NOW)
    assert row.identity["maintainer"] == "新维护单位"
    assert status_of(KioskView("ZZ-EQ-0001", enrolled), NOW).identity["maintainer"] == "旧维护单位"
    assert set(row.identity) == {"name", "category", "maintainer", "phone", "location", "model", "serial"}


def test_now_and_times_in_every_form() -> None:
    at = NOW - timedelta(seconds=30)
    body = beacon(sent_at=at)
    for seen in (at, at.timestamp(), at.isoformat(), at.replace(tzinfo=None)):  # naive: UTC, as SQLite
        for now in (NOW, NOW.timestamp()):
            row = status_of(KioskView("ZZ-EQ-0001", identity(), ENROLLED, body, seen), now)
            assert (row.age_s, row.colour) == (30, "green")
    # no receipt time recorded: the beacon's own sent_at
    assert status_of(KioskView("ZZ-EQ-0001", identity(), ENROLLED, body, None), NOW).age_s == 30
    with pytest.raises(ValueError):
        status_of(view(), "not a time")  # type: ignore[arg-type]


def test_beacon_from_the_future_has_age_zero() -> None:
    row = status_of(view(age_s=-20), NOW)
    assert (row.age_s, row.colour) == (0, "green")


def test_bad_interval_falls_back_to_the_default() -> None:
    for interval in (None, 0, -5):
        assert status_of(view(age_s=181, interval=interval), NOW).beacon_interval_s == DEFAULT_INTERVAL_S


# -- ordering -------------------------------------------------------------------------------------
def test_fleet_rows_red_then_yellow_then_green_then_by_id() -> None:
    views = [
        view("ZZ-EQ-0005"),                                  # green
        view("ZZ-EQ-0004", skew=99),                         # yellow
        view("ZZ-EQ-0003", dead=1),                          # red
        view("ZZ-EQ-0002"),                                  # green
        view("ZZ-EQ-0001", devs=devices(paper="low")),       # yellow
        view("AA-EQ-0009", age_s=None),                      # red
    ]
    rows = fleet_rows(views, NOW)
    assert [(r.colour, r.device_id) for r in rows] == [
        ("red", "AA-EQ-0009"), ("red", "ZZ-EQ-0003"),
        ("yellow", "ZZ-EQ-0001"), ("yellow", "ZZ-EQ-0004"),
        ("green", "ZZ-EQ-0002"), ("green", "ZZ-EQ-0005"),
    ]
    assert fleet_rows([], NOW) == []


# -- helpers --------------------------------------------------------------------------------------
def test_estimate_interval() -> None:
    t0 = datetime(2026, 11, 22, tzinfo=timezone.utc)
    regular = [t0 + timedelta(seconds=120 * i) for i in range(6)]
    assert estimate_interval(regular) == 120
    # a quick ack beacon and a reboot's gap do not move the median
    noisy = regular + [regular[2] + timedelta(seconds=5), regular[-1] + timedelta(hours=5)]
    assert estimate_interval(noisy) == 120
    assert estimate_interval([t.isoformat() for t in reversed(regular)]) == 120
    assert estimate_interval([t0]) is None and estimate_interval([]) is None
    assert estimate_interval([t0, t0 + timedelta(seconds=1)]) == 5          # kiosk's lower bound
    assert estimate_interval([t0, t0 + timedelta(hours=3)]) == 3600         # and upper bound


@pytest.mark.parametrize("age,text", [(None, "从未"), (0, "0秒前"), (59, "59秒前"), (61, "1分1秒前"),
                                      (3600, "1小时0分前"), (90061, "1天1小时前")])
def test_format_age(age: int | None, text: str) -> None:
    assert format_age(age) == text
