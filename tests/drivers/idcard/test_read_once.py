"""``read_once``, the one-shot read kiosk-diag uses: a card already lying there or placed
later, with or without the poll thread, line noise before every reply costing no reply
timeout, and each failure raised as its typed error within the timeout."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.errors import DeviceNotFound, DeviceTimeout
from drivers.idcard import protocol as p
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.errors import BrokenLine, CardReadError, NoCard, SamError
from drivers.idcard.reader import IdCardReader
from drivers.idcard.samples import SAMPLES
from tests.waiting import wait_for

from .helpers import FAST, SLOW, Events


def test_read_once_placed_card(emulator: IdCardEmulator) -> None:
    emulator.place(SAMPLES["foreign_2023"])
    drv = IdCardReader(emulator.path, timeouts=FAST)
    assert drv.read_once(timeout=2) == SAMPLES["foreign_2023"]
    assert drv.sam_id == emulator.sam_id
    assert drv.read_once(timeout=2) == SAMPLES["foreign_2023"]  # left there: select and re-read


def test_read_once_while_the_poll_thread_runs(reader: IdCardReader, emulator: IdCardEmulator,
                                              events: Events) -> None:
    emulator.place(SAMPLES["long_term"])
    assert wait_for(lambda: events.kinds() == ["card"])
    assert reader.read_once(timeout=2) == SAMPLES["long_term"]


def test_read_once_card_placed_later(emulator: IdCardEmulator) -> None:
    timer = threading.Timer(0.3, emulator.place, (SAMPLES["hmt"],))
    timer.start()
    try:
        assert IdCardReader(emulator.path, timeouts=FAST).read_once(timeout=3) == SAMPLES["hmt"]
    finally:
        timer.cancel()


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (lambda e: None, NoCard),
        (lambda e: setattr(e, "silent", True), DeviceTimeout),
        (lambda e: e.unplug(), DeviceNotFound),
        (lambda e: e.corrupt_next("checksum", 10), BrokenLine),
        (lambda e: setattr(e, "sam_fault", 0x60), SamError),
        (lambda e: (e.place(SAMPLES["resident"]), e.fail_next(p.READ_TEXT_PHOTO, 0x41, 100)), CardReadError),
    ],
)
def test_read_once_failures_within_the_timeout(emulator: IdCardEmulator, setup, error: type) -> None:
    setup(emulator)
    t0 = time.monotonic()
    with pytest.raises(error):
        IdCardReader(emulator.path, timeouts=FAST).read_once(timeout=1.0)
    assert time.monotonic() - t0 < 1.5


def test_noise_before_every_reply_of_a_read_costs_no_timeout(emulator: IdCardEmulator) -> None:
    emulator.place(SAMPLES["resident"])
    emulator.noise_next(p.PREAMBLE + b"\x05\x08", times=5)  # sam status, sam id, find, select, read
    t0 = time.monotonic()
    assert IdCardReader(emulator.path, timeouts=SLOW).read_once(timeout=4) == SAMPLES["resident"]
    assert time.monotonic() - t0 < 0.8
