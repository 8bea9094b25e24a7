"""The driver against the emulator over a real pty: health follows paper low / out, cover
open, cutter and unrecoverable errors and comes back when they clear; a silent printer
turns it offline and a pulled cable no_device (reported once, not first offline) within
2 s (paper unknown, never stale "ok") and it returns by itself; a printer that answers
DLE EOT 1 but not 2–4 is offline and refuses to print, and returns when it answers all
again; a print is refused before any byte when paper is out or the
cover is open, a roll that ends mid-job is reported, a good print is read back and counted."""

import time

import pytest

from drivers.errors import DeviceUnavailable
from drivers.health import DeviceState
from drivers.printer.document import Document
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.errors import CoverOpen, PaperOut, PrinterFault, PrintIncomplete
from drivers.printer.printer import ReceiptPrinter
from drivers.printer.profiles import PAPER_58
from tests.waiting import wait_for


@pytest.fixture
def emu():
    with PrinterEmulator() as emulator:
        yield emulator


def make(emu, interval):
    printer = ReceiptPrinter.serial(emu.path, profile=PAPER_58, status_interval=interval)
    printer.start()
    assert wait_for(lambda: printer.health.state is DeviceState.ONLINE)
    return printer


@pytest.fixture
def printer(emu):
    p = make(emu, 0.2)
    yield p
    p.stop()


@pytest.fixture
def slow_printer(emu):
    """Polling once a second, as the kiosk runs it: the 2-second promises hold at this pace."""
    p = make(emu, 1.0)
    yield p
    p.stop()


def detail(p):
    return dict(p.health.snapshot().detail)


def receipt():
    return Document().text("受理回执", align="center", bold=True).kv("受理编号", "ZZ-EQ-0001-20261122-000042") \
        .kv("申请人", "张*三").qr("ZZ-EQ-0001-20261122-000042").cut()


def test_online_detail_always_has_paper_and_cover(printer):
    assert detail(printer)["paper"] == "ok" and detail(printer)["cover_open"] is False
    counters = printer.health.snapshot().counters
    assert counters["receipts_printed"] == 0 and counters["paper_mm"] == 0


def test_detail_is_there_before_start():
    printer = ReceiptPrinter.serial("/nonexistent/printer")
    assert detail(printer)["paper"] == "unknown" and detail(printer)["cover_open"] is None


@pytest.mark.parametrize("conditions, state, paper, cover, causes", [
    ({"paper": "low"}, DeviceState.ONLINE, "low", False, []),
    ({"paper": "out"}, DeviceState.USER_ERROR, "out", False, []),
    ({"cover_open": True}, DeviceState.USER_ERROR, "ok", True, []),
    ({"cutter_error": True}, DeviceState.HARDWARE_ERROR, "ok", False, ["autocutter"]),
    ({"unrecoverable_error": True}, DeviceState.HARDWARE_ERROR, "ok", False, ["unrecoverable"]),
])
def test_conditions_and_recovery(emu, printer, conditions, state, paper, cover, causes):
    emu.set_conditions(**conditions)
    assert wait_for(lambda: detail(printer)["paper"] == paper and printer.health.state is state)
    assert detail(printer)["cover_open"] is cover and detail(printer)["error_causes"] == causes
    emu.set_conditions(paper="ok", cover_open=False, cutter_error=False, unrecoverable_error=False)
    assert wait_for(lambda: printer.health.state is DeviceState.ONLINE and detail(printer)["paper"] == "ok")


def test_a_fault_is_reported_once_and_its_recovery_once(emu, printer):
    seen = []
    printer.health.add_listener(lambda report: seen.append(report.state))
    emu.set_conditions(paper="out")
    assert wait_for(lambda: printer.health.state is DeviceState.USER_ERROR)
    time.sleep(0.7)  # several more polls of the same state
    emu.set_conditions(paper="ok")
    assert wait_for(lambda: printer.health.state is DeviceState.ONLINE)
    time.sleep(0.5)
    assert seen == [DeviceState.USER_ERROR, DeviceState.ONLINE]


def test_good_print_is_read_back_and_counted(emu, printer):
    result = printer.print_document(receipt())
    printout = emu.wait_for_cuts(1)
    assert printout.nonblank()[:2] == ["受理回执", "受理编号：ZZ-EQ-0001-20261122-"]
    assert printout.qr_codes == ["ZZ-EQ-0001-20261122-000042"] and printout.cuts == 1
    counters = printer.health.snapshot().counters
    assert counters["receipts_printed"] == 1 and counters["paper_mm"] == round(result.paper_mm) > 0
    printer.print_document(receipt())
    assert printer.health.snapshot().counters["paper_mm"] == 2 * round(result.paper_mm)
    printer.reset_paper_counter()
    counters = printer.health.snapshot().counters
    assert counters["paper_mm"] == 0 and counters["receipts_printed"] == 2


