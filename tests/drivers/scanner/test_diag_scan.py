"""``kiosk-diag scan decode IMAGE... --json``, run as a subprocess as a technician would:
one JSON line per image with its codes (GBK and UTF-8 Chinese read right), an empty
list for an image without a code, an ``error`` key for a file that cannot be read (a
FIFO included: refused at once, never read and waited on) —
the other images still decoded, exit 1 and ONE line on stderr, no traceback; exit 0
when every image was read. Plain output and ``--help`` are checked too."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.drivers.scanner.qrimages import RECEIPT_NO, blank_frame, on_frame, render_qr, write_png

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / ".venv" / "bin" / "kiosk-diag"


def kiosk_diag(*args, timeout=30):
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "kiosk.diag.cli"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*command, *args], capture_output=True, timeout=timeout, cwd=ROOT,
                          env=env)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    return {
        "receipt": write_png(folder / "receipt.png", on_frame(render_qr(RECEIPT_NO.encode()), angle=12)),
        "gbk": write_png(folder / "gbk.png", render_qr("张三 受理编号".encode("gbk"))),
        "utf8": write_png(folder / "utf8.png", render_qr("办事指南".encode("utf-8"))),
        "blank": write_png(folder / "blank.png", blank_frame()),
        "binary": write_png(folder / "binary.png", render_qr(b"\xff\xfe\x00junk")),
        "corrupt": str(_corrupt(folder / "corrupt.png")),
        "missing": str(folder / "missing.jpg"),
    }


def _corrupt(path):
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30)
    return path


def lines(result):
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def test_good_images_one_line_each_exit_0(images):
    names = ["receipt", "gbk", "utf8", "blank", "binary"]
    result = kiosk_diag("scan", "decode", *(images[n] for n in names), "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert lines(result) == [
        {"image": images["receipt"], "codes": [{"format": "QRCode", "text": RECEIPT_NO, "encoding": "utf-8"}]},
        {"image": images["gbk"], "codes": [{"format": "QRCode", "text": "张三 受理编号", "encoding": "gb18030"}]},
        {"image": images["utf8"], "codes": [{"format": "QRCode", "text": "办事指南", "encoding": "utf-8"}]},
        {"image": images["blank"], "codes": []},
        {"image": images["binary"], "codes": [{"format": "QRCode", "text": None, "error": "scan_bad_encoding"}]},
    ]


def test_unreadable_files_get_an_error_and_exit_1(images):
    result = kiosk_diag("scan", "decode", images["corrupt"], images["receipt"], images["missing"],
                        "--json")
    assert result.returncode == 1
    out = lines(result)
    assert [line["image"] for line in out] == [images["corrupt"], images["receipt"], images["missing"]]
    assert "error" in out[0] and out[0]["codes"] == [] and out[0]["error_code"] == "scan_unreadable_image"
    assert out[1]["codes"][0]["text"] == RECEIPT_NO and "error" not in out[1]
    assert "No such file" in out[2]["error"]
    stderr = result.stderr.decode()
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert "2 of 3 image(s) could not be read" in stderr


def test_a_fifo_is_an_unreadable_file_not_a_hang(images, tmp_path):
    """A FIFO with no writer would block a reader for ever: it gets its error line at once."""
    fifo = tmp_path / "camera.png"
    os.mkfifo(fifo)
    result = kiosk_diag("scan", "decode", str(fifo), images["receipt"], "--json", timeout=15)
    assert result.returncode == 1
    out = lines(result)
    assert out[0] == {"image": str(fifo), "codes": [], "error": f"not a regular file: {fifo}",
                      "error_code": "scan_unreadable_image"}
    assert out[1]["codes"][0]["text"] == RECEIPT_NO
    stderr = result.stderr.decode()
    assert stderr.count("\n") == 1 and "1 of 2 image(s) could not be read" in stderr


def test_plain_output(images):
    result = kiosk_diag("scan", "decode", images["gbk"], images["blank"])
    assert result.returncode == 0
    assert result.stdout.decode().splitlines() == [
        f"{images['gbk']}: 1 code(s)", "  QRCode: 张三 受理编号", f"{images['blank']}: 0 code(s)"]


def test_help_documents_the_exit_status():
    result = kiosk_diag("scan", "decode", "--help")
    assert result.returncode == 0
    assert b"Exit status" in result.stdout and b"could not be read" in result.stdout


def test_no_image_is_a_usage_error():
    result = kiosk_diag("scan", "decode", "--json")
    assert result.returncode == 2 and b"IMAGE" in result.stderr
