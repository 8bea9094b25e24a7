"""The transport layer: the dummy records the exact bytes sent and answers as told; a
printer silent on DLE EOT 1 is asked nothing more and reads as silent, never fine; a noisy
reply is asked again, a persistently broken one is a StatusError; the serial transport
finds a silent printer on a real pty within a third of a second per query."""

import time

import pytest

from drivers.errors import DeviceNotFound, DeviceUnavailable
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.errors import StatusError
from drivers.printer.status import Paper
from drivers.printer.transport import DummyTransport, SerialTransport

OK = {1: b"\x12", 2: b"\x12", 3: b"\x12", 4: b"\x12"}


def test_dummy_records_queries_and_jobs_exactly():
    t = DummyTransport(OK)
    with t:
        status = t.status()
        t.write(b"\x1b@hello\n")
    assert status.online and status.paper is Paper.OK and status.cover_open is False
    assert bytes(t.written) == b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04\x1b@hello\n"
    assert t.jobs == [b"\x1b@hello\n"] and not t.is_open


def test_silent_printer_is_asked_once_and_is_not_fine():
    t = DummyTransport({})
    status = t.status()
    assert bytes(t.written) == b"\x10\x04\x01"
    assert not status.answered and not status.online
    assert status.paper is Paper.UNKNOWN and status.cover_open is None


def test_missing_paper_sensor_answer_leaves_paper_unknown():
    t = DummyTransport({1: b"\x12", 2: b"\x12", 3: b"\x12"})
    assert t.status().paper is Paper.UNKNOWN


class Noisy(DummyTransport):
    def __init__(self, answers):
        super().__init__(OK)
        self.answers = list(answers)

    def ask(self, n, timeout):
        super().ask(n, timeout)
        return self.answers.pop(0) if self.answers else self.replies[n]


def test_one_noisy_reply_is_asked_again():
    t = Noisy([b"\xff"])
    assert t.status().online
    assert bytes(t.written).count(b"\x10\x04\x01") == 2


def test_a_broken_reply_twice_is_a_status_error():
    with pytest.raises(StatusError):
        Noisy([b"\xff", b"\x00"]).status()


def test_serial_transport_against_the_emulator():
    with PrinterEmulator() as emu:
        emu.set_conditions(paper="low")
        with SerialTransport(emu.path) as t:
            status = t.status()
            assert status.online and status.paper is Paper.LOW
            t.write(b"\x1b@abc\n")
            deadline = time.monotonic() + 2
            while emu.print_data != b"\x1b@abc\n" and time.monotonic() < deadline:
                time.sleep(0.01)
            assert emu.print_data == b"\x1b@abc\n"
            assert emu.status_queries == [1, 2, 3, 4]
            emu.silent = True
            start = time.monotonic()
            assert not t.status().answered
            assert time.monotonic() - start < 0.6


def test_serial_transport_missing_port_is_no_device(tmp_path):
    with pytest.raises(DeviceNotFound):
        SerialTransport(str(tmp_path / "nothing")).open()


def test_unopened_serial_transport_is_unavailable():
    with pytest.raises(DeviceUnavailable):
        SerialTransport("/dev/null-printer").write(b"x")
