"""The USB printer transport (usblp node, ``/dev/usb/lpN``), tested against a pty standing
in for the node: the printer emulator's pty answers DLE EOT as a printer does, a bare pty
that nobody reads stands in for a printer that takes no data. A pty is a character device
opened by path, read and written like the usblp node; what it cannot show is the USB side
(the kernel's usblp driver itself)."""

import os
import time
import tty

import pytest

from drivers.errors import DeviceNotFound, DeviceTimeout, DeviceUnavailable
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.status import Paper
from drivers.printer.transport import UsbLpTransport


def wait_for(predicate, timeout=2.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def test_status_and_print_through_the_node():
    with PrinterEmulator() as emu:
        emu.set_conditions(paper="low")
        with UsbLpTransport(emu.path) as t:
            status = t.status()
            assert status.online and status.paper is Paper.LOW and status.cover_open is False
            assert emu.status_queries == [1, 2, 3, 4]
            t.write(b"\x1b@abc\n" * 100)
            assert wait_for(lambda: emu.print_data == b"\x1b@abc\n" * 100)
            emu.set_conditions(paper="out")
            assert t.status().paper is Paper.OUT


def test_a_silent_printer_is_known_within_a_third_of_a_second_per_query():
    with PrinterEmulator() as emu:
        with UsbLpTransport(emu.path) as t:
            emu.silent = True
            start = time.monotonic()
            assert not t.status().answered
            assert time.monotonic() - start < 0.6


def test_a_late_answer_does_not_answer_the_next_query():
    with PrinterEmulator() as emu:
        with UsbLpTransport(emu.path) as t:
            emu.port.write(b"\x00\x00\x00")  # stale bytes waiting in the node: not a status byte
            time.sleep(0.05)
            assert t.status().online


def test_missing_node_is_no_device(tmp_path):
    with pytest.raises(DeviceNotFound):
        UsbLpTransport(str(tmp_path / "lp0")).open()


def test_a_node_that_cannot_be_opened_is_unavailable(tmp_path):
    with pytest.raises(DeviceUnavailable) as err:
        UsbLpTransport(str(tmp_path)).open()  # a folder: there, but not a printer (EISDIR)
    assert not isinstance(err.value, DeviceNotFound) and str(tmp_path) in str(err.value)


def test_unopened_transport_is_unavailable():
    t = UsbLpTransport("/dev/usb/lp0")
    with pytest.raises(DeviceUnavailable):
        t.write(b"x")
    with pytest.raises(DeviceUnavailable):
        t.ask(1, 0.1)


def test_unplugged_printer_is_unavailable_not_a_hang():
    with PrinterEmulator() as emu:
        t = UsbLpTransport(emu.path)
        t.open()
        try:
            assert t.status().online
            emu.unplug()
            start = time.monotonic()
            with pytest.raises(DeviceUnavailable):
                t.status()
                t.write(b"\x1b@")
            assert time.monotonic() - start < 1.0
        finally:
            t.close()
        with pytest.raises(DeviceNotFound):
            t.open()  # the node is gone


def test_a_printer_that_takes_no_data_times_out():
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        t = UsbLpTransport(os.ttyname(slave), write_timeout=0.3)
        t.MIN_RATE = 10**9  # the deadline is the write timeout alone
        t.open()
        start = time.monotonic()
        with pytest.raises(DeviceTimeout):
            t.write(b"\x00" * (1 << 20))  # nobody reads the other side: the buffer fills
        assert 0.25 < time.monotonic() - start < 2.0
        t.close()
    finally:
        os.close(slave)
        os.close(master)