@pytest.mark.parametrize("conditions, error", [
    ({"paper": "out"}, PaperOut),
    ({"cover_open": True}, CoverOpen),
    ({"cutter_error": True}, PrinterFault),
    ({"feed_button": True}, PrinterFault),  # busy feeding: not now
])
def test_print_refused_before_any_byte(emu, printer, conditions, error):
    emu.set_conditions(**conditions)
    with pytest.raises(error) as info:
        printer.print_document(receipt())
    assert info.value.code == {PaperOut: "paper_out", CoverOpen: "cover_open",
                               PrinterFault: "printer_fault"}[error]
    time.sleep(0.1)
    assert emu.print_data == b"" and emu.status_queries  # asked, sent nothing
    assert printer.health.snapshot().counters.get("receipts_printed", 0) == 0


def test_paper_running_out_during_the_job_is_reported(emu, printer):
    emu.paper_runs_out_after = 50
    with pytest.raises(PrintIncomplete):
        printer.print_document(receipt())
    assert printer.health.state is DeviceState.USER_ERROR and detail(printer)["paper"] == "out"
    assert printer.health.snapshot().counters.get("receipts_printed", 0) == 0


def test_line_noise_on_a_reply_is_asked_again(emu, printer):
    seen = []
    printer.health.add_listener(lambda report: seen.append(report.state))
    before = len(emu.status_queries)
    emu.inject_noise(b"\xff")
    assert wait_for(lambda: len(emu.status_queries) >= before + 9)  # two polls and a retry
    queries = emu.status_queries[before:]
    assert any(a == b for a, b in zip(queries, queries[1:]))  # the noisy one was asked again
    assert seen == [] and printer.health.state is DeviceState.ONLINE


def test_silent_printer_goes_offline_within_2s_and_returns(emu, slow_printer):
    emu.silent = True
    start = time.monotonic()
    assert wait_for(lambda: slow_printer.health.state is DeviceState.OFFLINE, 2.0)
    assert time.monotonic() - start < 2.0
    assert detail(slow_printer)["paper"] == "unknown" and detail(slow_printer)["cover_open"] is None
    with pytest.raises(DeviceUnavailable):
        slow_printer.print_document(receipt())
    assert emu.print_data == b""
    emu.silent = False
    assert wait_for(lambda: slow_printer.health.state is DeviceState.ONLINE, 2.0)
    assert detail(slow_printer)["paper"] == "ok"


def test_unplug_is_no_device_once_within_2s_and_comes_back_by_itself(emu, slow_printer):
    changes = []
    slow_printer.health.add_listener(lambda report: changes.append(report.state))
    emu.unplug()
    start = time.monotonic()
    assert wait_for(lambda: slow_printer.health.state is DeviceState.NO_DEVICE, 2.0)
    assert time.monotonic() - start < 2.0
    assert detail(slow_printer)["paper"] == "unknown"
    emu.set_conditions(paper="low")
    emu.plug()
    start = time.monotonic()
    assert wait_for(lambda: slow_printer.health.state is DeviceState.ONLINE, 2.0)
    assert time.monotonic() - start < 2.0
    assert detail(slow_printer)["paper"] == "low"
    assert slow_printer.health.snapshot().counters["reconnects"] >= 1
    assert [s for s in changes if s is not DeviceState.ONLINE] == [DeviceState.NO_DEVICE]
    slow_printer.print_document(receipt())
    assert emu.wait_for_cuts(1).qr_codes == ["ZZ-EQ-0001-20261122-000042"]


@pytest.mark.parametrize("answers, missing", [((1,), "2, 3, 4"), ((1, 2, 4), "3")],
                         ids=["only-1", "no-3"])  # every combination: test_status, test_emulator
def test_printer_answering_only_some_queries_is_offline_and_not_printable(emu, printer, answers, missing):
    emu.set_conditions(answers=answers)
    assert wait_for(lambda: printer.health.state is DeviceState.OFFLINE, 2.0)
    report = printer.health.snapshot()
    assert f"did not answer DLE EOT {missing}" in report.reason
    assert report.detail["paper"] == "unknown" and report.detail["cover_open"] is None
    with pytest.raises(DeviceUnavailable):  # "not connected", or "not ready" mid-reconnect
        printer.print_document(receipt())
    assert emu.print_data == b""  # nothing was sent
    time.sleep(0.3)  # reconnect attempts meanwhile: it does not flap back to online
    assert printer.health.state is DeviceState.OFFLINE
    emu.set_conditions(answers=(1, 2, 3, 4))
    assert wait_for(lambda: printer.health.state is DeviceState.ONLINE, 2.0)
    assert detail(printer)["paper"] == "ok"
    printer.print_document(receipt())
    assert emu.wait_for_cuts(1).cuts == 1


def test_starting_on_a_missing_port_is_no_device(tmp_path):
    printer = ReceiptPrinter.serial(str(tmp_path / "printer"), status_interval=1.0)
    with printer:
        assert wait_for(lambda: printer.health.state is DeviceState.NO_DEVICE)
        assert detail(printer)["paper"] == "unknown"


def test_stopped_printer_reports_unknown_paper(emu):
    printer = make(emu, 0.2)
    printer.stop()
    assert printer.health.state is DeviceState.OFFLINE and detail(printer)["paper"] == "unknown"
