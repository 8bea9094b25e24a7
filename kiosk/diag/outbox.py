"""``kiosk-diag outbox``: queue sample transactions as the UI would, and show the backlog.

``enqueue-sample`` walks N visits through the real session (sample card, form, material
photos, signature, rating) and submits each draft to the outbox exactly as the UI does,
so that delivery can be tested on a machine without a citizen in front of it.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from kiosk.diag.output import DiagError, emit

#: The item sample visits apply for: it has a form, materials and a signature.
SAMPLE_ITEM = "zz-fwzlba"


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("outbox", help="the queue of transactions waiting for the county")
    sub = group.add_subparsers(dest="command", required=True, metavar="COMMAND")
    enqueue = sub.add_parser("enqueue-sample", help="queue N sample transactions as the UI would")
    enqueue.add_argument("--config", required=True, help="the kiosk's config file")
    enqueue.add_argument("--count", type=int, default=1, help="how many (1-10000)")
    enqueue.add_argument("--item", default=SAMPLE_ITEM, help="catalog item code")
    enqueue.add_argument("--json", action="store_true", help="print JSON")
    enqueue.set_defaults(func=enqueue_sample)
    status = sub.add_parser("status", help="pending, delivered, dead letters, oldest pending age")
    status.add_argument("--config", required=True, help="the kiosk's config file")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=show_status)


def _config(path: str):
    from kiosk.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as err:
        raise DiagError(str(err), exit_code=2) from None


def enqueue_sample(args: argparse.Namespace) -> int:
    from kiosk import wiring
    from kiosk.session import Session
    from kiosk.simulation.citizen import walk_visit

    if not 1 <= args.count <= 10000:
        raise DiagError("--count must be between 1 and 10000", exit_code=2)
    config = _config(args.config)
    item = wiring.catalog_store(config).current().get(args.item)
    if item is None:
        raise DiagError(f"no catalog item {args.item}")
    device_id = config.identity.device_id
    numbers: list[str] = []
    with wiring.open_store(config) as store:
        def submit(draft: Any) -> tuple[str, datetime, bool]:
            done = store.outbox.submit(draft, device_id, config.now())
            return done.txn_id, done.accepted_at, False

        session = Session(settings=config.session)
        for _ in range(args.count):
            numbers.append(walk_visit(session, item, submit, queue_rating=store.outbox.add_rating))
        status = store.outbox.status(datetime.now().astimezone())
    emit({"queued": len(numbers), "txn_ids": numbers, "pending": status.pending}, args.json)
    return 0


def show_status(args: argparse.Namespace) -> int:
    from kiosk import wiring

    config = _config(args.config)
    with wiring.open_store(config) as store:
        status = store.outbox.status(datetime.now().astimezone())
        dead = [{"key": d.key, "code": d.code} for d in store.outbox.dead_letters()]
    emit({"pending": status.pending, "delivered": status.delivered, "dead": status.dead,
          "discarded": status.discarded, "oldest_pending_age_s": status.oldest_pending_age_s,
          "dead_letters": dead}, args.json)
    return 0
