"""The "UI" of the crash test: citizens walked through the real session, one after another,
each submission committed and each receipt printed as the kiosk's UI does it.

What it shares with the UI (``kiosk/ui/screens/confirm.py``, ``receipt.py``, ``rating.py``):
the store opened through ``kiosk.wiring``, ``Outbox.submit(draft, device_id, config.now())``
then ``Session.submitted(..., delivered=False)``, the ``PrintReceipt`` action carried out by
the receipt printer driver (here on the printer emulator's pty) while the session waits in
RECEIPT, then the rating queued with ``Outbox.add_rating``. Every ``IDCARD_EVERY``-th visit
reads its ID card through the reader driver from the card reader emulator on a pty.

It prints, flushed, one line per step, so the test can kill it at a chosen point:
``ready``, ``commit`` (about to submit), ``receipt TXN`` (the receipt came out of the
printer), ``rated TXN`` (the rating is queued). Nothing personal is printed.

Usage: ``python -m tests.reliability.visitor CONFIG FIRST_VISIT``
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

from drivers.idcard import samples
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.reader import IdCardReader
from drivers.printer import PAPER_80, ReceiptPrinter
from drivers.printer.emulator import PrinterEmulator
from kiosk import wiring
from kiosk.agent.identity_override import effective_identity
from kiosk.config import load_config
from kiosk.receipts import acceptance_receipt, local_time, promised_date
from kiosk.session import PrintReceipt, Session, State
from kiosk.simulation.citizen import walk_visit

#: Cheap items first (no photos, or a face only); every fourth visit hands in ten pages of a lease.
ITEMS = ("zz-yysmdb", "zz-ydjyba", "zz-jysydj", "zz-fwzlba")
CARDS = (samples.LI_XIAOMING, samples.WANG_JI, samples.AYGUL)
IDCARD_EVERY = 5
#: Every this many receipts, the printout is read back from the emulator and checked.
READ_BACK_EVERY = 10


def say(line: str) -> None:
    print(line, flush=True)


class ReceiptDesk:
    """Carries out ``PrintReceipt`` the moment the session enters RECEIPT, as the UI does."""

    def __init__(self, session: Session, printer: ReceiptPrinter, emulator: PrinterEmulator,
                 identity: Any) -> None:
        self.session, self.printer, self.emulator, self.identity = session, printer, emulator, identity
        self.printed = 0
        self.failure: BaseException | None = None
        session.subscribe(self.changed)

    def changed(self, change: Any) -> None:
        if change.new is not State.RECEIPT:
            return
        try:
            self.print_receipt(self.session.action)
        except BaseException as err:  # the session swallows listener errors: kept for the loop
            self.failure = err

    def print_receipt(self, action: PrintReceipt) -> None:
        limit = action.item.guide.time_limit
        accepted = local_time(action.accepted_at)
        doc = acceptance_receipt(action.txn_id, action.item, action.applicant_name,
                                 action.applicant_id_number, action.accepted_at,
                                 promised_date(accepted.date(), limit.promised_days, limit.unit),
                                 self.identity, action.delivered)
        self.printer.print_document(doc)
        self.printed += 1
        if self.printed % READ_BACK_EVERY == 0:
            printout = self.emulator.wait_for_cuts(1, timeout=10)
            if action.txn_id not in printout.qr_codes:
                raise RuntimeError("the receipt's QR code does not carry its number")
        self.emulator.clear()
        say(f"receipt {action.txn_id}")


def main() -> None:
    config = load_config(sys.argv[1])
    first = int(sys.argv[2])
    die_after = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    commits = 0
    device_id = config.identity.device_id
    store = wiring.open_store(config)
    catalog = wiring.catalog_store(config).current()
    items = [catalog.get(code) for code in ITEMS]
    ports = config.path(config.paths.runtime_dir) / f"visitor-{os.getpid()}"  # a killed life leaves its links
    ports.mkdir(parents=True)
    card_emu = IdCardEmulator(str(ports / "idcard")).start()
    printer_emu = PrinterEmulator(str(ports / "printer")).start()
    reader = IdCardReader(card_emu.path)
    printer = ReceiptPrinter.serial(printer_emu.path, profile=PAPER_80).start()
    session = Session(settings=config.session)
    desk = ReceiptDesk(session, printer, printer_emu, effective_identity(config.identity, store.kv))

    def submit(draft: Any) -> tuple[str, Any, bool]:
        say("commit")
        nonlocal commits
        done = store.outbox.submit(draft, device_id, config.now())
        commits += 1
        if commits == die_after:
            os.kill(os.getpid(), signal.SIGKILL)
        return done.txn_id, done.accepted_at, False

    def queue_rating(rating: Any) -> None:
        store.outbox.add_rating(rating)
        say(f"rated {rating.txn_id}")

    deadline = time.monotonic() + 30
    while not printer.connected:
        if time.monotonic() > deadline:
            raise RuntimeError("the printer emulator did not answer")
        time.sleep(0.01)
    say("ready")
    visit = first
    while True:
        card = CARDS[visit % len(CARDS)]
        if visit % IDCARD_EVERY == 0:
            card_emu.place(card)
            card = reader.read_once(timeout=10)
            card_emu.lift()
        item = items[visit % len(items)]
        rating = None if visit % 7 == 3 else 1 + visit % 5  # some citizens do not rate
        walk_visit(session, item, submit, card=card, rating=rating, queue_rating=queue_rating)
        if desk.failure is not None:
            raise desk.failure
        visit += 1


if __name__ == "__main__":
    main()
