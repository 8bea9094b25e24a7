"""The driver against the emulator over a real pty: cards handed over once, the card left
on the reader told apart from a new card, removal noticed, read failures reported while
the reader stays online, SAM faults as hardware errors, retried corrupted frames, line
noise, silence, and unplugging (offline/no_device within 2 s, back by itself)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from drivers.errors import CodecError, DeviceNotFound, DeviceTimeout
from drivers.health import DeviceState
from drivers.idcard import protocol as p
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.errors import BrokenLine, CardReadError, NoCard, SamError
from drivers.idcard.reader import IdCardReader
from drivers.idcard.samples import SAMPLES

from .conftest import wait_for

FAST = {"sam": 0.3, "find": 0.3, "select": 0.3, "read": 1.0}


class Events:
    def __init__(self) -> None:
        self.items: list[tuple[str, Any]] = []
        self.lock = threading.Lock()

    def card(self, card: Any) -> None:
        with self.lock:
            self.items.append(("card", card))

    def removed(self) -> None:
        with self.lock:
            self.items.append(("removed", None))

    def error(self, err: Any) -> None:
        with self.lock:
            self.items.append(("error", err))

    def kinds(self) -> list[str]:
        with self.lock:
            return [k for k, _ in self.items]


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def reader(emulator: IdCardEmulator, events: Events):
    drv = IdCardReader(emulator.path, on_card=events.card, on_removed=events.removed, on_error=events.error,
                       timeouts=FAST, reconnect_interval=0.2, poll_interval=0.02)
    drv.start()
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)
    yield drv
    drv.stop()


def state(drv: IdCardReader) -> DeviceState:
    return drv.health.state


def polls(emulator: IdCardEmulator, n: int = 5) -> None:
    """Let the driver poll ``n`` more times (counted on the emulator's side)."""
    start = emulator.received.count(p.FIND_CARD.key)
    assert wait_for(lambda: emulator.received.count(p.FIND_CARD.key) >= start + n)


def test_online_with_sam_id(reader: IdCardReader, emulator: IdCardEmulator) -> None:
    report = reader.health.snapshot()
    assert report.detail["sam_id"] == emulator.sam_id == reader.sam_id
    assert emulator.received[:2] == [p.SAM_STATUS.key, p.SAM_ID.key]


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_each_card_is_handed_over_once(reader: IdCardReader, emulator: IdCardEmulator, events: Events,
                                       key: str) -> None:
    emulator.place(SAMPLES[key])
    assert wait_for(lambda: events.kinds() == ["card"])
    assert events.items[0][1] == SAMPLES[key]
    assert reader.held == SAMPLES[key]
    polls(emulator)
    assert events.kinds() == ["card"] and emulator.reads == 1  # left there: no second read
    assert reader.health.snapshot().detail["card_present"] is True


def test_lift_place_and_swap(reader: IdCardReader, emulator: IdCardEmulator, events: Events) -> None:
    emulator.place(SAMPLES["resident"])
    assert wait_for(lambda: events.kinds() == ["card"])
    emulator.lift()
    assert wait_for(lambda: events.kinds() == ["card", "removed"])
    assert reader.held is None and reader.health.snapshot().detail["card_present"] is False
    emulator.place(SAMPLES["resident"])  # the same card again: a new presentation
    assert wait_for(lambda: events.kinds() == ["card", "removed", "card"])
    emulator.place(SAMPLES["hmt"])  # swapped faster than a poll: removed, then the new card
    assert wait_for(lambda: events.kinds() == ["card", "removed", "card", "removed", "card"])
    assert events.items[-1][1] == SAMPLES["hmt"]
    assert reader.health.snapshot().counters["operations"] == 3


def test_same_card_found_again_is_not_new(reader: IdCardReader, emulator: IdCardEmulator,
                                          events: Events) -> None:
    emulator.place(SAMPLES["resident"])
    assert wait_for(lambda: events.kinds() == ["card"])
    emulator.refind_after_read = True  # some readers find a halted card again
    assert wait_for(lambda: emulator.reads >= 3)
    polls(emulator)
    assert events.kinds() == ["card"]


@pytest.mark.parametrize("sw3", [0x41, 0x31, 0x32, 0x33, 0x40, 0x47])
def test_read_failure_is_reported_and_retried(reader: IdCardReader, emulator: IdCardEmulator,
                                              events: Events, sw3: int) -> None:
    emulator.fail_next(p.READ_TEXT_PHOTO, sw3)
    emulator.place(SAMPLES["resident"])
    assert wait_for(lambda: events.kinds() == ["error", "card"])
    err = events.items[0][1]
    assert isinstance(err, CardReadError) and err.sw3 == sw3 and err.status.code
    assert state(reader) == DeviceState.ONLINE


def test_card_with_invalid_data_is_reported(reader: IdCardReader, emulator: IdCardEmulator,
                                            events: Events) -> None:
    from dataclasses import replace
    emulator.place(replace(SAMPLES["resident"], id_number="110105199003071238"))
    assert wait_for(lambda: "error" in events.kinds())
    assert isinstance(events.items[0][1], CodecError) and "card" not in events.kinds()
    assert state(reader) == DeviceState.ONLINE


def test_card_gone_between_find_and_select(reader: IdCardReader, emulator: IdCardEmulator,
                                           events: Events) -> None:
    emulator.fail_next(p.SELECT_CARD, 0x81)
    emulator.place(SAMPLES["resident"])
    assert wait_for(lambda: events.kinds() == ["card"])


@pytest.mark.parametrize("sw3", [0x60, 0x66])
def test_sam_fault_is_a_hardware_error_and_recovers(reader: IdCardReader, emulator: IdCardEmulator,
                                                    sw3: int) -> None:
    emulator.sam_fault = sw3
    assert wait_for(lambda: state(reader) == DeviceState.HARDWARE_ERROR)
    assert "SAM" in reader.health.snapshot().reason or "sam" in reader.health.snapshot().reason.lower()
    emulator.sam_fault = None
    assert wait_for(lambda: state(reader) == DeviceState.ONLINE)


def test_sam_fault_at_open(emulator: IdCardEmulator) -> None:
    emulator.sam_fault = 0x66
    drv = IdCardReader(emulator.path, timeouts=FAST, reconnect_interval=0.1, poll_interval=0.02).start()
    try:
        assert wait_for(lambda: state(drv) == DeviceState.HARDWARE_ERROR)
        emulator.sam_fault = None
        assert wait_for(lambda: state(drv) == DeviceState.ONLINE)
        assert drv.health.snapshot().detail["sam_id"] == emulator.sam_id
    finally:
        drv.stop()


@pytest.mark.parametrize("kind", ["checksum", "length", "truncate"])
def test_corrupted_frame_is_retried(reader: IdCardReader, emulator: IdCardEmulator, events: Events,
                                    kind: str) -> None:
    states: list[DeviceState] = []
    reader.health.add_listener(lambda report: states.append(report.state))
    emulator.place(SAMPLES["resident"])
    emulator.corrupt_next(kind, times=2)  # the retries absorb two bad frames
    assert wait_for(lambda: events.kinds() == ["card"])
    assert set(states) == {DeviceState.ONLINE}  # never went offline on the way
    assert reader.health.snapshot().counters["errors"] >= 2
    assert reader.health.snapshot().counters["reconnects"] == 0


def test_reader_rejecting_our_frames_is_retried(reader: IdCardReader, emulator: IdCardEmulator,
                                                events: Events) -> None:
    emulator.fail_next(p.READ_TEXT_PHOTO, p.SW3_CHECKSUM_ERROR)
    emulator.fail_next(p.FIND_CARD, p.SW3_LENGTH_ERROR)
    emulator.place(SAMPLES["resident"])
    assert wait_for(lambda: events.kinds() == ["card"])
    assert state(reader) == DeviceState.ONLINE
    assert reader.health.snapshot().counters["reconnects"] == 0


def test_persistently_corrupted_line_goes_offline_and_back(reader: IdCardReader,
                                                           emulator: IdCardEmulator) -> None:
    emulator.corrupt_next("checksum", times=10)
    assert wait_for(lambda: state(reader) == DeviceState.OFFLINE)
    assert "checksum" in reader.health.snapshot().reason
    assert wait_for(lambda: state(reader) == DeviceState.ONLINE, timeout=3)


def test_line_noise_is_skipped(reader: IdCardReader, emulator: IdCardEmulator, events: Events) -> None:
    emulator.place(SAMPLES["middle_dot"])
    emulator.inject_noise(b"\x00\xaa\xaa\x96\x13\xff" * 20)
    assert wait_for(lambda: events.kinds() == ["card"])
    assert state(reader) == DeviceState.ONLINE


def test_silence_goes_offline_and_back(reader: IdCardReader, emulator: IdCardEmulator) -> None:
    emulator.silent = True
    assert wait_for(lambda: state(reader) == DeviceState.OFFLINE)
    assert "no reply" in reader.health.snapshot().reason
    emulator.silent = False
    assert wait_for(lambda: state(reader) == DeviceState.ONLINE)


def test_unplug_within_two_seconds_and_back(reader: IdCardReader, emulator: IdCardEmulator,
                                            events: Events) -> None:
    emulator.place(SAMPLES["resident"])
    assert wait_for(lambda: events.kinds() == ["card"])
    emulator.unplug()
    t0 = time.monotonic()
    assert wait_for(lambda: state(reader) in (DeviceState.OFFLINE, DeviceState.NO_DEVICE), timeout=2)
    assert wait_for(lambda: state(reader) == DeviceState.NO_DEVICE, timeout=2 - (time.monotonic() - t0))
    emulator.plug()
    assert wait_for(lambda: state(reader) == DeviceState.ONLINE)
    assert reader.health.snapshot().counters["reconnects"] >= 1


def test_missing_port_is_no_device(tmp_path) -> None:
    drv = IdCardReader(str(tmp_path / "nothing"), reconnect_interval=0.1).start()
    try:
        assert wait_for(lambda: state(drv) == DeviceState.NO_DEVICE)
    finally:
        drv.stop()


def test_fingerprint_reader(emulator: IdCardEmulator, events: Events) -> None:
    drv = IdCardReader(emulator.path, on_card=events.card, fingerprint=True, timeouts=FAST,
                       poll_interval=0.02).start()
    try:
        emulator.place(SAMPLES["fingerprint"])
        assert wait_for(lambda: events.kinds() == ["card"])
        assert events.items[0][1].fingerprint == SAMPLES["fingerprint"].fingerprint
        assert p.READ_TEXT_PHOTO_FINGERPRINT.key in emulator.received
    finally:
        drv.stop()


def test_appended_address(reader: IdCardReader, emulator: IdCardEmulator, events: Events) -> None:
    emulator.place(SAMPLES["resident"], appended_address="北京市海淀区中关村大街1号")
    assert wait_for(lambda: events.kinds() == ["card"])
    assert reader.read_appended_address() == "北京市海淀区中关村大街1号"
    emulator.place(SAMPLES["hmt"])
    assert wait_for(lambda: events.kinds()[-1:] == ["card"] and len(events.kinds()) == 3)
    assert reader.read_appended_address() is None


def test_a_failing_callback_does_not_stop_the_reader(emulator: IdCardEmulator) -> None:
    seen: list[Any] = []

    def boom(card: Any) -> None:
        seen.append(card)
        raise RuntimeError("listener bug")

    drv = IdCardReader(emulator.path, on_card=boom, timeouts=FAST, poll_interval=0.02).start()
    try:
        emulator.place(SAMPLES["resident"])
        assert wait_for(lambda: len(seen) == 1)
        emulator.lift()
        emulator.place(SAMPLES["hmt"])
        assert wait_for(lambda: len(seen) == 2)
        assert state(drv) == DeviceState.ONLINE
    finally:
        drv.stop()


# -- read_once --------------------------------------------------------------------------
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
