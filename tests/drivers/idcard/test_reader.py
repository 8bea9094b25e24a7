"""The driver's poll thread against the emulator over a real pty: cards handed over once,
the card left on the reader told apart from a new card, removal noticed, read failures
reported once per card (retried quietly and slowly) while the reader stays online, SAM
faults as hardware errors, retried corrupted frames, line noise (even a whole bogus
preamble) skipped without a reply timeout, silence, unplugging (offline/no_device within
2 s, back by itself), and no card kept in the driver once it stops or loses the reader."""

from __future__ import annotations

import time
from typing import Any

import pytest

from drivers.errors import CodecError
from drivers.health import DeviceState
from drivers.idcard import protocol as p
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.errors import CardReadError
from drivers.idcard.reader import IdCardReader
from drivers.idcard.samples import SAMPLES
from tests.waiting import wait_for

from .helpers import FAST, SLOW, Events, polls, reads, state


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

@pytest.mark.parametrize("sw3", [0x40, 0x41])
def test_an_unreadable_card_is_reported_once_and_retried_slowly(emulator: IdCardEmulator, events: Events,
                                                                sw3: int) -> None:
    emulator.fail_next(p.READ_TEXT_PHOTO, sw3, times=10_000)
    drv = IdCardReader(emulator.path, on_card=events.card, on_removed=events.removed, on_error=events.error,
                       timeouts=FAST, poll_interval=0.02, failed_card_retry=0.5).start()
    try:
        emulator.place(SAMPLES["resident"])
        assert wait_for(lambda: events.kinds() == ["error"])
        t0, reads0 = time.monotonic(), reads(emulator)
        polls(emulator, 30)  # 30 polls: at least 0.6 s
        elapsed = time.monotonic() - t0
        assert events.kinds() == ["error"]  # not once a poll
        assert drv.health.snapshot().counters["errors"] == 1
        assert 1 <= reads(emulator) - reads0 <= elapsed / 0.5 + 1  # retried, quietly, every 0.5 s
        emulator.lift()
        polls(emulator, 3)  # find fails, select shows the card is gone
        emulator.place(SAMPLES["resident"])  # placed again: a new attempt, reported again
        assert wait_for(lambda: events.kinds() == ["error", "error"])
        polls(emulator, 10)
        assert events.kinds() == ["error", "error"] and drv.health.snapshot().counters["errors"] == 2
        emulator.clear_faults()
        emulator.place(SAMPLES["hmt"])  # swapped for a good card faster than a poll
        assert wait_for(lambda: events.kinds() == ["error", "error", "card"])
        assert events.items[-1][1] == SAMPLES["hmt"] and state(drv) == DeviceState.ONLINE
    finally:
        drv.stop()


def test_card_with_invalid_data_is_reported_once(reader: IdCardReader, emulator: IdCardEmulator,
                                                 events: Events) -> None:
    from dataclasses import replace
    emulator.refind_after_read = True  # found again on every poll, like a card that cannot be read
    emulator.place(replace(SAMPLES["resident"], id_number="110105199003071238"))
    assert wait_for(lambda: "error" in events.kinds())
    polls(emulator, 20)
    assert events.kinds() == ["error"] and reader.health.snapshot().counters["errors"] == 1


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


@pytest.mark.parametrize(
    "noise",
    [
        b"\x00\xaa\xaa\x96\x13\xff" * 20,
        p.PREAMBLE + b"\x0f\xff",                       # a whole preamble, then a plausible length
        b"\x13" + p.PREAMBLE + b"\x05\x08" + bytes(30),  # as if a read reply began
        p.PREAMBLE + b"\xff\xff" + p.PREAMBLE + b"\x00",  # a bad length, then a second preamble
    ],
)
def test_line_noise_is_skipped_without_waiting_for_a_timeout(emulator: IdCardEmulator, events: Events,
                                                             noise: bytes) -> None:
    drv = IdCardReader(emulator.path, on_card=events.card, timeouts=SLOW, poll_interval=0.02).start()
    try:
        assert wait_for(lambda: state(drv) == DeviceState.ONLINE)
        polls(emulator, 2)
        emulator.noise_next(noise, times=3)  # before the next three replies: find, select, read
        t0 = time.monotonic()
        emulator.place(SAMPLES["middle_dot"])
        assert wait_for(lambda: events.kinds() == ["card"], timeout=5)
        assert time.monotonic() - t0 < 0.8  # less than one reply timeout (1 s)
        assert state(drv) == DeviceState.ONLINE
    finally:
        drv.stop()

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


def test_stop_lets_go_of_the_card(emulator: IdCardEmulator, events: Events) -> None:
    drv = IdCardReader(emulator.path, on_card=events.card, on_removed=events.removed, timeouts=FAST,
                       poll_interval=0.02).start()
    emulator.place(SAMPLES["resident"])
    assert wait_for(lambda: events.kinds() == ["card"])
    drv.stop()
    assert events.kinds() == ["card", "removed"]
    assert drv.held is None and drv.health.snapshot().detail["card_present"] is False


@pytest.mark.parametrize("loss", ["unplug", "silent", "broken_line"])
def test_a_lost_reader_lets_go_of_the_card_and_finds_it_again(reader: IdCardReader, emulator: IdCardEmulator,
                                                              events: Events, loss: str) -> None:
    emulator.place(SAMPLES["resident"])
    assert wait_for(lambda: events.kinds() == ["card"])
    if loss == "unplug":
        emulator.unplug()
    elif loss == "silent":
        emulator.silent = True
    else:
        emulator.corrupt_next("checksum", times=3)
    assert wait_for(lambda: events.kinds() == ["card", "removed"])
    assert reader.held is None and reader.health.snapshot().detail["card_present"] is False
    assert state(reader) in (DeviceState.OFFLINE, DeviceState.NO_DEVICE)
    if loss == "unplug":
        emulator.plug()
    emulator.silent = False
    # back: the card still lying on the reader is handed over again
    assert wait_for(lambda: events.kinds() == ["card", "removed", "card"], timeout=3)
    assert reader.held == SAMPLES["resident"] and state(reader) == DeviceState.ONLINE


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
