"""The benches of QR decoding, the receipt and the ID card still run and print sane figures.

Each runs once with ``--quick`` as a child process, as anyone would run it; the test reads
its table: every row there, every time positive, and what is not a matter of speed (the
kiosk's decoder reads every code, the GBK one too; the receipt reads back from the emulated
printer; the read's bytes on the line) checked exactly.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def run(bench: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / bench), "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=540)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.match(r"machine: .+, \d+ cores, (\d+\.\d GB RAM, )?Python 3\.", done.stdout.splitlines()[0])
    return done.stdout


def rows(out: str, label: str) -> list[list[float]]:
    """The numbers of every line that starts with ``label`` (after the label itself)."""
    found = [[float(n) for n in NUMBER.findall(line[len(label):].split("  (")[0])]
             for line in out.splitlines() if line.startswith(label)]
    assert found, f"no row {label!r} in:\n{out}"
    return found


@pytest.mark.timeout(600)
def test_qr_bench() -> None:
    out = run("qr.py")
    assert "640x480:" in out and "1280x720:" in out
    for label in ("kiosk (zxing→zbar)", "zxing-cpp alone", "pyzbar all", "pyzbar QR only",
                  "opencv QRCodeDetector"):
        for numbers in rows(out, label):  # one row a resolution
            assert len(numbers) >= 9 and all(n > 0 for n in numbers[:6]), (label, numbers)
    for line in (ln for ln in out.splitlines() if ln.startswith("kiosk (zxing→zbar)")):
        assert " 9/9 " in line and line.rstrip().endswith("0  -"), line  # every code, GBK too


@pytest.mark.timeout(600)
def test_receipt_bench() -> None:
    out = run("receipt.py")
    for paper in ("80mm", "58mm"):
        med, p95, total, text, qr, cmds = rows(out, f"compose + render {paper}")[0]
        assert 0 < med <= p95 and total == text + qr + cmds and qr > 0 and text > 300
    assert all(n > 0 for n in rows(out, "python-escpos QR as image 80mm")[0])
    assert "read back right: True" in out
    pty_med, _p95 = rows(out, "print_document over the pty")[0][:2]
    wire_9600 = rows(out, "on the wire at 9600 baud")[0][-1]
    assert pty_med > 0 and wire_9600 > 500  # about a kilobyte at 960 bytes a second


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_idcard_bench() -> None:
    out = run("idcard.py")
    line_bytes = int(re.search(r"one read on the line: (\d+) bytes", out).group(1))
    assert line_bytes > 1024 + 256  # photo and text at the least
    for label in ("driver: one poll cycle", "driver: placed → on_card", "on screen: placed → masked name drawn",
                  "  placed → on_card (driver thread)", "  label set → frame drawn"):
        n, med, p95, ratio = rows(out, label)[0][-4:]
        assert n >= 1 and 0 < med <= p95 and ratio > 0, (label, med, p95, ratio)
