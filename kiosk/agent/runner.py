"""The agent's loop: deliver continuously, beacon at start and every interval, obey commands.

At start it fetches the catalog (with its ETag: usually a 304). One thread does everything,
in this order on each turn: a beacon when one is due, the UI's
answers from the spool, an availability sample, one delivery pass. It then sleeps: not at
all when the pass delivered something (more may be due), the back-off when the backend is
away, else a short poll interval (new rows appear in the store at any time). A beacon soon
follows one whose answer brought commands, so their acks do not wait a whole interval.

The clock offset learnt by the client is kept in the store's ``kv`` (:data:`SKEW_KEY`) so a
restarted agent signs with the corrected time from its first request.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.agent.availability import Availability
from kiosk.agent.beacon import BeaconBuilder
from kiosk.agent.commands import CommandRunner
from kiosk.agent.delivery import Deliverer
from kiosk.agent.outbox_port import KeyValues, OutboxPort
from kiosk.agent.spool import CommandSpool
from kiosk.client import ClientError, ClockSkew, CountyClient

log = logging.getLogger(__name__)

SKEW_KEY = "clock.offset_s"
POLL_S = 1.0
TIDY_EVERY_S = 60.0
SAMPLE_EVERY_S = 10.0
ACK_SOON_S = 2.0


def catalog_dir(config: Any) -> Path:
    """Where the fetched catalog is cached: ``{data_dir}/catalog`` (the UI reads it there)."""
    return config.data_dir / "catalog"


class CatalogKeeper:
    """``reload_catalog`` and the beacon's catalog version, through ``kiosk.catalog.loader``."""

    def __init__(self, config: Any, client: CountyClient) -> None:
        from kiosk.catalog.loader import CatalogStore

        shipped = str(config.path(config.paths.catalog_dir)) if config.paths.catalog_dir else None
        self.store = CatalogStore(catalog_dir(config), shipped)
        self.client = client

    def version(self) -> str:
        try:
            return self.store.current().version
        except Exception as err:  # a broken shipped catalog must not stop the beacon
            log.warning("no catalog version: %s", type(err).__name__)
            return "unknown"

    def refresh(self) -> tuple[bool, str]:
        from kiosk.catalog.loader import CatalogError

        try:
            fetched = self.client.get_catalog(self.store.etag)
            if fetched.not_modified:
                return True, f"catalog {self.version()} unchanged"
            catalog = self.store.accept(fetched.payload, fetched.etag)
        except CatalogError as err:
            return False, f"catalog refused, the last good one stays: {str(err)[:300]}"
        except ClientError as err:
            return False, f"catalog not fetched: {str(err)[:300]}"
        return True, f"catalog {catalog.version} accepted ({len(catalog.items)} items)"


