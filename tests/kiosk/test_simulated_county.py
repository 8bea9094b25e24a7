"""`kiosk --simulate`'s county side: the reference backend on loopback, the machine
enrolled with it, and the agent thread delivering what the UI queues."""

import time

from sqlalchemy import text

from kiosk.catalog.loader import load_shipped
from kiosk.session import Session
from kiosk.simulation.citizen import walk_visit
from kiosk.simulation.county import SimulatedCounty
from kiosk.ui.services import simulation_config
from kiosk.wiring import open_store


def test_a_queued_visit_reaches_the_loopback_county(tmp_path):
    sim = SimulatedCounty(tmp_path)
    config = sim.start(lambda url: simulation_config(tmp_path, url))
    try:
        assert config.backend.url.host == "127.0.0.1"
        item = load_shipped().get("zz-fwzlba")
        with open_store(config) as store:
            def submit(draft):
                done = store.outbox.submit(draft, config.identity.device_id, config.now())
                return done.txn_id, done.accepted_at, False

            txn_id = walk_visit(Session(settings=config.session), item, submit)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and store.outbox.status(config.now()).pending:
                time.sleep(0.2)
            assert store.outbox.status(config.now()).pending == 0
        with sim.county.database.engine.connect() as conn:
            found = conn.execute(text("SELECT count(*) FROM transactions WHERE txn_id = :t"), {"t": txn_id}).scalar()
        assert found == 1
    finally:
        sim.stop()
