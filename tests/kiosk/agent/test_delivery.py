"""Delivery over real HTTP: blobs first, exactly once through every misbehaviour, dead letters.

The deliverer's clock is a fake that jumps over back-off waits, so the tests are quick; the
HTTP, the fake county and (where named) the SQLite store are real.
"""

from __future__ import annotations

import json
import random
import time

import pytest

from kiosk.agent.delivery import Deliverer, backoff_delay
from kiosk.client import CountyClient
from tests.kiosk.agent.conftest import submit
from tests.support.fake_county import FakeCounty
from tests.support.kiosk_env import DEVICE_ID, make_draft, rating
from tests.support.memory_outbox import MemoryOutbox


class JumpClock:
    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def drain(deliverer: Deliverer, clock: JumpClock, outbox, turns: int = 400) -> list:
    """Run passes, jumping the clock over waits, until nothing is pending; the pass results."""
    results = []
    for _ in range(turns):
        result = deliverer.deliver_due()
        results.append(result)
        if result.backend_away:
            clock.advance(result.wait_s)
        elif result.delivered == 0 and result.dead == 0:
            if outbox.status(_dt(clock)).pending == 0:
                return results
            clock.advance(1.0)
    raise AssertionError("outbox did not drain")


def _dt(clock: JumpClock):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(clock(), timezone.utc)


def test_backoff_is_full_jitter_capped_and_honours_retry_after() -> None:
    rng = random.Random(3)
    samples = [backoff_delay(attempt, 300, rng) for attempt in range(12) for _ in range(50)]
    assert all(0 < d <= 300 for d in samples)
    first = [backoff_delay(0, 300, rng) for _ in range(200)]
    assert max(first) <= 1.0  # base 1 s at the first attempt
    late = [backoff_delay(20, 300, rng) for _ in range(500)]
    assert max(late) > 200 and min(late) < 100  # spread over the whole range: full jitter
    assert all(d <= 2.0 for d in (backoff_delay(30, 2, rng) for _ in range(100)))  # config cap
    assert backoff_delay(0, 2, rng, retry_after=9) == 9  # Retry-After is a floor
    assert backoff_delay(0, 2, rng, retry_after=10_000) == 300  # never beyond the contract's cap


@pytest.fixture
def deliver(env, county):
    config, key = env
    clients = []

    def make(outbox, cap: float = 2.0) -> tuple[Deliverer, JumpClock, CountyClient]:
        client = CountyClient(county.url, DEVICE_ID, key, connect_timeout_s=1.0, read_timeout_s=0.3)
        clients.append(client)
        clock = JumpClock()
        return Deliverer(outbox, client, DEVICE_ID, cap, random.Random(5), clock), clock, client

    yield make
    for c in clients:
        c.close()


def test_blobs_go_before_the_transaction_and_the_rating_after(store, county: FakeCounty, deliver) -> None:
    txn_id = submit(store, make_draft(1))
    store.outbox.add_rating(rating(txn_id))
    deliverer, clock, _ = deliver(store.outbox)
    drain(deliverer, clock, store.outbox)
    kinds = [(m, p.split("/")[1]) for m, p, _ in county.log]
    assert kinds == [("PUT", "blobs")] * 3 + [("POST", "transactions"), ("POST", "ratings")]
    assert county.created[txn_id] == 1 and county.rating_created[txn_id] == 1
    stored = json.loads(county.txns[txn_id])
    assert stored["applicant"]["name"] == "欧阳小明"
    assert county.txns[txn_id] == store.outbox.body(txn_id)  # the stored bytes, as they are


@pytest.mark.parametrize("kind", ["503", "500", "408", "429", "cut", "drop", "slow", "html", "truncated", "wrong_shape"])
@pytest.mark.parametrize("where", ["POST /transactions", "PUT /blobs", "POST /ratings"])
def test_every_transaction_arrives_exactly_once_through(kind: str, where: str, store, county: FakeCounty,
                                                       deliver) -> None:
    txn_ids = [submit(store, make_draft(n)) for n in range(3)]
    store.outbox.add_rating(rating(txn_ids[0]))
    county.fail(kind, times=2, match=where, retry_after="1", delay=0.5)
    deliverer, clock, _ = deliver(store.outbox)
    results = drain(deliverer, clock, store.outbox)
    if not (kind == "wrong_shape" and where != "POST /transactions"):  # the contract names no body there
        assert any(r.backend_away for r in results)  # the fault was met and survived
    assert {t: county.created[t] for t in txn_ids} == dict.fromkeys(txn_ids, 1)
    assert not county.conflicts and county.rating_created[txn_ids[0]] == 1
    status = store.outbox.status(_dt(clock))
    assert (status.pending, status.dead, status.delivered) == (0, 0, 4)


def test_a_transaction_cut_off_after_processing_is_resent_byte_for_byte(store, county, deliver) -> None:
    txn_id = submit(store, make_draft(7))
    county.fail("cut", match="POST /transactions")
    deliverer, clock, _ = deliver(store.outbox)
    drain(deliverer, clock, store.outbox)
    posts = county.requests_to("POST", "/transactions")
    assert [status for _, _, status in posts] == [-201, 200]  # processed-and-cut, then the repeat
    assert county.created[txn_id] == 1 and county.repeats[txn_id] == 1 and not county.conflicts


