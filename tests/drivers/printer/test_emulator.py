"""The printer emulator: its status bytes for each condition are those a real printer
sends (and parse back to the condition), queries are told apart from print data however
the stream is split, it can be told to answer only some queries (a clone that knows
only DLE EOT 1), unknown bytes are kept as junk, and what it printed reads back."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from drivers.health import DeviceState
from drivers.printer.document import Document, render
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.profiles import PAPER_58
from drivers.printer.status import classify, combine


@pytest.mark.parametrize("conditions, replies, state, paper", [
    ({}, (0x12, 0x12, 0x12, 0x12), DeviceState.ONLINE, "ok"),
    ({"paper": "low"}, (0x12, 0x12, 0x12, 0x1E), DeviceState.ONLINE, "low"),
    ({"paper": "out"}, (0x1A, 0x32, 0x12, 0x7E), DeviceState.USER_ERROR, "out"),
    ({"cover_open": True}, (0x1A, 0x16, 0x12, 0x12), DeviceState.USER_ERROR, "ok"),
    ({"cutter_error": True}, (0x3A, 0x52, 0x16, 0x12), DeviceState.HARDWARE_ERROR, "ok"),
    ({"unrecoverable_error": True}, (0x3A, 0x52, 0x1A, 0x12), DeviceState.HARDWARE_ERROR, "ok"),
    ({"auto_recoverable_error": True}, (0x3A, 0x52, 0x32, 0x12), DeviceState.HARDWARE_ERROR, "ok"),
    ({"feed_button": True}, (0x5A, 0x1A, 0x12, 0x12), DeviceState.BUSY, "ok"),
    ({"paper": "out", "cover_open": True}, (0x1A, 0x36, 0x12, 0x7E), DeviceState.USER_ERROR, "out"),
])
def test_status_bytes_per_condition(conditions, replies, state, paper):
    emu = PrinterEmulator()
    emu.set_conditions(**conditions)
    assert tuple(emu.status_byte(n) for n in (1, 2, 3, 4)) == replies
    status = combine({n: bytes([b]) for n, b in zip((1, 2, 3, 4), replies)})
    assert classify(status)[0] is state and status.paper.value == paper
    emu.port.close()


def test_bad_condition_is_refused():
    emu = PrinterEmulator()
    with pytest.raises(ValueError):
        emu.set_conditions(paper="empty")
    with pytest.raises(ValueError):
        emu.set_conditions(answers=(1, 5))
    emu.port.close()


@pytest.mark.parametrize("answers", [(1,), (1, 2, 3), (1, 3, 4), (2, 3, 4), ()])
def test_answers_only_the_queries_it_is_told_to(answers):
    from drivers.printer.transport import SerialTransport

    with PrinterEmulator() as emu:
        emu.set_conditions(answers=answers)
        with SerialTransport(emu.path) as transport:
            replies = transport.query_all()
        asked = (1,) if 1 not in answers else (1, 2, 3, 4)  # silent on 1: not asked further
        assert emu.status_queries == list(asked)
        assert {n for n, reply in replies.items() if reply is not None} == set(answers) & set(asked)
        status = combine(replies)
        assert classify(status)[0] is (DeviceState.ONLINE if answers == (1, 2, 3, 4) else DeviceState.OFFLINE)


JOB = render(Document().text("受理回执𠮷").qr("ZZ-EQ-1").cut(), PAPER_58)


@settings(max_examples=200, deadline=None)
@given(hs.lists(hs.integers(0, len(JOB) + 6), max_size=8))
def test_queries_are_told_from_print_data_however_split(cuts):
    mid = JOB.index(b"\n") + 1  # between two commands, where the driver would ask
    stream = b"\x10\x04\x01" + JOB[:mid] + b"\x10\x04\x04" + JOB[mid:] + b"\x10\x04\x02"
    emu = PrinterEmulator()  # never started: replies go nowhere, the parsing is what counts
    bounds = sorted({0, len(stream), *[min(c, len(stream)) for c in cuts]})
    for start, end in zip(bounds, bounds[1:]):
        emu.on_bytes(stream[start:end])
    assert emu.status_queries == [1, 4, 2]
    assert bytes(emu.print_data) == JOB
    printout = emu.printout()
    assert printout.nonblank() == ["受理回执𠮷"] and printout.qr_codes == ["ZZ-EQ-1"]
    emu.port.close()


def test_unknown_bytes_are_kept_and_noted():
    emu = PrinterEmulator()
    emu.on_bytes(b"\x07ab\n")
    assert bytes(emu.print_data) == b"\x07ab\n" and len(emu.parse_errors) == 1
    emu.port.close()


def test_paper_can_run_out_during_a_job():
    emu = PrinterEmulator()
    emu.paper_runs_out_after = 10
    emu.on_bytes(b"\x1b@12345")
    assert emu.paper == "ok"
    emu.on_bytes(b"67890\n")
    assert emu.paper == "out"
    emu.port.close()
