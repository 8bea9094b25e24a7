"""A process that submits transactions as fast as it can, printing each number only once
``submit`` has returned: the crash test SIGKILLs it at random moments.

Usage: ``python -m tests.kiosk.store.submitter DATA_DIR KEY_FILE``
"""

from __future__ import annotations

import sys
from datetime import datetime

from kiosk.crypto import DataKey
from kiosk.store import open_store
from tests.kiosk.store import citizen


def main() -> None:
    store = open_store(sys.argv[1], DataKey.load_or_create(sys.argv[2]))
    print("ready", flush=True)
    shared = citizen.image(fill=b"\x03", size=50_000)  # in every transaction: stored once
    while True:
        done = store.outbox.submit(citizen.draft(size=40_000, shared=shared), citizen.DEVICE,
                                   datetime.now().astimezone())
        print(done.txn_id, flush=True)


if __name__ == "__main__":
    main()
