"""Catalog (ETag, 304) from the kiosk's shipped format; beacons (last and bounded history,
server_time, queued commands resent until acknowledged by id, acks stored)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

from sqlalchemy import func, select

from county import db as tables
from county.admin import list_commands, send_command
from kiosk.catalog.loader import SHIPPED_DIR, load_shipped, parse_catalog
from tests.county.support import Server


def test_catalog_with_etag_and_304(kiosk):
    first = kiosk.send("GET", "/catalog")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    catalog = parse_catalog(first.json())  # the kiosk's own loader accepts it
    assert catalog.version == load_shipped().version and len(catalog.items) == len(load_shipped().items)
    for value in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        unchanged = kiosk.send("GET", "/catalog", headers={"If-None-Match": value})
        assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["ETag"] == etag
    stale = kiosk.send("GET", "/catalog", headers={"If-None-Match": '"old"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_the_catalog_comes_from_a_folder_of_the_shipped_format(db_url, tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(SHIPPED_DIR, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = "2026.12.1"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with Server(db_url) as default, Server(db_url, catalog_dir=str(folder)) as custom:
        a = default.enroll("ZZ-EQ-0001").send("GET", "/catalog")
        other = custom.enroll("ZZ-EQ-0002").send("GET", "/catalog")
        assert other.json()["version"] == "2026.12.1" and a.json()["version"] != "2026.12.1"
        assert other.headers["ETag"] != a.headers["ETag"]


def test_beacon_answers_server_time_and_keeps_last_and_history(db_url):
    with Server(db_url, beacon_history=3) as server:
        kiosk = server.enroll("ZZ-EQ-0001")
        for _ in range(5):
            answer = kiosk.beacon()
            assert answer.status_code == 200
        body = answer.json()
        assert abs(datetime.fromisoformat(body["server_time"]).timestamp() - server.clock()) < 5
        assert body["commands"] == []
        with server.db.connect() as conn:
            last = conn.execute(select(tables.beacons_last)).all()
            kept = conn.execute(select(tables.beacon_history.c.seq).order_by(tables.beacon_history.c.id)).scalars().all()
        assert [(row.device_id, row.seq) for row in last] == [("ZZ-EQ-0001", 5)]
        assert kept == [3, 4, 5]


def test_commands_are_resent_until_acknowledged_and_acks_are_stored(server):
    kiosk, other = server.enroll("ZZ-EQ-0001"), server.enroll("ZZ-EQ-0002")
    queued = send_command(server.db, "ZZ-EQ-0001", "print_test_page", {}, server.clock())
    second = send_command(server.db, "ZZ-EQ-0001", "set_identity", {"location": "一楼大厅"}, server.clock() + 1)
    for _ in range(2):  # resent while not acknowledged
        commands = kiosk.beacon().json()["commands"]
        assert [c["id"] for c in commands] == [queued["id"], second["id"]]
        assert commands[1] == {"id": second["id"], "type": "set_identity", "args": {"location": "一楼大厅"}}
    assert other.beacon().json()["commands"] == []
    answer = kiosk.beacon(acks=[{"command_id": queued["id"], "ok": True, "message": "printed"},
                                {"command_id": "cmd-unknown", "ok": False, "message": ""}])
    assert [c["id"] for c in answer.json()["commands"]] == [second["id"]]
    kiosk.beacon(acks=[{"command_id": second["id"], "ok": False, "message": "refused"}])
    assert kiosk.beacon().json()["commands"] == []
    done = {c["id"]: c for c in list_commands(server.db)}
    assert done[queued["id"]]["ok"] is True and done[queued["id"]]["message"] == "printed"
    assert done[second["id"]]["ok"] is False and done[second["id"]]["sent_count"] == 3


def test_an_ack_from_another_device_does_not_count(server):
    kiosk, other = server.enroll("ZZ-EQ-0001"), server.enroll("ZZ-EQ-0002")
    queued = send_command(server.db, "ZZ-EQ-0001", "reload_catalog", {}, server.clock())
    other.beacon(acks=[{"command_id": queued["id"], "ok": True, "message": ""}])
    assert [c["id"] for c in kiosk.beacon().json()["commands"]] == [queued["id"]]


def test_a_beacon_must_be_the_signers_own(server):
    kiosk = server.enroll("ZZ-EQ-0001")
    from tests.county.support import beacon_body

    answer = kiosk.send("POST", "/beacons", beacon_body("ZZ-EQ-0002", 1, []))
    assert answer.status_code == 422 and answer.json()["error"] == "invalid"
    bad = kiosk.send("POST", "/beacons", {**beacon_body("ZZ-EQ-0001", 1, []), "ui": {"state": "dancing"}})
    assert bad.status_code == 422
    with server.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tables.beacon_history)).scalar() == 0


def test_the_fleet_page_lists_the_kiosks(server):
    import requests

    kiosk = server.enroll("ZZ-EQ-0001")
    server.enroll("ZZ-EQ-0002")
    kiosk.beacon(devices={"printer": {"state": "online", "detail": {"paper": "out", "cover_open": False}}})
    page = requests.get(server.url + "/fleet", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "ZZ-EQ-0001" in page.text and "ZZ-EQ-0002" in page.text and "二七区政务服务中心" in page.text
