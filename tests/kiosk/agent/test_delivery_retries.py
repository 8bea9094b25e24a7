"""Delivery's memory between attempts: the agent-wide Retry-After floor, blobs already at the
backend, ratings whose transaction will never come, and a stop between two requests."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest

from kiosk.agent.delivery import Deliverer
from kiosk.client import CountyClient
from tests.kiosk.agent.conftest import submit
from tests.kiosk.agent.test_delivery import JumpClock, _dt, drain
from tests.support.fake_county import FakeCounty
from tests.support.kiosk_env import DEVICE_ID, make_draft, rating


@pytest.fixture
def deliver(env, county):
    config, key = env
    clients = []

    def make(store, cap: float = 2.0) -> tuple[Deliverer, JumpClock]:
        client = CountyClient(county.url, DEVICE_ID, key, connect_timeout_s=1.0, read_timeout_s=1.0)
        clients.append(client)
        clock = JumpClock()
        return Deliverer(store.outbox, client, DEVICE_ID, cap, random.Random(5), clock, kv=store.kv), clock

    yield make
    for c in clients:
        c.close()


def test_retry_after_holds_every_delivery_request_not_only_the_row(store, county: FakeCounty, deliver) -> None:
    ids = [submit(store, make_draft(n)) for n in range(3)]
    county.fail("429", match="PUT /blobs", retry_after="120")
    deliverer, clock = deliver(store)
    first = deliverer.deliver_due()
    assert first.backend_away and first.wait_s >= 120
    for _ in range(5):  # 25 s later: the other rows are due, but the backend asked for 120 s
        clock.advance(5)
        result = deliverer.deliver_due()
        assert result.backend_away and result.delivered == 0
    assert len(county.log) == 1
    assert 90 <= result.wait_s <= 96
    clock.advance(result.wait_s)
    drain(deliverer, clock, store.outbox)
    assert {t: county.created[t] for t in ids} == dict.fromkeys(ids, 1)


def test_the_floor_does_not_outlive_a_clock_stepped_back(store, county: FakeCounty, deliver) -> None:
    submit(store, make_draft(1))
    deliverer, clock = deliver(store)
    deliverer.not_before = clock() + 3600  # set by a clock an hour ahead
    assert deliverer.deliver_due().delivered == 1


def test_a_retry_uploads_only_the_blobs_not_yet_confirmed(store, county: FakeCounty, deliver, env) -> None:
    txn_id = submit(store, make_draft(1))
    hashes = set(store.outbox.due(_dt(JumpClock()))[0].blob_hashes)
    county.fail("503", match="POST /transactions", times=2)
    deliverer, clock = deliver(store)
    assert deliverer.deliver_due().backend_away  # 3 PUTs, then the POST failed
    clock.advance(10)
    assert deliverer.deliver_due().backend_away  # the POST again, no PUT
    again, clock2 = deliver(store)  # a restarted agent remembers too (the store's kv)
    clock2.advance(30)
    assert again.deliver_due().delivered == 1
    assert sorted(county.blob_order) == sorted(hashes)  # each blob went once
    assert [m for m, _, _ in county.log] == ["PUT"] * 3 + ["POST"] * 3
    assert county.created[txn_id] == 1
    assert store.kv.items("delivery.confirmed_blobs:") == {}  # nothing kept once delivered


def test_missing_blobs_still_mends_a_backend_that_lost_confirmed_blobs(store, county: FakeCounty,
                                                                       deliver) -> None:
    txn_id = submit(store, make_draft(2))
    county.fail("503", match="POST /transactions")
    deliverer, clock = deliver(store)
    deliverer.deliver_due()
    county.lose_blobs = True  # a backend restored from a backup
    clock.advance(10)
    assert deliverer.deliver_due().delivered == 1
    assert len(county.blob_order) == 6 and county.created[txn_id] == 1


def test_a_rating_whose_transaction_is_gone_gets_a_final_404(store, county: FakeCounty, deliver) -> None:
    """The transaction became a dead letter, was discarded, purged and forgotten: its rating
    ended with it; and a rating of a transaction no longer pending here is not retried on 404."""
    txn_id = submit(store, make_draft(3))
    store.outbox.add_rating(rating(txn_id))
    county.invalid_items.add("zz-bad")
    deliverer, clock = deliver(store)
    store.outbox.mark_dead(txn_id, "invalid", "x", _dt(clock))
    store.outbox.discard_dead(txn_id, "staff: item withdrawn", _dt(clock))
    store.outbox.purge(_dt(clock), 0)
    later = _dt(clock) + timedelta(days=100)
    store.outbox.forget(later, 90)
    assert store.outbox.status(later).pending == 0
    # and a rating queued for a transaction this store no longer has:
    other = f"{DEVICE_ID}-20261101-000009"
    store.outbox.add_rating(rating(other))
    clock.advance(1)
    result = deliverer.deliver_due()
    assert (result.dead, result.retried) == (1, 0)
    assert store.outbox.state_of(f"rating:{other}") == "dead"


class StopAfter:
    """A stop event that is set once the county has seen ``n`` requests."""

    def __init__(self, county: FakeCounty, n: int) -> None:
        self.county, self.n = county, n

    def is_set(self) -> bool:
        return len(self.county.log) >= self.n


def test_a_stop_ends_the_pass_between_two_requests(store, county: FakeCounty, deliver) -> None:
    ids = [submit(store, make_draft(n)) for n in range(3)]
    deliverer, clock = deliver(store)
    result = deliverer.deliver_due(stop=StopAfter(county, 2))
    assert result.stopped and len(county.log) == 2 and not county.created
    status = store.outbox.status(_dt(clock))
    assert (status.pending, status.dead) == (3, 0)
    assert deliverer.deliver_due(stop=threading.Event()).delivered == 3  # and it goes on next time
    assert {t: county.created[t] for t in ids} == dict.fromkeys(ids, 1)
    assert len(county.blob_order) == 9  # the two blobs sent before the stop were not sent again
