"""The keyboard-wedge scanner's transport and driver, through a FIFO carrying real
``struct input_event`` bytes as the kernel writes them to /dev/input/eventN: codes typed
with Shift arrive whole (also when records are cut across writes), repeats are
debounced, the node vanishing gives ``no_device`` within 2 s and its return ``online``
by itself. A FIFO cannot be grabbed (EVIOCGRAB gives ENOTTY), so these tests build the
source with ``grab=False``, and check that ``grab=True`` refuses such a node. The grab
itself (claimed, released, EBUSY, ENOTTY) is tested in ``test_wedge_grab.py`` with a
stand-in ``fcntl.ioctl``: this machine has no /dev/uinput to create a real input device."""

import errno
import os
import time

import pytest

from drivers.health import DeviceState
from drivers.scanner.evcodec import type_text
from drivers.scanner.wedge import EVIOCGRAB, WedgeScanner
from tests.drivers.scanner.helpers import Collector
from tests.waiting import wait_for

RECEIPT = "ZZ-EQ-0001-20261122-000042"


def open_writer(path, timeout=2.0):
    """Open the FIFO's write end once the scanner holds the read end."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as err:
            if err.errno not in (errno.ENXIO, errno.ENOENT) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
            continue
        os.set_blocking(fd, True)
        return fd


@pytest.fixture
def node(tmp_path):
    path = str(tmp_path / "usb-Scanner-event-kbd")
    os.mkfifo(path)
    return path


@pytest.fixture
def rig(node):
    got = Collector()
    scanner = WedgeScanner(node, got, grab=False, debounce=0.3, reconnect_interval=0.1)
    scanner.start()
    assert wait_for(lambda: scanner.health.state == DeviceState.ONLINE), "online"
    writer = open_writer(node)
    yield node, scanner, got, writer
    scanner.stop()
    try:
        os.close(writer)
    except OSError:
        pass


def test_grab_ioctl_number_is_the_kernels():
    assert EVIOCGRAB == 0x40044590  # _IOW('E', 0x90, int)


def test_typed_codes_arrive(rig):
    node, scanner, got, writer = rig
    os.write(writer, type_text(RECEIPT))
    os.write(writer, type_text("https://zwfw.example.gov.cn/q?no=42&t=A"))
    assert got.wait_count(2) == [RECEIPT, "https://zwfw.example.gov.cn/q?no=42&t=A"]
    code = got.codes[0]
    assert (code.source, code.raw, code.format) == ("wedge", RECEIPT.encode(), "unknown")
    assert scanner.health.snapshot().detail["grabbed"] is False


def test_records_cut_across_writes(rig):
    node, scanner, got, writer = rig
    data = type_text("Cut-Across")
    for start in range(0, len(data), 37):  # 37 is not a multiple of 24
        os.write(writer, data[start:start + 37])
        time.sleep(0.002)
    assert got.wait_count(1) == ["Cut-Across"]


def test_repeat_within_the_window_is_one_scan(rig):
    node, scanner, got, writer = rig
    os.write(writer, type_text("SAME") * 2 + type_text("OTHER"))
    assert got.wait_count(2) == ["SAME", "OTHER"]
    assert wait_for(lambda: scanner.health.snapshot().counters["duplicates"] == 1), "duplicate"


def test_writer_gone_but_node_present_stays_online(rig):
    node, scanner, got, writer = rig
    os.close(writer)
    time.sleep(0.3)
    assert scanner.health.state == DeviceState.ONLINE
    writer = open_writer(node)
    os.write(writer, type_text("AGAIN"))
    assert got.wait_count(1) == ["AGAIN"]
    os.close(writer)


def test_node_gone_is_no_device_within_2s_and_back_by_itself(rig):
    node, scanner, got, writer = rig
    os.unlink(node)  # the kernel removes the node when the scanner is pulled
    os.close(writer)
    assert wait_for(lambda: scanner.health.state == DeviceState.NO_DEVICE, 2.0), "no_device"
    os.mkfifo(node)
    assert wait_for(lambda: scanner.health.state == DeviceState.ONLINE, 2.0), "online again"
    writer = open_writer(node)
    os.write(writer, type_text(RECEIPT))
    assert got.wait_count(1) == [RECEIPT]
    assert scanner.health.snapshot().counters["reconnects"] == 1
    os.close(writer)


def test_grab_refuses_a_node_that_is_not_an_input_device(node):
    got = Collector()
    with WedgeScanner(node, got, grab=True, reconnect_interval=0.1) as scanner:
        assert wait_for(lambda: scanner.health.state == DeviceState.HARDWARE_ERROR), "refusal"
        report = scanner.health.snapshot()
        assert "cannot grab" in report.reason and report.detail["grabbed"] is False
        assert not scanner.connected


def test_missing_node_is_no_device(tmp_path):
    with WedgeScanner(str(tmp_path / "none"), Collector(), reconnect_interval=0.1) as scanner:
        assert wait_for(lambda: scanner.health.state == DeviceState.NO_DEVICE), "no_device"
