"""The serial scanner driver against its emulator over a real pty: codes with CR, LF or
CRLF suffixes (a CRLF split across reads included), GBK and UTF-8 payloads, AIM
identifiers, line noise and over-long lines (rejected, the next code still arrives), a
repeated code swallowed by the debouncer, and unplugging: health goes no_device within
2 s — once, not first offline — and back online by itself when the scanner returns."""

import time

import pytest

from drivers.health import DeviceState
from drivers.scanner.emulator import SerialScannerEmulator
from drivers.scanner.serial_scanner import SerialScanner
from tests.drivers.scanner.helpers import Collector
from tests.waiting import wait_for

RECEIPT = b"ZZ-EQ-0001-20261122-000042"


@pytest.fixture
def rig():
    emulator = SerialScannerEmulator().start()
    got = Collector()
    scanner = SerialScanner(emulator.path, got, debounce=0.3, reconnect_interval=0.1)
    scanner.start()
    assert wait_for(lambda: scanner.health.state == DeviceState.ONLINE), "online"
    yield emulator, scanner, got
    scanner.stop()
    emulator.stop()


@pytest.mark.parametrize("suffix", [b"\r", b"\n", b"\r\n"], ids=["CR", "LF", "CRLF"])
def test_codes_with_each_suffix(rig, suffix):
    emulator, scanner, got = rig
    payloads = [RECEIPT, "张三 受理编号".encode("gbk"), "办事指南".encode("utf-8")]
    for payload in payloads:
        emulator.scan(payload, suffix)
    assert got.wait_count(3) == [RECEIPT.decode(), "张三 受理编号", "办事指南"]
    first = got.codes[0]
    assert (first.raw, first.source, first.format) == (RECEIPT, "serial", "unknown")
    assert [c.encoding for c in got.codes] == ["utf-8", "gb18030", "utf-8"]
    time.sleep(0.15)  # nothing more arrives
    assert len(got.texts()) == 3
    assert scanner.health.snapshot().counters["operations"] == 3


def test_code_written_in_pieces_with_crlf_cut_in_two(rig):
    emulator, scanner, got = rig
    emulator.scan_in_pieces(RECEIPT, b"\r\n", cuts=(5, 12, len(RECEIPT) + 1), gap=0.12)
    emulator.scan(b"NEXT", b"\r\n")
    assert got.wait_count(2) == [RECEIPT.decode(), "NEXT"]
    time.sleep(0.1)
    assert got.texts() == [RECEIPT.decode(), "NEXT"]  # the lone LF made no empty code
    assert scanner.health.snapshot().counters["rejected"] == 0


def test_noise_is_rejected_and_the_next_code_arrives(rig):
    emulator, scanner, got = rig
    emulator.send_noise(b"\xff\xfe\x1b\x80\r\n")  # noise with its own line end
    emulator.inject_noise(b"\x00\x00\xff\xfd")  # noise glued to the next scan
    emulator.scan(b"SPOILED")
    emulator.scan(RECEIPT)
    assert got.wait_count(1) == [RECEIPT.decode()]
    assert wait_for(lambda: scanner.health.snapshot().counters["rejected"] == 2), "2 rejections"
    assert scanner.health.state == DeviceState.ONLINE
    assert scanner.health.snapshot().detail["last_rejected"] in ("scan_bad_encoding",
                                                                 "scan_control_character")


def test_overlong_line_is_rejected(rig):
    emulator, scanner, got = rig
    emulator.scan(b"A" * 5000)  # longer than any QR code can carry
    emulator.scan(RECEIPT)
    assert got.wait_count(1) == [RECEIPT.decode()]
    assert wait_for(lambda: scanner.health.snapshot().counters["rejected"] == 1), "rejection"
    assert scanner.health.snapshot().detail["last_rejected"] == "scan_too_long"


def test_same_code_twice_within_the_window_is_one_scan(rig):
    emulator, scanner, got = rig
    emulator.scan(RECEIPT)
    emulator.scan(RECEIPT)
    emulator.scan(b"OTHER")
    assert got.wait_count(2) == [RECEIPT.decode(), "OTHER"]
    assert wait_for(lambda: scanner.health.snapshot().counters["duplicates"] == 1), "duplicate"
    time.sleep(0.35)  # the 0.3 s window has passed: the same code is a new scan
    emulator.scan(RECEIPT)
    assert got.wait_count(3) == [RECEIPT.decode(), "OTHER", RECEIPT.decode()]


def test_aim_identifier_names_the_format():
    with SerialScannerEmulator() as emulator:
        got = Collector()
        with SerialScanner(emulator.path, got, aim_ids=True, reconnect_interval=0.1) as scanner:
            assert wait_for(lambda: scanner.health.state == DeviceState.ONLINE), "online"
            emulator.scan(b"]Q1" + RECEIPT)
            emulator.scan(b"]C0" + b"12345678")
            got.wait_count(2)
        assert [(c.format, c.text) for c in got.codes] == [("QRCode", RECEIPT.decode()),
                                                           ("Code128", "12345678")]


def test_unplug_is_no_device_once_within_2s_and_comes_back_by_itself(rig):
    emulator, scanner, got = rig
    changes = []
    scanner.health.add_listener(lambda report: changes.append(report.state))
    emulator.unplug()
    assert wait_for(lambda: scanner.health.state == DeviceState.NO_DEVICE, 2.0), "no_device"
    emulator.scan(b"LOST")  # dropped with the cable
    emulator.plug()
    assert wait_for(lambda: scanner.health.state == DeviceState.ONLINE, 2.0), "online again"
    emulator.scan(RECEIPT)
    assert got.wait_count(1) == [RECEIPT.decode()]
    report = scanner.health.snapshot()
    assert report.counters["reconnects"] == 1
    # A pulled adapter is reported once, as no_device (never first offline), and the
    # recovery once.
    assert changes == [DeviceState.NO_DEVICE, DeviceState.ONLINE]


def test_missing_port_is_no_device_until_it_appears(tmp_path):
    link = str(tmp_path / "scanner")
    got = Collector()
    with SerialScanner(link, got, reconnect_interval=0.1) as scanner:
        assert wait_for(lambda: scanner.health.state == DeviceState.NO_DEVICE), "no_device"
        with SerialScannerEmulator(link) as emulator:
            assert wait_for(lambda: scanner.health.state == DeviceState.ONLINE), "online"
            emulator.scan(RECEIPT)
            assert got.wait_count(1) == [RECEIPT.decode()]
    assert scanner.health.state == DeviceState.OFFLINE  # stopped


def test_silent_scanner_stays_online_and_delivers_nothing(rig):
    emulator, scanner, got = rig
    emulator.silent = True
    emulator.scan(RECEIPT)
    time.sleep(0.2)
    assert got.texts() == [] and scanner.health.state == DeviceState.ONLINE
    emulator.silent = False
    emulator.scan(RECEIPT)
    assert got.wait_count(1) == [RECEIPT.decode()]


def test_feed_without_a_port_uses_the_same_path():
    got = Collector()
    scanner = SerialScanner("/dev/null-scanner", got)
    scanner.feed(b"]Q1ABC\r")  # aim_ids off: the prefix is part of the code
    scanner.feed(b"\nDEF\n")
    assert got.texts() == ["]Q1ABC", "DEF"]
