"""The DLE EOT 1–4 status parser: tables of reply bytes built from Epson's bit layout,
the state each combination means (a missing answer to 2, 3 or 4 is offline, not ready),
and fuzzing (any bytes give a status or a StatusError)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers.errors import CodecError
from drivers.health import DeviceState
from drivers.printer.errors import StatusError
from drivers.printer.status import (
    Paper, SILENT, check_byte, classify, combine, parse_error_cause, parse_offline_cause,
    parse_paper_sensor, parse_printer_status, query,
)


def test_query_bytes():
    assert [query(n) for n in (1, 2, 3, 4)] == [b"\x10\x04\x01", b"\x10\x04\x02",
                                                  b"\x10\x04\x03", b"\x10\x04\x04"]
    with pytest.raises(ValueError):
        query(5)


@pytest.mark.parametrize("byte, offline, waiting, button, drawer", [
    (0x12, False, False, False, False),  # idle, online
    (0x16, False, False, False, True),  # drawer pin 3 high
    (0x1A, True, False, False, False),  # offline
    (0x3A, True, True, False, False),  # offline, waiting for online recovery (an error)
    (0x5A, True, False, True, False),  # feed button held
])
def test_printer_status_table(byte, offline, waiting, button, drawer):
    flags = parse_printer_status(bytes([byte]))
    assert (flags.offline, flags.waiting_recovery, flags.feed_button, flags.drawer_pin3_high) == (
        offline, waiting, button, drawer)


@pytest.mark.parametrize("byte, causes", [
    (0x12, ()),
    (0x16, ("cover_open",)),
    (0x1A, ("paper_feed_button",)),
    (0x32, ("paper_end_stop",)),
    (0x52, ("error",)),
    (0x76, ("cover_open", "paper_end_stop", "error")),
])
def test_offline_cause_table(byte, causes):
    assert parse_offline_cause(bytes([byte])) == causes


@pytest.mark.parametrize("byte, causes", [
    (0x12, ()),
    (0x16, ("autocutter",)),
    (0x1A, ("unrecoverable",)),
    (0x32, ("auto_recoverable",)),
    (0x3E, ("autocutter", "unrecoverable", "auto_recoverable")),
])
def test_error_cause_table(byte, causes):
    assert parse_error_cause(bytes([byte])) == causes


@pytest.mark.parametrize("byte, paper", [
    (0x12, Paper.OK),
    (0x1E, Paper.LOW),  # both near-end bits (Epson)
    (0x16, Paper.LOW),  # only bit 2 (many clones)
    (0x1A, Paper.LOW),  # only bit 3
    (0x72, Paper.OUT),  # roll end, no near-end sensor (python-escpos's RT_MASK_NOPAPER)
    (0x7E, Paper.OUT),  # roll end and near end
    (0x32, Paper.OUT),  # one roll-end bit
])
def test_paper_sensor_table(byte, paper):
    assert parse_paper_sensor(bytes([byte])) is paper


@pytest.mark.parametrize("reply", [b"\x00", b"\xff", b"\x13", b"\x92", b"\x02", b"\x10", b"",
                                   b"\x12\x12"])
def test_fixed_bits_broken_is_typed_error(reply):
    with pytest.raises(StatusError) as info:
        check_byte(reply, 1)
    assert isinstance(info.value, CodecError) and info.value.code == "bad_status"


R = {1: b"\x12", 2: b"\x12", 3: b"\x12", 4: b"\x12"}


@pytest.mark.parametrize("replies, state, paper, cover", [
    (R, DeviceState.ONLINE, Paper.OK, False),
    ({**R, 4: b"\x1e"}, DeviceState.ONLINE, Paper.LOW, False),
    ({**R, 1: b"\x1a", 2: b"\x32", 4: b"\x7e"}, DeviceState.USER_ERROR, Paper.OUT, False),
    ({**R, 1: b"\x1a", 2: b"\x16"}, DeviceState.USER_ERROR, Paper.OK, True),
    ({**R, 1: b"\x3a", 2: b"\x52", 3: b"\x16"}, DeviceState.HARDWARE_ERROR, Paper.OK, False),
    ({**R, 1: b"\x3a", 2: b"\x52", 3: b"\x1a"}, DeviceState.HARDWARE_ERROR, Paper.OK, False),
    ({**R, 1: b"\x3a", 2: b"\x52", 3: b"\x32"}, DeviceState.HARDWARE_ERROR, Paper.OK, False),
    ({**R, 1: b"\x5a", 2: b"\x1a"}, DeviceState.BUSY, Paper.OK, False),
    ({**R, 1: b"\x1a"}, DeviceState.HARDWARE_ERROR, Paper.OK, False),  # offline, no cause
    ({1: None}, DeviceState.OFFLINE, Paper.UNKNOWN, None),  # silent
    # answers to 2–4 missing: not ready, whatever n=1 says (never online, paper unknown)
    ({1: b"\x12", 2: None, 3: None, 4: None}, DeviceState.OFFLINE, Paper.UNKNOWN, None),
    ({1: b"\x12"}, DeviceState.OFFLINE, Paper.UNKNOWN, None),
    ({**R, 2: None}, DeviceState.OFFLINE, Paper.OK, None),
    ({**R, 3: None}, DeviceState.OFFLINE, Paper.OK, False),
    ({**R, 4: None}, DeviceState.OFFLINE, Paper.UNKNOWN, False),
    ({**R, 4: b""}, DeviceState.OFFLINE, Paper.UNKNOWN, False),
    ({1: b"\x1a", 2: b"\x32", 3: None, 4: None}, DeviceState.OFFLINE, Paper.OUT, False),
])
def test_combined_status_and_state(replies, state, paper, cover):
    status = combine(replies)
    assert classify(status)[0] is state
    assert status.paper is paper
    assert status.cover_open is cover
    assert set(status.detail()) >= {"paper", "cover_open"}


@pytest.mark.parametrize("replies, unanswered", [
    ({1: b"\x12", 2: None, 3: None, 4: None}, (2, 3, 4)),
    ({1: b"\x12"}, (2, 3, 4)),
    ({**R, 2: None}, (2,)),
    ({**R, 3: None}, (3,)),
    ({**R, 4: None}, (4,)),
    ({**R, 2: None, 4: None}, (2, 4)),
    (R, ()),
])
def test_unanswered_queries_are_named_in_the_reason(replies, unanswered):
    status = combine(replies)
    assert status.unanswered == unanswered and status.complete is (unanswered == ())
    state, reason = classify(status)
    if unanswered:
        queries = ", ".join(map(str, unanswered))
        assert state is DeviceState.OFFLINE
        assert reason == f"printer did not answer DLE EOT {queries}: status incomplete, not ready"
    else:
        assert (state, reason) == (DeviceState.ONLINE, "")


def test_silent_printer_is_never_fine():
    assert combine({}) == SILENT
    assert SILENT.online is False and SILENT.paper is Paper.UNKNOWN
    assert SILENT.detail()["paper"] == "unknown" and SILENT.detail()["cover_open"] is None


def test_cutter_error_outranks_cover_open():
    status = combine({**R, 1: b"\x3a", 2: b"\x56", 3: b"\x16"})
    assert status.cover_open and classify(status) == (DeviceState.HARDWARE_ERROR, "autocutter error")


@settings(max_examples=400, deadline=None)
@given(hs.dictionaries(hs.sampled_from([1, 2, 3, 4]), hs.one_of(hs.none(), hs.binary(max_size=3))))
def test_fuzz_any_replies_give_a_status_or_a_status_error(replies):
    try:
        status = combine(replies)
    except StatusError:
        return
    state, reason = classify(status)
    assert isinstance(state, DeviceState)
    if not replies.get(1):
        assert state is DeviceState.OFFLINE and status.paper is Paper.UNKNOWN
    if not all(replies.get(n) for n in (1, 2, 3, 4)):
        assert state is DeviceState.OFFLINE and not status.complete


@given(hs.integers(0, 255))
def test_every_valid_byte_parses_in_every_query(value):
    valid = value & 0x93 == 0x12
    for parse in (parse_printer_status, parse_offline_cause, parse_error_cause, parse_paper_sensor):
        if valid:
            parse(bytes([value]))
        else:
            with pytest.raises(StatusError):
                parse(bytes([value]))
