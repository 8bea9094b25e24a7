"""``kiosk-diag printer`` as a maintenance engineer runs it, as a subprocess against the
emulator on a pty: status as JSON for each condition (exit 0), a silent or missing port is
a non-zero exit with one line on stderr within a couple of seconds, one that answers only
DLE EOT 1 is reported offline and gets no receipt; the sample receipt's
bytes, for 58 and 80 mm, decode back to the expected text and QR payload, and it prints."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drivers.printer.emulator import PrinterEmulator
from drivers.printer.layout import text_width
from drivers.printer.readback import read_back

ROOT = Path(__file__).resolve().parents[3]


def diag(*args, timeout=10):
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "kiosk.diag.cli", "printer", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    return proc, time.monotonic() - start


def one_line_failure(proc):
    assert proc.returncode != 0 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    return lines[0]


@pytest.fixture
def emu():
    with PrinterEmulator() as emulator:
        yield emulator


@pytest.mark.parametrize("conditions, expected", [
    ({}, {"state": "online", "paper": "ok", "cover_open": False}),
    ({"paper": "low"}, {"state": "online", "paper": "low", "cover_open": False}),
    ({"paper": "out"}, {"state": "user_error", "paper": "out", "cover_open": False,
                        "offline_causes": ["paper_end_stop"]}),
    ({"cover_open": True}, {"state": "user_error", "paper": "ok", "cover_open": True,
                            "offline_causes": ["cover_open"]}),
    ({"cutter_error": True}, {"state": "hardware_error", "error_causes": ["autocutter"]}),
    ({"answers": (1,)}, {"state": "offline", "paper": "unknown", "cover_open": None,
                         "unanswered": [2, 3, 4]}),
    ({"answers": (1, 2, 3)}, {"state": "offline", "paper": "unknown", "unanswered": [4]}),
])
def test_status_json(emu, conditions, expected):
    emu.set_conditions(**conditions)
    proc, _ = diag("status", "--port", emu.path, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {key: out[key] for key in expected} == expected
    assert set(out) >= {"state", "paper", "cover_open", "offline_causes", "error_causes"}


def test_silent_port_fails_in_one_line_quickly(emu):
    emu.silent = True
    proc, took = diag("status", "--port", emu.path, "--json")
    assert "no answer" in one_line_failure(proc)
    assert took < 3.0  # interpreter start included; the query itself gives up after 0.3 s


def test_missing_port_fails_in_one_line(tmp_path):
    proc, _ = diag("status", "--port", str(tmp_path / "ttyUSB9"), "--json")
    assert "no device" in one_line_failure(proc)


EXPECTED_58 = [
    "受理回执",
    "-" * 32,
    "事项名称：房屋租赁登记备案",
]
IDENTITY = ["设备名称：政务服务自助一体机", "类别：24小时自助服务终端",
            "维护单位：二七区政务服务中心", "联系电话：0371-68665010"]


@pytest.mark.parametrize("width, columns", [("58", 32), ("80", 48)])
def test_sample_receipt_file_decodes_back(tmp_path, width, columns):
    out = tmp_path / "receipt.bin"
    proc, _ = diag("receipt", "--sample", "--out", str(out), "--width", width, "--json")
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    assert json.loads(proc.stdout)["bytes"] == len(data)
    assert data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x00")
    assert b"\x1c&" + "受理编号：".encode("gb18030") in data  # GB18030 in Chinese mode
    printout = read_back(data)
    lines = printout.nonblank()
    assert all(text_width(line) <= columns for line in lines)
    assert printout.qr_codes == ["ZZ-EQ-0001-20261122-000042"] and printout.cuts == 1
    foot = lines[lines.index("设备身份证"):]
    assert all(any(line.startswith(want) for line in foot) for want in IDENTITY)  # the identity card at the foot
    assert "申请人：张*三" in lines and "证件号码：110105********002X" in lines
    if width == "58":
        assert lines[:3] == EXPECTED_58
        assert "受理编号：ZZ-EQ-0001-20261122-" in lines  # wrapped at a hyphen on 32 columns
    else:
        assert "受理编号：ZZ-EQ-0001-20261122-000042" in lines
        assert "受理时间：2026-11-22 14:03:27" in lines
    title = printout.lines[0]
    assert (title.text, title.align, title.bold, title.width) == ("受理回执", "center", True, 2)
    assert "张小三" not in printout.text and "11010519491231002X" not in printout.text


def test_sample_receipt_prints_on_the_printer(emu):
    proc, _ = diag("receipt", "--sample", "--port", emu.path, "--width", "58", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["printed"] is True
    printout = emu.wait_for_cuts(1)
    assert printout.qr_codes == ["ZZ-EQ-0001-20261122-000042"]
    assert printout.nonblank()[:3] == EXPECTED_58


def test_sample_receipt_refused_when_paper_is_out(emu):
    emu.set_conditions(paper="out")
    proc, _ = diag("receipt", "--sample", "--port", emu.path)
    assert "paper out" in one_line_failure(proc)
    assert emu.print_data == b""


def test_sample_receipt_refused_when_the_printer_answers_only_dle_eot_1(emu):
    emu.set_conditions(answers=(1,))
    proc, _ = diag("receipt", "--sample", "--port", emu.path)
    assert "not ready: printer did not answer DLE EOT 2, 3, 4" in one_line_failure(proc)
    assert emu.print_data == b""


def test_receipt_needs_a_destination_and_the_sample_flag(tmp_path):
    proc, _ = diag("receipt", "--sample")
    assert proc.returncode == 2 and "--out" in one_line_failure(proc)
    proc, _ = diag("receipt", "--out", str(tmp_path / "r.bin"))
    assert proc.returncode == 2 and "--sample" in one_line_failure(proc)
    assert not (tmp_path / "r.bin").exists()
