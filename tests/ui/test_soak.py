"""Soak: 2,000 scripted citizen visits to the simulated kiosk with RSS, open files, threads
and live objects flat.

What runs, and why so (measured on the 2-core CI machine, with other tests running): a
visit tapped through the screens takes 10 to 20 s, and even a visit scripted through the
mounted app (``tests.ui.scripted``) 0.5 to 1 s, half of it the full garbage collection the
app makes after each visit (``KioskApp._settle_memory``): 2,000 of either do not fit the
CI budget. So the 2,000 visits drive the kiosk's services at the boundary the screens use,
without the screens: the real ``Services`` (as ``KioskApp`` gets them), the real session,
the real store (sealed, fsynced), every device emulated behind the real drivers (the card
read over the reader's pty, the receipt printed over the printer's), and the busy states
carried out by the app's own handlers (``ACTION_HANDLERS``: the outbox commit and the
receipt in worker threads, results on Kivy's clock), the rating queued by the rating
screen's ``queue_rating``, the heartbeat, spool and network check the app schedules. The
screens themselves are soaked by ``test_isolation_many.py`` (200 visits in the mounted app,
its widgets, objects, RSS, files and threads sampled the same way). The agent is not run:
delivering 2,000 transactions with their pictures to the loopback county would double the
time (``tests/reliability`` covers delivery).

Visits vary as there: completed, cancelled or timed out at a random step, ineligible.
Every 50 visits RSS, open file descriptors, Python and OS threads and gc objects are
sampled; the median of the last 10 samples must not exceed the median of the 10 after the
warm-up (200 visits) by more than a generous bound. Nothing is timed.
"""

from __future__ import annotations

import random
import time

import pytest
from kivy.clock import Clock

from kiosk.catalog.loader import load_shipped
from kiosk.session import BUSY, State
from kiosk.store import open_store
from kiosk.ui.screens import confirm, receipt  # noqa: F401  (register their ACTION_HANDLERS)
from kiosk.ui.devices import DeviceHub
from kiosk.ui.screens.rating import queue_rating
from kiosk.ui.services import Services
from tests.support.logs import records_not_kept
from tests.ui.conftest import FakeClock, ui_config
from tests.ui.sampling import Samples
from tests.ui.scripted import (CANCELLED, COMPLETED, IDLE, INELIGIBLE, ITEM, STOPS, form_values,
                               shared_pictures, take_pages)
from tests.ui.store_rows import counts
from tests.ui.test_visit_privacy import fresh_citizen

VISITS = 2000
SAMPLE_EVERY = 50
TIMEOUT = 60  # generous: never a measure of speed


class ServicesVisit:
    """One visit given to the session as the screens give it; the busy states performed
    as ``KioskApp`` performs them (on the next clock tick)."""

    def __init__(self, services: Services, clock: FakeClock) -> None:
        self.services, self.clock = services, clock
        self.session = services.session
        self.rig = services.devices.rig
        self.item = next(i for i in services.catalog.items if i.code == ITEM)
        self.session.subscribe(self._changed)
        services.devices.bind(on_card=lambda _hub, card: self._card(card))

    def _changed(self, change) -> None:
        if change.new in BUSY:
            action = self.session.action
            Clock.schedule_once(lambda dt: self._perform(action), 0)

    def _perform(self, action) -> None:
        if self.session.action is action:
            assert self.services.perform(action), f"no handler for {type(action).__name__}"

    def _card(self, card) -> None:  # as the identify screen does
        if self.session.state is State.IDENTIFY:
            self.session.identified_by_card(card)

    def wait(self, *states: State) -> None:
        deadline = time.monotonic() + TIMEOUT
        while self.session.state not in states:
            assert time.monotonic() < deadline, f"stuck in {self.session.state.value}"
            Clock.tick()
            time.sleep(0.001)

    def run(self, card, end: str, stop: State) -> str:
        session = self.session
        session.choose(self.item)
        session.start()
        self.rig.idcard_emu.place(card)
        del card
        self.wait(State.FACE, State.INELIGIBLE)
        self.rig.idcard_emu.lift()
        if session.state is State.INELIGIBLE:
            assert end == INELIGIBLE
            session.cancel()
            return ""
        steps = {State.FACE: lambda: session.face_taken(shared_pictures("face")),
                 State.FORM: lambda: session.form_submitted(form_values(session, "13800138000")),
                 State.MATERIALS: lambda: take_pages(session, shared_pictures),
                 State.SIGNATURE: lambda: session.signed(shared_pictures("signature"))}
        while session.state is not State.CONFIRM and not (end != COMPLETED and session.state is stop):
            steps[session.state]()
        if end == CANCELLED:
            session.cancel()
            return ""
        if end == IDLE:
            self.clock.advance(session.idle_timeout_s + 1)
            session.tick()
            assert session.state is State.IDLE_WARNING
            self.clock.advance(600)
            session.tick()
            self.wait(State.HOME)
            return ""
        session.confirm(True)
        self.wait(State.RATING, State.HOME)
        txn_id = session.txn_id or ""
        if session.state is State.RATING:
            queue_rating(self.services, session.rate(5))
        self.wait(State.HOME)
        return txn_id


