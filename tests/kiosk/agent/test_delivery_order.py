"""Delivery order: rows reach the county in submission order through failures (so each
citizen's transactions arrive in the order they were made), and a row that fails alone while
the backend answers beacons is put back so that it cannot hold up the others.

Real store, real HTTP to the fake county; the deliverer's clock jumps over the waits."""

from __future__ import annotations

import random

import pytest

from kiosk.agent.delivery import Deliverer
from kiosk.agent.runner import Agent
from kiosk.client import CountyClient
from tests.kiosk.agent.conftest import submit
from tests.kiosk.agent.test_delivery import JumpClock, _dt, drain
from tests.support.fake_county import FakeCounty
from tests.support.kiosk_env import DEVICE_ID, make_draft


@pytest.fixture
def client(env, county):
    _, key = env
    c = CountyClient(county.url, DEVICE_ID, key, connect_timeout_s=1.0, read_timeout_s=1.0)
    yield c
    c.close()


def _created_order(county: FakeCounty) -> list[str]:
    return [txn_id for txn_id in county.txns]  # insertion order: the order they were stored


@pytest.mark.parametrize("kind", ["503", "drop", "500", "html"])
def test_rows_keep_their_order_through_failures(kind: str, store, county: FakeCounty, client) -> None:
    ids = [submit(store, make_draft(n)) for n in range(6)]
    county.fail(kind, times=3)  # three failures, then the backend is fine
    clock = JumpClock()
    deliverer = Deliverer(store.outbox, client, DEVICE_ID, 60, random.Random(2), clock, kv=store.kv)
    results = drain(deliverer, clock, store.outbox)
    assert sum(r.retried for r in results) == 3
    assert _created_order(county) == ids  # the failing row was not overtaken
    assert sorted(county.created.values()) == [1] * 6


def test_a_row_failing_alone_while_the_beacon_is_answered_is_put_back(env, store, county: FakeCounty,
                                                                        client) -> None:
    config, _ = env
    ids = [submit(store, make_draft(n)) for n in range(3)]
    lonely = make_draft(0).materials[0].blob.sha256  # only the first row names this blob
    county.fail("500", times=1000, match=f"PUT /blobs/{lonely}")
    clock = JumpClock()
    agent = Agent(config, store.outbox, store.kv, client, clock=clock, rng=random.Random(4))
    deliverer = agent.deliverer
    for _ in range(4):  # a 500 alone says nothing of the row yet: it stays first in line
        result = deliverer.deliver_due()
        assert result.backend_away and result.delivered == 0
        clock.advance(result.wait_s)
    assert not county.txns
    assert agent.send_beacon()  # the backend answers: the next failure is the row's own
    result = deliverer.deliver_due()
    assert result.backend_away and result.delivered == 0
    clock.advance(result.wait_s)
    assert deliverer.deliver_due().delivered == 2  # the others go on
    assert _created_order(county) == ids[1:]
    assert store.outbox.state_of(ids[0]) == "pending"
    county.faults.clear()  # mended: the put-back row goes too
    drain(deliverer, clock, store.outbox)
    assert _created_order(county) == [*ids[1:], ids[0]]
    assert store.outbox.status(_dt(clock)).dead == 0
