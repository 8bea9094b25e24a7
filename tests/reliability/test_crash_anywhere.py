"""Crash anywhere: the UI and the agent SIGKILLed at random moments across 1,000 submissions.

Three real parts, as on a kiosk: the "UI" (``visitor.py``: citizens walked through the
session core, each draft committed to the outbox, each receipt printed on the printer
emulator, ratings queued), the agent (``python -m kiosk.agent_main``, the ``kiosk-agent``
entry) delivering at the same time to the reference county backend on loopback with its
own database. The UI is killed after a random number of its steps (or kills itself right
after a commit, before its receipt prints); the agent at a random request to the backend:
before the backend works on it, after it committed but before the answer leaves, or just
after the answer. Each is restarted until 1,000 receipts have come out of the printer; then
the agent drains the outbox and stops cleanly.

Then: every printed number is at the backend; the backend made each case exactly once
(one 201 per txn_id and rating, one "received" in its history; a repeat got 200 and the same
ack); the local outbox and the backend hold the same transactions, numbered without a gap,
with the same bytes; the ratings queued are at the backend once each.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter

import pytest
from sqlalchemy import select

from kiosk.crypto import DataKey
from kiosk.store import open_store
from kiosk.store.db import reading
from kiosk.store.schema import ratings, sequence, transactions
from tests.reliability.backend import Backend
from tests.reliability.crash_rig import DEVICE_ID, WAIT_S, AgentKeeper, UiRun, enroll, local_rows, write_config

RECEIPTS = 1000
#: The UI is killed after 1..UI_STEPS of its steps (about three per visit).
UI_STEPS = 160


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sigkill_ui_and_agent_across_1000_submissions(tmp_path):
    rng = random.Random(20261123)
    printed: list[str] = []
    rated: list[str] = []
    visits = ui_deaths = 0
    last_steps: Counter[str] = Counter()  # the last line of each life of the UI
    ui: UiRun | None = None
    with Backend(tmp_path, random.Random(rng.random())) as backend:
        config_path = write_config(tmp_path, backend.url)
        enroll(config_path, backend)
        agent = AgentKeeper(config_path, backend, random.Random(rng.random()), tmp_path / "agent.log")
        agent.start()
        try:
            while len(printed) < RECEIPTS:
                assert not agent.failure, agent.failure
                # A quarter of the lives end by their own hand right after a commit (kept, never
                # printed); the others after a random number of steps, a moment later.
                die_after = rng.randint(1, 30) if rng.random() < 0.25 else 0
                ui = UiRun(config_path, visits, die_after, tmp_path / "ui.log")
                steps = 3 * UI_STEPS if die_after else rng.randint(1, UI_STEPS)
                lines: list[str] = []
                while steps and len(printed) < RECEIPTS and (line := ui.next_line()) is not None:
                    lines.append(line)
                    printed += [line[8:]] if line.startswith("receipt ") else []
                    steps -= line != "ready"
                time.sleep(rng.uniform(0, 0.03))  # somewhere in the visit under way
                for line in ui.kill():
                    lines.append(line)
                    printed += [line[8:]] if line.startswith("receipt ") else []
                rated += [line[6:] for line in lines if line.startswith("rated ")]
                visits += lines.count("commit")
                ui_deaths += 1
                last_steps[lines[-1].split(" ")[0] if lines else "-"] += 1

            # Let the agent (no longer killed) drain what is left, then stop it as systemd does.
            agent.killing = False
            backend.recorder.disarm()
            data_dir = tmp_path / "data"
            deadline = time.monotonic() + WAIT_S
            while local_rows(data_dir, "SELECT (SELECT COUNT(*) FROM transactions WHERE state != 'delivered')"
                                       " + (SELECT COUNT(*) FROM ratings WHERE state != 'delivered')")[0][0]:
                assert not agent.failure, agent.failure
                assert time.monotonic() < deadline, "the agent did not drain the outbox"
                time.sleep(0.5)
            assert agent.stop() == 0
        finally:  # a failed run leaves nothing running
            if ui is not None and ui.process.poll() is None:
                ui.process.kill()
                ui.process.wait()
            if agent.process is not None and agent.process.poll() is None:
                agent.stopping = True
                agent.process.kill()
                agent.process.wait()

        exchanges = backend.recorder.exchanges
        kills = backend.recorder.kills
        backend_txns = {txn_id: (sha, ack) for txn_id, sha, ack in
                        backend.rows("SELECT txn_id, body_sha256, ack FROM transactions")}
        received = Counter(txn_id for (txn_id,) in backend.rows("SELECT txn_id FROM history WHERE status = 'received'"))
        backend_ratings = {txn_id: sha for txn_id, sha in backend.rows("SELECT txn_id, body_sha256 FROM ratings")}

    # The run did what it says: many deaths of both, at every phase, over 1,000 receipts.
    assert len(printed) >= RECEIPTS and len(set(printed)) == len(printed)
    assert ui_deaths >= 10 and agent.deaths >= 10, (ui_deaths, agent.deaths)
    assert {kill.killed for kill in kills} == {"before", "after", "late"}

    # Nothing lost: every printed receipt number is a case at the backend.
    assert set(printed) <= set(backend_txns)

    # Nothing made twice: one 201 per txn_id (the repeats got 200), one "received" each.
    answers = [(e.path, e.key, e.status) for e in exchanges if e.method == "POST"
               and e.path in ("/transactions", "/ratings")]
    created = Counter((path, key) for path, key, status in answers if status == 201)
    assert all(count == 1 for count in created.values())
    assert {key for path, key in created if path == "/transactions"} == set(backend_txns)
    assert {key for path, key in created if path == "/ratings"} == {f"rating:{t}" for t in backend_ratings}
    assert set(received.values()) == {1} and set(received) == set(backend_txns)
    # Every answer the agent lived to read was a success (a request cut short by its death,
    # e.g. an upload half sent, may be refused: nobody reads that answer).
    refused = [(e.method, e.path, e.status, e.error) for e in exchanges
               if not e.cut and e.status not in (0, 200, 201, 304)]
    assert not refused
    # A case created while its agent died unanswered was sent again, and answered 200.
    lost_acks = [kill for kill in kills if kill.killed == "after" and kill.path == "/transactions"
                 and kill.status == 201]
    assert lost_acks
    for kill in lost_acks:
        assert (kill.path, kill.key, 200) in answers

    # The outbox and the backend hold the same transactions, gapless, same bytes, same ack.
    with open_store(tmp_path / "data", DataKey.load(tmp_path / "data.key")) as store:
        assert store.integrity_ok()
        with reading(store.engine) as conn:
            rows = conn.execute(select(transactions.c.txn_id, transactions.c.seq, transactions.c.state,
                                       transactions.c.ack).order_by(transactions.c.seq)).all()
            last = conn.execute(select(sequence.c.last)).scalar()
            local_ratings = conn.execute(select(ratings.c.txn_id, ratings.c.state)).all()
        assert [row.seq for row in rows] == list(range(1, len(rows) + 1)) and last == len(rows)
        assert all(row.txn_id.startswith(f"{DEVICE_ID}-") and row.txn_id.endswith(f"-{row.seq:06d}")
                   for row in rows)
        assert {row.state for row in rows} == {"delivered"}
        assert len(rows) > len(printed)  # some were kept whose receipt never came out
        assert {row.txn_id for row in rows} == set(backend_txns)
        for row in rows:
            sha, ack = backend_txns[row.txn_id]
            assert hashlib.sha256(store.outbox.body(row.txn_id)).hexdigest() == sha
            assert row.ack == ack
        # Ratings: each queued one delivered once; each printed "rated" among them.
        assert {r.state for r in local_ratings} == {"delivered"}
        assert {r.txn_id for r in local_ratings} == set(backend_ratings)
        assert set(rated) <= set(backend_ratings) and len(set(rated)) == len(rated)
        for txn_id, sha in backend_ratings.items():
            assert hashlib.sha256(store.outbox.body(f"rating:{txn_id}")).hexdigest() == sha
    print(f"\n{visits} commits begun, {len(rows)} kept, {len(printed)} receipts, {len(local_ratings)} ratings; "
          f"UI killed {ui_deaths}, agent killed {agent.deaths} "
          f"({Counter(kill.killed for kill in kills)}); {len(exchanges)} requests; "
          f"the UI's last steps {dict(last_steps)}")
