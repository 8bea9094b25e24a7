"""The agent's loop: deliver continuously, beacon at start and every interval, obey commands.

At start, and then every :data:`CATALOG_EVERY_BEACONS` beacon intervals, it asks for the
catalog with its ETag (a conditional GET: usually a 304). A newly accepted catalog is
written to the cache (``kiosk.wiring.catalog_store``) and announced to the UI by rewriting
``{runtime_dir}/catalog-changed`` (:data:`CATALOG_MARKER`, JSON ``{"version", "etag",
"changed_at"}``): the UI watches that file (its mtime or content) and reloads its
``CatalogStore``.

One thread does everything, in this order on each turn: a beacon when one is due, the
catalog poll when due, the UI's answers from the spool, an availability sample, one delivery
pass. It then sleeps: not at all when the pass delivered something (more may be due), until
the delivery floor passes when the backend is away (``Retry-After`` or the back-off; beacons
keep their own schedule meanwhile), else a short poll interval (new rows appear in the store
at any time). A beacon soon follows one whose answer brought commands, so their acks do not
wait a whole interval. The stop event is checked between any two requests.

Under systemd (``Type=notify``) the loop says ``READY=1`` as it starts and pings the
watchdog on every turn and between two requests of a delivery pass (:mod:`kiosk.notify`),
so a loop that stops turning is restarted.

The clock offset learnt by the client (and the error of the ``Date`` header on its path) is
kept in the store's ``kv`` (:data:`SKEW_KEY`, :data:`DATE_BIAS_KEY`) so a restarted agent
signs with the corrected time from its first request.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from kiosk import notify
from kiosk.agent.availability import Availability
from kiosk.agent.beacon import BeaconBuilder
from kiosk.agent.commands import CommandRunner
from kiosk.agent.delivery import CONFIRMED_PREFIX, Deliverer
from kiosk.agent.outbox_port import KeyValues, OutboxPort
from kiosk.agent.spool import CommandSpool
from kiosk.client import ClientError, ClockSkew, CountyClient
from kiosk.fileio import atomic_write

log = logging.getLogger(__name__)

SKEW_KEY = "clock.offset_s"
DATE_BIAS_KEY = "clock.date_bias_s"
POLL_S = 1.0
TIDY_EVERY_S = 60.0
SAMPLE_EVERY_S = 10.0
ACK_SOON_S = 2.0
#: The catalog is asked for (conditional GET) once every this many beacon intervals.
CATALOG_EVERY_BEACONS = 1
#: Rewritten in ``paths.runtime_dir`` whenever a new catalog has been accepted.
CATALOG_MARKER = "catalog-changed"


class CatalogKeeper:
    """The catalog poll, ``reload_catalog`` and the beacon's catalog version.

    The cache is where ``kiosk.wiring.catalog_store`` says (one place for the UI and the
    agent); after a new catalog is accepted the marker file tells the UI."""

    def __init__(self, config: Any, client: CountyClient) -> None:
        from kiosk.wiring import catalog_store, runtime_dir

        self.store = catalog_store(config)
        self.marker = runtime_dir(config) / CATALOG_MARKER
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
        self._announce(catalog.version)
        return True, f"catalog {catalog.version} accepted ({len(catalog.items)} items)"

    def _announce(self, version: str) -> None:
        """Tell the UI (it watches the marker) that a new catalog is in the cache."""
        try:
            self.marker.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.marker, json.dumps({
                "version": version, "etag": self.store.etag,
                "changed_at": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
            }, ensure_ascii=False).encode("utf-8"), mode=0o644)
        except OSError as err:
            log.warning("catalog marker %s not written: %s", self.marker, type(err).__name__)


class _Alive:
    """The stop event as a delivery pass sees it: each check, made between two requests, is
    also a sign of life for systemd's watchdog (a pass of many slow uploads is not a hang)."""

    def __init__(self, stop: threading.Event, watchdog: notify.Watchdog) -> None:
        self.stop, self.watchdog = stop, watchdog

    def is_set(self) -> bool:
        self.watchdog.beat()
        return self.stop.is_set()


