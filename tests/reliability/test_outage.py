"""A county outage of 24 hours with 5,000 transactions queued, each rated (10,000 rows).

The real agent loop (``Agent.run_forever``) delivers from the real store to the reference
county backend (a process of its own) through the simulation's network cable
(:class:`~kiosk.simulation.relay.Relay`). The cable is cut, the citizens' visits are queued,
and the agent runs on a clock that skips every wait it asks for: 24 hours of back-off,
beacons and sampling pass in seconds. Then the cable is back and the backlog drains.

What must hold (issue 8):
- during the outage the agent keeps trying with bounded back-off: never a gap of more than
  the contract's 300 s between two delivery attempts, never faster than the back-off allows,
  no row given up (pending, none dead) and no spinning loop;
- after it, every transaction and every rating is at the county exactly once, each rating
  after its transaction, and each citizen's transactions in the order they were submitted;
- the process's memory stays flat while the backlog drains (RSS sampled as rows go out).
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from kiosk.agent.delivery import MAX_BACKOFF_S
from kiosk.agent.runner import SAMPLE_EVERY_S, Agent
from kiosk.client import CountyClient
from kiosk.config import load_config
from kiosk.crypto import DataKey
from kiosk.signing import DeviceKey
from kiosk.simulation.relay import Relay
from kiosk.wiring import open_store
from tests.reliability.county_process import CountyProcess
from tests.support.logs import records_not_kept
from tests.reliability.outage_rig import SkippingClock, citizens, county_rows, queue_visits
from tests.support.kiosk_env import write_config

pytestmark = pytest.mark.slow

CITIZENS = 250
VISITS_EACH = 20  # 5,000 transactions, every one rated: 10,000 rows
OUTAGE_S = 24 * 3600.0
BEACON_EVERY_S = 60
MEMORY_GROWTH_BOUND = 20 * 1024 * 1024


class CountingClient(CountyClient):
    """The real client; it notes each request: when (agent time) and to what while the outage
    lasts, how many of each kind after it (counted, not listed: the drain's memory is measured)."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.agent_clock: Callable[[], float] = time.time
        self.outage_over: Callable[[], bool] = lambda: False
        self.during: list[tuple[float, str]] = []  # (agent time, "blobs" | "transactions" | ...)
        self.after: Counter[tuple[str, str]] = Counter()  # (method, what) -> requests

    def _send(self, method, path, *args, **kw):
        what = path.split("/")[1]
        if self.outage_over():
            self.after[method, what] += 1
        else:
            self.during.append((self.agent_clock(), what))
        return super()._send(method, path, *args, **kw)


class Outage:
    """The cable is cut now and comes back when the agent's clock has passed ``seconds``."""

    def __init__(self, relay: Relay, clock: SkippingClock, seconds: float, queue: Callable[[], Any]) -> None:
        self.relay, self.clock, self.queue = relay, clock, queue
        self.ends_at = clock() + seconds
        self.restored_at: float | None = None
        self.queue_at_end: Any = None  # the outbox's status just before the cable comes back
        self.turns = 0  # agent loop turns during the outage (each ends in a sleep)
        self.spins = 0  # of them, turns that asked for no wait at all
        relay.cut()

    def __call__(self, clock: SkippingClock, seconds: float) -> None:
        if self.restored_at is not None:
            return
        self.turns += 1
        self.spins += seconds <= 0
        if clock() >= self.ends_at:
            self.queue_at_end = self.queue()
            self.relay.restore()
            self.restored_at = clock()


def _county_folder() -> tempfile.TemporaryDirectory:
    """The county's database in memory-backed storage when there is some: its fsyncs are not
    what this test measures, and the machine is shared."""
    shm = Path("/dev/shm")
    return tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None)