def test_missing_blobs_are_uploaded_and_the_post_repeated(store, county, deliver) -> None:
    txn_id = submit(store, make_draft(8))
    county.lose_blobs = True
    deliverer, clock, _ = deliver(store.outbox)
    result = deliverer.deliver_due()
    assert result.delivered == 1 and not result.backend_away
    statuses = [(m, p.split("/")[1], s) for m, p, s in county.log]
    assert statuses[3] == ("POST", "transactions", 422) and statuses[-1] == ("POST", "transactions", 201)
    assert [(m, p, s) for m, p, s in statuses[4:-1]] == [("PUT", "blobs", 201)] * 3
    assert county.created[txn_id] == 1


def test_final_answers_make_dead_letters_with_code_and_message(store, county, deliver) -> None:
    good = submit(store, make_draft(1))
    bad = submit(store, make_draft(2, item_code="zz-bad"))
    county.invalid_items.add("zz-bad")
    deliverer, clock, _ = deliver(store.outbox)
    drain(deliverer, clock, store.outbox)
    dead = store.outbox.dead_letters()
    assert [(d.key, d.code, d.message) for d in dead] == [(bad, "invalid", "不符合事项规则")]
    assert county.created[good] == 1 and bad not in county.created
    assert store.outbox.status(_dt(clock)).dead == 1


def test_clock_skew_is_corrected_and_delivery_goes_on_in_the_same_pass(store, county, deliver) -> None:
    txn_id = submit(store, make_draft(3))
    county.skew_s = 1000.0
    deliverer, clock, client = deliver(store.outbox)
    client.session.headers["X-Ignore"] = "1"
    result = deliverer.deliver_due()
    # the first blob PUT was refused with clock_skew, then everything went through, signed right
    assert result.delivered == 1
    assert county.log[0][2] == 401 and all(s in (200, 201) for _, _, s in county.log[1:])
    assert abs(client.clock_skew_s - 1000) <= 2 and county.created[txn_id] == 1


def test_a_pass_stops_at_the_first_sign_the_backend_is_away(store, county, deliver) -> None:
    for n in range(5):
        submit(store, make_draft(n))
    county.fail("503", times=100)
    deliverer, clock, _ = deliver(store.outbox, cap=3)
    result = deliverer.deliver_due()
    assert result.backend_away and 0 < result.wait_s <= 3 and result.retried == 1
    assert len(county.log) == 1  # one request, not one per row
    waits = []
    for _ in range(20):  # and it keeps trying, forever, never longer than the cap
        clock.advance(10)
        waits.append(deliverer.deliver_due().wait_s)
    assert all(w is not None and w <= 3 for w in waits)
    assert store.outbox.status(_dt(clock)).pending == 5 and store.outbox.status(_dt(clock)).dead == 0


# -- with the in-memory stand-in: states the real store would not produce ---------------------------
def _txn_dict(n: int) -> tuple[dict, dict]:
    from kiosk.store import bodies

    draft = make_draft(n)
    txn_id = f"{DEVICE_ID}-20261122-{n:06d}"
    body = json.loads(bodies.transaction_body(bodies.transaction_model(draft, txn_id)))
    return body, {b.sha256: (b.content_type, bytes(b.data)) for b in draft.blobs()}


def test_a_blob_lost_from_the_kiosk_is_a_dead_letter_not_a_loop(county, deliver) -> None:
    outbox = MemoryOutbox()
    body, blobs = _txn_dict(1)
    outbox.add_txn(body, blobs)
    del outbox.blobs[body["signature"]["sha256"]]
    deliverer, clock, _ = deliver(outbox)
    assert deliverer.deliver_due().dead == 1
    assert outbox.rows[body["txn_id"]].dead[0] == "blob_missing_locally"
    assert not county.created


def test_a_rating_waits_for_its_transaction(county, deliver) -> None:
    outbox = MemoryOutbox()
    body, blobs = _txn_dict(2)
    outbox.add_txn(body, blobs)
    outbox.add_rating(json.loads(rating(body["txn_id"]).model_dump_json()))
    outbox.rows[body["txn_id"]].next_ts = time.time() + 3600  # the transaction is backing off
    deliverer, clock, _ = deliver(outbox)
    result = deliverer.deliver_due()
    assert result.dead == 0 and result.retried == 1
    assert outbox.rows[f"rating:{body['txn_id']}"].state == "pending"
    assert outbox.rows[f"rating:{body['txn_id']}"].errors == ["its transaction is not at the backend yet"]
    outbox.make_all_due()
    assert deliverer.deliver_due().delivered == 2
    assert county.rating_created[body["txn_id"]] == 1
    foreign = "ZZ-XX-0002-20261122-000001"  # a rating of another machine's receipt: 404 is final
    outbox.add_rating(json.loads(rating(foreign).model_dump_json()))
    assert deliverer.deliver_due().dead == 1



def test_a_machine_the_backend_does_not_know_keeps_its_queue(store, county: FakeCounty, deliver) -> None:
    """401 bad_signature is the machine's fault (not enrolled, re-keyed): nothing becomes a
    dead letter, the pass stops and waits like for a backend that is away."""
    from kiosk.signing import DeviceKey

    txn_id = submit(store, make_draft(1))
    deliverer, clock, client = deliver(store.outbox)
    client.key = DeviceKey.generate()  # a key the county never saw
    result = deliverer.deliver_due()
    assert result.backend_away and result.dead == 0
    status = store.outbox.status(_dt(clock))
    assert status.dead == 0 and status.pending == 1
    assert txn_id not in county.txns
