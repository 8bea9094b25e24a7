"""What the long-outage test is built from: a clock that skips waits, a backlog of citizens'
visits queued through the real store, and the county database read back.

- :class:`SkippingClock`: real time plus every wait the agent asked for (its ``sleep``
  returns at once), so a day of back-off passes in seconds while requests still take the
  time they take. The agent's back-off, floor, beacons, sampling and the store's
  ``next_attempt`` times all run on it; the county and the request signatures stay on the
  real clock (they never see the agent's waits).
- :func:`citizens`: made-up resident cards (valid GB 11643 numbers), old and young.
- :func:`queue_visits`: each visit walked through the real session
  (:func:`kiosk.simulation.citizen.walk_visit`), submitted to the real outbox, its rating
  queued as the UI queues it.
- :func:`county_rows`: what the county database holds, per transaction and per rating.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from drivers.idcard import samples
from drivers.idcard.codes import check_digit


class SkippingClock:
    """``time.time()`` plus the seconds skipped; ``sleep(stop, s)`` skips instead of waiting."""

    def __init__(self) -> None:
        self.skipped = 0.0
        self._lock = threading.Lock()
        self.hooks: list[Any] = []  # hook(clock, seconds) after every sleep (in the agent's thread)

    def __call__(self) -> float:
        return time.time() + self.skipped

    def sleep(self, stop: threading.Event, seconds: float) -> bool:
        if seconds > 0:
            with self._lock:
                self.skipped += seconds
        else:
            time.sleep(0)  # let the other threads run
        for hook in self.hooks:
            hook(self, seconds)
        return stop.is_set()


def _card(base: Any, n: int, birth: date, region: str) -> Any:
    first17 = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return dataclasses.replace(base, id_number=first17 + check_digit(first17), birth=birth,
                               name=base.name[0] + "测" + "一二三四五六七八九十"[n % 10],
                               photo=samples.fake_blob(first17, samples.PHOTO_SIZE))


def citizens(count: int) -> list[Any]:
    """``count`` made-up residents: every other one over 80 (for 老年人优待证), the rest 35."""
    people = []
    for n in range(count):
        if n % 2:
            people.append(_card(samples.ZHANG_GUIYING, n, date(1940, 1, 1 + n % 28), "410103"))
        else:
            people.append(_card(samples.LI_XIAOMING, n, date(1990, 3, 1 + n % 28), "110105"))
    return people


#: Items a scripted visit can walk: (code, who may apply: "old", "any").
ITEMS = (("zz-yysmdb", "any"), ("zz-jysydj", "any"), ("zz-ydjyba", "any"), ("zz-lnrydz", "old"))


def visits(people: list[Any], per_citizen: int) -> Iterator[tuple[int, Any, str]]:
    """(citizen index, card, item code) in the order the citizens come: round and round, so one
    citizen's visits are interleaved with everybody else's."""
    for round_ in range(per_citizen):
        for index, card in enumerate(people):
            old = card.birth.year < 1950
            choices = [code for code, who in ITEMS if who == "any" or old]
            yield index, card, choices[(index + round_) % len(choices)]


@dataclass
class Queued:
    txn_id: str
    citizen: int
    rated: bool


def queue_visits(store: Any, config: Any, people: list[Any], per_citizen: int, rate_every: int = 1) -> list[Queued]:
    """Walk and submit every visit (each ``rate_every``-th one rated); the queue in order."""
    from kiosk.catalog.loader import load_shipped
    from kiosk.session import Session
    from kiosk.simulation.citizen import walk_visit

    catalog = load_shipped()
    device_id = config.identity.device_id
    queued: list[Queued] = []

    def submit(draft: Any) -> tuple[str, datetime, bool]:
        done = store.outbox.submit(draft, device_id, datetime.now(timezone.utc).astimezone())
        return done.txn_id, done.accepted_at, False

    for n, (index, card, code) in enumerate(visits(people, per_citizen)):
        rate = n % rate_every == 0
        txn_id = walk_visit(Session(settings=config.session), catalog.get(code), submit, card=card,
                            rating=4 + n % 2 if rate else None,
                            queue_rating=store.outbox.add_rating if rate else None)
        queued.append(Queued(txn_id, index, rate))
    return queued


@dataclass(frozen=True)
class CountyRow:
    key: str  # txn_id, or rating:{txn_id}
    order: int  # the order the county stored it in (SQLite rowid of its table)
    at: float  # the county's clock when it stored it
    id_key: str | None  # the county's pseudonym of the applicant (transactions only)


def county_rows(db_path: Path) -> tuple[list[CountyRow], list[CountyRow]]:
    """(transactions, ratings) as the county database holds them, each in stored order."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        txns = [CountyRow(txn_id, rowid, at, id_key) for rowid, txn_id, at, id_key in conn.execute(
            "SELECT rowid, txn_id, accepted_at, id_key FROM transactions ORDER BY rowid")]
        ratings = [CountyRow("rating:" + txn_id, rowid, at, None) for rowid, txn_id, at in conn.execute(
            "SELECT rowid, txn_id, received_at FROM ratings ORDER BY rowid")]
    finally:
        conn.close()
    return txns, ratings