@pytest.mark.timeout(900)
def test_a_day_long_outage_then_every_row_once_in_order_with_memory_flat(tmp_path: Path) -> None:
    # pytest would keep the 10,000 "delivered" records in memory: records_not_kept (see there)
    with _county_folder() as county_dir, records_not_kept() as logged:
        with CountyProcess(Path(county_dir) / "county.db") as county:
            client, outage, queued, status, rss = _outage_and_drain(tmp_path, county)
        txns, ratings = county_rows(Path(county_dir) / "county.db")

    # -- during the outage: bounded back-off, forever, no spinning, no flood of warnings ------
    assert outage.restored_at is not None
    assert (outage.queue_at_end.pending, outage.queue_at_end.dead) == (2 * len(queued), 0)  # none given up
    deliveries = sorted(at for at, what in client.during if what in ("blobs", "transactions", "ratings"))
    beacons = [at for at, what in client.during if what == "beacons"]
    gaps = [b - a for a, b in zip(deliveries, [*deliveries[1:], outage.restored_at])]
    assert max(gaps) <= MAX_BACKOFF_S + SAMPLE_EVERY_S + 1, max(gaps)  # never gave up
    assert OUTAGE_S / MAX_BACKOFF_S <= len(deliveries) <= OUTAGE_S / 30, len(deliveries)  # jittered, capped
    assert OUTAGE_S / BEACON_EVERY_S * 0.95 <= len(beacons) <= OUTAGE_S / BEACON_EVERY_S + 2, len(beacons)
    # a turn at least every sampling interval; one more at most per beacon and per attempt
    assert outage.turns <= OUTAGE_S / SAMPLE_EVERY_S + 2 * (len(beacons) + len(deliveries)), outage.turns
    assert outage.spins <= len(beacons) + len(deliveries), outage.spins  # no busy loop
    warnings = [r for r in logged if r.name.startswith("kiosk") and r.levelno >= logging.WARNING]
    assert len(warnings) <= 3, [r.getMessage() for r in warnings[:5]]  # the outage said once, not per minute

    # -- after it: every row once, ratings after their transactions, each citizen in order -----
    assert (status.pending, status.dead, status.delivered) == (0, 0, 2 * len(queued))
    assert [row.key for row in txns] == sorted(row.key for row in txns)  # no one overtaken (one device)
    assert sorted(row.key for row in txns) == sorted(q.txn_id for q in queued)
    assert sorted(row.key for row in ratings) == sorted("rating:" + q.txn_id for q in queued if q.rated)
    assert client.after["POST", "transactions"] == len(txns)  # each sent once: no repeat was needed
    assert client.after["POST", "ratings"] == len(ratings)
    stored_at = {row.key: row.at for row in txns}
    assert all(row.at > stored_at[row.key.removeprefix("rating:")] for row in ratings)
    citizen_of = {row.key: row.id_key for row in txns}
    by_citizen: dict[str | None, list[str]] = defaultdict(list)
    for row in [*txns, *ratings]:  # each in the order the county stored them
        by_citizen[citizen_of[row.key.removeprefix("rating:")]].append(row.key)
    assert len(by_citizen) == CITIZENS and None not in by_citizen
    for keys in by_citizen.values():  # txn ids number the submissions
        made = [key for key in keys if not key.startswith("rating:")]
        rated = [key.removeprefix("rating:") for key in keys if key.startswith("rating:")]
        assert len(made) == VISITS_EACH and made == sorted(made) and rated == sorted(rated)

    # -- memory flat while the backlog drained ---------------------------------------------------
    quarter = len(rss) // 4
    assert quarter >= 5, len(rss)
    first, last = statistics.median(rss[:quarter]), statistics.median(rss[-quarter:])
    assert last - first <= MEMORY_GROWTH_BOUND, f"RSS grew {(last - first) / 2**20:.1f} MiB while draining"


def _outage_and_drain(tmp_path: Path, county: CountyProcess):
    """Enroll, cut the cable, queue every visit, run the agent through the outage and the drain."""
    port = int(county.url.rsplit(":", 1)[1])
    with Relay(("127.0.0.1", port)) as relay:
        config = load_config(write_config(tmp_path / "etc", relay.url, retry_cap_s=int(MAX_BACKOFF_S),
                                          beacon_interval_s=BEACON_EVERY_S, read_timeout_s=30.0))
        key = DeviceKey.load_or_create(config.path(config.paths.device_key))
        DataKey.load_or_create(config.path(config.paths.data_key))
        config.data_dir.mkdir(parents=True, exist_ok=True)
        clock = SkippingClock()
        client = CountingClient.from_config(config, key)
        client.enroll(county.token, key.public_key_b64(), config.identity)
        with open_store(config) as store:
            outage = Outage(relay, clock, OUTAGE_S, lambda: store.outbox.status(config.now()))
            client.agent_clock, client.outage_over = clock, lambda: outage.restored_at is not None
            queued = queue_visits(store, config, citizens(CITIZENS), VISITS_EACH)
            clock.hooks.append(outage)
            agent = Agent(config, store.outbox, store.kv, client, clock=clock, sleep=clock.sleep)
            stop = threading.Event()
            thread = threading.Thread(target=agent.run_forever, args=(stop,), name="agent")
            thread.start()
            try:
                rss = _drain(store, config, outage, thread, total=2 * len(queued))
            finally:
                stop.set()
                thread.join(30)
            assert not thread.is_alive()
            return client, outage, queued, store.outbox.status(config.now()), rss


def _drain(store, config, outage: Outage, agent: threading.Thread, total: int, limit_s: float = 720.0) -> list[int]:
    """Wait for every row to be delivered; RSS sampled every 100 rows delivered after the
    outage. Fails with the figures when it does not finish in ``limit_s``."""
    process = psutil.Process()
    samples: list[int] = []
    next_at = 0
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and agent.is_alive():
        delivered = store.outbox.status(config.now()).delivered
        if outage.restored_at is not None and delivered >= next_at:
            samples.append(process.memory_info().rss)
            next_at = delivered + 100
        if delivered >= total:
            return samples
        time.sleep(0.05)
    raise AssertionError(f"{store.outbox.status(config.now())}; agent alive: {agent.is_alive()}; outage over: "
                         f"{outage.restored_at is not None}")