class Agent:
    def __init__(self, config: Any, outbox: OutboxPort, kv: KeyValues, client: CountyClient,
                 *, clock: Callable[[], float] = time.time, rng: random.Random | None = None,
                 catalog: CatalogKeeper | None = None, poll_s: float = POLL_S) -> None:
        self.config = config
        self.outbox = outbox
        self.kv = kv
        self.client = client
        self.clock = clock
        self.poll_s = poll_s
        saved = kv.get(SKEW_KEY)
        if isinstance(saved, (int, float)):
            client.offset_s = float(saved)
        self._saved_offset = client.offset_s
        self.catalog = catalog or CatalogKeeper(config, client)
        runtime_dir = config.path(config.paths.runtime_dir)
        self.commands = CommandRunner(kv, CommandSpool(runtime_dir), config.identity, self.catalog.refresh)
        self.availability = Availability(kv, max_gap_s=max(3 * SAMPLE_EVERY_S, 2 * config.agent.beacon_interval_s))
        self.beacons = BeaconBuilder(config, kv, outbox, client, self.catalog.version, self.availability, clock)
        self.deliverer = Deliverer(outbox, client, config.identity.device_id, config.agent.retry_cap_s,
                                   rng=rng, clock=clock)

    # -- the pieces ------------------------------------------------------------------------------
    def sample_availability(self) -> None:
        self.availability.sample(self.clock(), self.beacons.ui_status().state == "serving")

    def save_offset(self) -> None:
        if self.client.offset_s != self._saved_offset:
            self.kv.set(SKEW_KEY, self.client.offset_s)
            self._saved_offset = self.client.offset_s

    def send_beacon(self) -> bool:
        """Build and send one beacon; run the commands of its answer. True when answered."""
        self.commands.poll_spool(self.clock())
        acks = self.commands.pending_acks()
        try:
            beacon = self.beacons.build(acks)
            try:
                reply = self.client.post_beacon(beacon)
            except ClockSkew:  # the same beacon, its sent_at and signature in the corrected time
                reply = self.client.post_beacon(self.beacons.build(acks, seq=beacon.seq))
        except ClientError as err:
            log.warning("beacon not delivered: %s", err)
            return False
        finally:
            self.save_offset()
        self.commands.acks_delivered([ack.command_id for ack in acks])
        self.commands.handle(reply.commands, self.clock())
        return True

    def tidy(self) -> None:
        """Retention: delivered rows lose their personal data and blobs once the grace time
        has passed (default: at once); purged rows go after ``row_days``."""
        now = datetime.fromtimestamp(self.clock(), timezone.utc)
        retention = self.config.retention
        purged = self.outbox.purge(now, retention.delivered_grace_s)
        forgotten = self.outbox.forget(now, retention.row_days)
        if purged or forgotten:
            log.info("retention: %d purged, %d rows forgotten", purged, forgotten)

    def drain(self, max_passes: int = 10_000) -> int:
        """Delivery passes until nothing is due or the backend is away; rows delivered."""
        delivered = 0
        for _ in range(max_passes):
            result = self.deliverer.deliver_due()
            self.save_offset()
            delivered += result.delivered
            if result.backend_away or (result.delivered == 0 and result.dead == 0):
                break
        return delivered

    # -- the two ways to run -----------------------------------------------------------------------
    def run_once(self) -> int:
        """``--once``: drain what can be delivered, send one beacon, and return 0."""
        self.sample_availability()
        delivered = self.drain()
        self.tidy()
        self.send_beacon()
        log.info("once: %d delivered", delivered)
        return 0

    def run_forever(self, stop: threading.Event) -> None:
        ok, message = self._guarded(self.catalog.refresh) or (False, "failed")
        log.info("catalog at start: %s", message)
        next_beacon = 0.0
        next_sample = 0.0
        next_tidy = 0.0
        while not stop.is_set():
            now = self.clock()
            if now >= next_tidy:
                self._guarded(self.tidy)
                next_tidy = now + TIDY_EVERY_S
            if now >= next_sample:
                self._guarded(self.sample_availability)
                next_sample = now + SAMPLE_EVERY_S
            if now >= next_beacon:
                self._guarded(self.send_beacon)
                soon = self.commands.has_work()
                interval = self.config.agent.beacon_interval_s
                next_beacon = self.clock() + (min(interval, ACK_SOON_S) if soon else interval)
            self._guarded(lambda: self.commands.poll_spool(self.clock()))
            result = self._guarded(self.deliverer.deliver_due)
            self._guarded(self.save_offset)
            if result is None:
                wait = self.poll_s
            elif result.backend_away:
                wait = result.wait_s or self.poll_s
            elif result.delivered or result.dead:
                wait = 0.0
                next_tidy = min(next_tidy, self.clock() + self.config.retention.delivered_grace_s)
            else:
                wait = self.poll_s
            wait = max(0.0, min(wait, next_beacon - self.clock(), next_sample - self.clock()))
            stop.wait(wait)

    def _guarded(self, action: Callable[[], Any]) -> Any:
        """One failing turn (a locked database, a full disk) is logged, and the loop goes on."""
        try:
            return action()
        except Exception:
            log.exception("agent turn failed")
            return None