class Agent:
    def __init__(self, config: Any, outbox: OutboxPort, kv: KeyValues, client: CountyClient,
                 *, clock: Callable[[], float] = time.time, rng: random.Random | None = None,
                 catalog: CatalogKeeper | None = None, poll_s: float = POLL_S,
                 sleep: Callable[[threading.Event, float], Any] | None = None) -> None:
        self.config = config
        # how the loop waits ``seconds`` of ``clock`` time, waking at once on stop (tests scale it)
        self.sleep = sleep or (lambda stop, seconds: stop.wait(seconds))
        self.outbox = outbox
        self.kv = kv
        self.client = client
        self.clock = clock
        self.poll_s = poll_s
        saved = kv.get(SKEW_KEY)
        if isinstance(saved, (int, float)):
            client.offset_s = float(saved)
        bias = kv.get(DATE_BIAS_KEY)
        if isinstance(bias, (int, float)):
            client.date_bias_s = float(bias)
        self._saved_offset = (client.offset_s, client.date_bias_s)
        self.catalog = catalog or CatalogKeeper(config, client)
        runtime_dir = config.path(config.paths.runtime_dir)
        self.commands = CommandRunner(kv, CommandSpool(runtime_dir), config.identity, self.catalog.refresh)
        self.availability = Availability(kv, max_gap_s=max(3 * SAMPLE_EVERY_S, 2 * config.agent.beacon_interval_s))
        self.beacons = BeaconBuilder(config, kv, outbox, client, self.catalog.version, self.availability, clock)
        self.deliverer = Deliverer(outbox, client, config.identity.device_id, config.agent.retry_cap_s,
                                   rng=rng, clock=clock, kv=kv)
        self.beacon_failures = 0  # beacons not delivered since the last one that was

    # -- the pieces ------------------------------------------------------------------------------
    def sample_availability(self) -> None:
        self.availability.sample(self.clock(), self.beacons.ui_status().state == "serving")

    def save_offset(self) -> None:
        now = (self.client.offset_s, self.client.date_bias_s)
        if now != self._saved_offset:
            self.kv.set(SKEW_KEY, self.client.offset_s)
            self.kv.set(DATE_BIAS_KEY, self.client.date_bias_s)
            self._saved_offset = now

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
        except ClientError as err:  # logged once as a warning, not once a minute through an outage
            self.beacon_failures += 1
            log.log(logging.WARNING if self.beacon_failures == 1 else logging.DEBUG,
                    "beacon not delivered: %s", err)
            return False
        finally:
            self.save_offset()
        if self.beacon_failures:
            log.info("beacon delivered again after %d failed", self.beacon_failures)
            self.beacon_failures = 0
        self.deliverer.backend_answered()
        self.commands.acks_delivered([ack.command_id for ack in acks])
        self.commands.handle_raw(reply.commands, self.clock())
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
        self._forget_stray_confirmations()

    def _forget_stray_confirmations(self) -> None:
        """Blob confirmations of transactions no longer pending (discarded, forgotten)."""
        items, delete = getattr(self.kv, "items", None), getattr(self.kv, "delete", None)
        state_of = getattr(self.outbox, "state_of", None)
        if items is None or delete is None or state_of is None:
            return
        for key in items(CONFIRMED_PREFIX):
            if state_of(key.removeprefix(CONFIRMED_PREFIX)) != "pending":
                delete(key)

    def drain(self, stop: threading.Event | None = None, max_passes: int = 10_000) -> int:
        """Delivery passes until nothing is due, the backend is away, or ``stop``; rows delivered."""
        delivered = 0
        for _ in range(max_passes):
            if stop is not None and stop.is_set():
                break
            result = self.deliverer.deliver_due(stop=stop)
            self.save_offset()
            delivered += result.delivered
            if result.stopped or result.backend_away or (result.delivered == 0 and result.dead == 0):
                break
        return delivered

    # -- the two ways to run -----------------------------------------------------------------------
    def run_once(self, stop: threading.Event | None = None) -> int:
        """``--once``: drain what can be delivered, send one beacon, and return 0.

        ``stop`` (SIGTERM) ends it after the request in flight, without the beacon."""
        stop = stop or threading.Event()
        self.sample_availability()
        delivered = self.drain(stop)
        if stop.is_set():
            log.info("once: stopped, %d delivered", delivered)
            return 0
        self.tidy()
        self.send_beacon()
        log.info("once: %d delivered", delivered)
        return 0

    def run_forever(self, stop: threading.Event) -> None:
        alive = notify.Watchdog()  # systemd's watchdog: pinged from this loop only
        notify.ready(status=f"agent for {self.config.identity.device_id}")
        ok, message = self._guarded(self.catalog.refresh) or (False, "failed")
        log.info("catalog at start: %s", message)
        catalog_every = self.config.agent.beacon_interval_s * CATALOG_EVERY_BEACONS
        next_catalog = self.clock() + catalog_every
        next_beacon = 0.0
        next_sample = 0.0
        next_tidy = 0.0
        while not stop.is_set():
            alive.beat()
            now = self.clock()
            if now >= next_tidy:
                self._guarded(self.tidy)
                next_tidy = now + TIDY_EVERY_S
            if now >= next_sample:
                self._guarded(self.sample_availability)
                next_sample = now + SAMPLE_EVERY_S
            if now >= next_beacon and not stop.is_set():
                self._guarded(self.send_beacon)
                soon = self.commands.has_work()
                interval = self.config.agent.beacon_interval_s
                next_beacon = self.clock() + (min(interval, ACK_SOON_S) if soon else interval)
            if now >= next_catalog and not stop.is_set():
                if self.deliverer.floor_wait() > 0:  # the backend asked for quiet: ask later
                    next_catalog = now + self.deliverer.floor_wait()
                else:
                    polled = self._guarded(self.catalog.refresh)
                    if polled is not None:
                        log.log(logging.DEBUG if polled[1].endswith("unchanged") else logging.INFO,
                                "catalog poll: %s", polled[1])
                    next_catalog = self.clock() + catalog_every
            self._guarded(lambda: self.commands.poll_spool(self.clock()))
            result = self._guarded(lambda: self.deliverer.deliver_due(stop=_Alive(stop, alive)))
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
            wait = max(0.0, min(wait, next_beacon - self.clock(), next_sample - self.clock(),
                                next_catalog - self.clock()))
            self.sleep(stop, wait)
        notify.stopping()

    def _guarded(self, action: Callable[[], Any]) -> Any:
        """One failing turn (a locked database, a full disk) is logged, and the loop goes on."""
        try:
            return action()
        except Exception:
            log.exception("agent turn failed")
            return None