@pytest.fixture
def services(tmp_path):
    """The kiosk's services as ``KioskApp`` gets them, on the simulation rig, started."""
    max_fps, Clock._max_fps = Clock._max_fps, 0.0  # a tick does not wait for the next frame
    config = ui_config(tmp_path)
    config.data_dir.mkdir(parents=True)
    store = open_store(config.data_dir, config.path(config.paths.data_key), create_key=True)
    clock = FakeClock()
    services = Services(config, DeviceHub.simulated(), catalog=load_shipped(), store=store, monotonic=clock)
    services.start()
    yield services, clock
    services.stop()
    Clock._max_fps = max_fps


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_2000_visits_keep_memory_files_and_threads_flat(services):
    services, clock = services
    rng = random.Random(2000)
    visit = ServicesVisit(services, clock)
    rig = services.devices.rig
    deadline = time.monotonic() + TIMEOUT
    while not all(services.devices.available(d) for d in ("idcard", "printer", "camera")):
        assert time.monotonic() < deadline, "the emulated devices did not come online"
        Clock.tick()
        time.sleep(0.01)
    samples, completed = Samples(), 0
    deadline = time.monotonic()
    with records_not_kept():  # pytest would keep every record of 2,000 visits: its growth, not ours
        for number in range(1, VISITS + 1):
            end = rng.choices([COMPLETED, CANCELLED, IDLE, INELIGIBLE], weights=[40, 25, 20, 15])[0]
            card, _phone = fresh_citizen(seed=rng.randrange(2**32), age=70 if end == INELIGIBLE else 85)
            txn_id = visit.run(card, end, rng.choice(STOPS))
            del card
            assert services.session.state is State.HOME, number
            completed += bool(txn_id)
            assert bool(txn_id) == (end == COMPLETED), number
            if txn_id:  # the receipt, cut (the emulator reads the pty in its own thread)
                assert rig.printer_emu.wait_for_cuts(1, timeout=TIMEOUT).cuts, number
            services.write_heartbeat()  # what the app's schedules do meanwhile
            services.poll_spool()
            if number % 10 == 0:
                services.check_network()
            rig.printer_emu.clear()  # the paper left with the citizen (the device's side)
            rig.idcard_emu.received.clear()
            if number % SAMPLE_EVERY == 0:
                samples.take()
    while counts(services.store)["ratings"] < completed and time.monotonic() < deadline + TIMEOUT:
        Clock.tick()  # the last rating's worker
        time.sleep(0.01)
    rows = counts(services.store)
    assert rows["transactions"] == completed == rows["ratings"]
    growth = samples.growth({"rss_mb": 40, "gc_objects": 20_000, "fds": 3, "threads": 2,
                             "os_threads": 2}, warm_up=4, size=10)
    assert growth == [], samples.summary(["rss_mb", "gc_objects", "fds", "threads", "os_threads"])
