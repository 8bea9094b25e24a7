"""Progress by receipt number (GET) and by id number (POST query): masked, with history.

Decision under test: any kiosk enrolled with this county's backend may ask about any receipt
number the backend holds (a citizen applies at one machine and asks at another)."""

from __future__ import annotations

from county.cases import set_status
from tests.county.support import JPEG, PNG, sample_txn

ID_A, ID_B = "110105199003071239", "210102198506154028"


def _submit(kiosk, n: int, id_number: str = ID_A, name: str = "李小明") -> str:
    kiosk.put_blob(JPEG)
    kiosk.put_blob(PNG, "image/png")
    txn = sample_txn(kiosk.txn_id(n), id_number=id_number, name=name)
    assert kiosk.post_txn(txn).status_code == 201
    return txn["txn_id"]


def test_progress_by_number_is_masked_with_history(kiosk):
    txn_id = _submit(kiosk, 1)
    answer = kiosk.send("GET", f"/transactions/{txn_id}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["item_code"] == "zz-fwzlba" and body["item_name"] == "房屋租赁登记备案"
    assert body["status"] == "received" and [h["status"] for h in body["history"]] == ["received"]
    assert body["applicant"] == {"name": "李*明", "id_number": "110105********1239"}
    assert ID_A not in answer.text and "李小明" not in answer.text


def test_status_moves_show_in_the_history(kiosk):
    txn_id = _submit(kiosk, 1)
    set_status(kiosk.server.db, txn_id, "needs_more", "请补充房产证复印件", kiosk.server.clock())
    set_status(kiosk.server.db, txn_id, "approved", "", kiosk.server.clock() + 60)
    body = kiosk.send("GET", f"/transactions/{txn_id}").json()
    assert body["status"] == "approved"
    assert [(h["status"], h["note"]) for h in body["history"]] == [
        ("received", ""), ("needs_more", "请补充房产证复印件"), ("approved", "")]


def test_unknown_numbers_are_404(kiosk):
    for number in ("ZZ-EQ-0001-20261122-999999", "query", "not-a-number"):
        answer = kiosk.send("GET", f"/transactions/{number}")
        assert answer.status_code == 404 and answer.json()["error"] == "not_found"


def test_another_kiosk_of_the_county_may_ask(server, kiosk):
    txn_id = _submit(kiosk, 1)
    other = server.enroll("ZZ-EQ-0002")
    assert other.send("GET", f"/transactions/{txn_id}").json()["txn_id"] == txn_id


def test_query_by_id_number_newest_first(server, kiosk):
    first = _submit(kiosk, 1)
    server.clock.offset += 10
    _submit(kiosk, 2, ID_B, "王芳")
    server.clock.offset += 10
    third = _submit(kiosk, 3)
    answer = kiosk.send("POST", "/transactions/query", {"id_number": ID_A})
    assert answer.status_code == 200
    found = answer.json()["transactions"]
    assert [p["txn_id"] for p in found] == [third, first]
    assert all(p["applicant"]["id_number"] == "110105********1239" for p in found)
    lower = kiosk.send("POST", "/transactions/query", {"id_number": "210102198506154028"}).json()
    assert len(lower["transactions"]) == 1
    assert kiosk.send("POST", "/transactions/query", {"id_number": "310115195004120030"}).json() == {"transactions": []}


def test_the_id_number_is_not_stored_in_the_clear(server, kiosk):
    _submit(kiosk, 1)
    from sqlalchemy import select

    from county import db as tables

    with server.db.connect() as conn:
        row = conn.execute(select(tables.transactions)).first()
    assert ID_A not in row.id_key and ID_A not in row.id_masked and "李小明" not in row.name_masked


def test_query_refuses_malformed_bodies(kiosk):
    assert kiosk.send("POST", "/transactions/query", b"{").json()["error"] == "malformed"
    assert kiosk.send("POST", "/transactions/query", {"id_number": 12}).json()["error"] == "invalid"
    assert kiosk.send("POST", "/transactions/query", {"id_number": "1"}).status_code == 422
