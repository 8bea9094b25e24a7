"""``kiosk-diag idcard read`` as staff run it, a subprocess against the emulator: the
whole card as JSON (dates YYYY-MM-DD, gender and nation by name), and for no card, a
silent port, a missing port, a broken line or a SAM fault one line on stderr, a non-zero
exit, no traceback, within the timeout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.samples import SAMPLES

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(sys.executable).with_name("kiosk-diag")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "kiosk.diag.cli"]
STARTUP = 3.0  # interpreter start-up allowance on a slow CI machine


def run(*args: str, timeout: float = 2.0) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.monotonic()
    proc = subprocess.run([*COMMAND, "idcard", "read", *args, "--timeout", f"{timeout:g}"],
                          capture_output=True, text=True, cwd=ROOT, timeout=timeout + 20,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    return proc, time.monotonic() - t0


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("rare_char", {"card_type": "resident", "name": "王𠮷", "gender": "女", "nation": "满",
                       "birth": "1985-06-15", "address": "辽宁省沈阳市和平区南京北街88号",
                       "id_number": "210102198506154028", "authority": "沈阳市公安局和平分局",
                       "valid_from": "2019-04-20", "valid_to": "2039-04-20"}),
        ("long_term", {"name": "陈德华", "gender": "男", "nation": "回", "valid_to": "长期"}),
        ("hmt", {"card_type": "hmt_residence", "pass_number": "H12345678", "issue_count": 2, "nation": None}),
        ("foreign_2023", {"card_type": "foreign_permanent_2023", "name": "马克",
                          "english_name": "WILLIAMS-ALEXANDER, MARK JONATHAN CHRISTOPH",
                          "nationality": "USA", "id_number": "911840198511020019"}),
    ],
)
def test_prints_the_card_as_json(emulator: IdCardEmulator, key: str, expected: dict) -> None:
    emulator.place(SAMPLES[key])
    proc, _ = run("--port", emulator.path, "--json")
    assert proc.returncode == 0, proc.stderr
    card = json.loads(proc.stdout)
    assert {k: card[k] for k in expected} == expected
    assert card["sam_id"] == emulator.sam_id and proc.stderr == ""


def test_plain_output_and_baud(emulator: IdCardEmulator) -> None:
    emulator.place(SAMPLES["middle_dot"])
    proc, _ = run("--port", emulator.path, "--baud", "115200")
    assert proc.returncode == 0, proc.stderr
    assert "name: 阿依古丽·买买提" in proc.stdout.splitlines()
    assert "birth: 1992-02-28" in proc.stdout.splitlines()


@pytest.mark.parametrize(
    ("setup", "code", "words"),
    [
        (lambda e: None, 3, "no card"),
        (lambda e: setattr(e, "silent", True), 5, "no reply"),
        (lambda e: e.unplug(), 4, "no device"),
        (lambda e: e.corrupt_next("checksum", 50), 5, "checksum"),
        (lambda e: setattr(e, "sam_fault", 0x60), 6, "SAM self-test failed"),
        (lambda e: (e.place(SAMPLES["resident"]), e.fail_next(bytes((0x30, 0x01)), 0x41, 50)), 7, "read"),
    ],
)
def test_failures_are_one_line_within_the_timeout(emulator: IdCardEmulator, setup, code: int,
                                                  words: str) -> None:
    setup(emulator)
    proc, elapsed = run("--port", emulator.path, "--json", timeout=1.0)
    assert proc.returncode == code
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk-diag: ") and words in lines[0]
    assert "Traceback" not in proc.stderr
    assert elapsed < 1.0 + STARTUP


def test_not_a_serial_port(tmp_path: Path) -> None:
    plain = tmp_path / "plain-file"
    plain.write_text("")
    proc, _ = run("--port", str(plain), "--json", timeout=1.0)
    assert proc.returncode != 0 and len(proc.stderr.splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_bad_timeout_is_a_usage_error() -> None:
    proc = subprocess.run([*COMMAND, "idcard", "read", "--port", "/dev/null", "--timeout", "-1"],
                          capture_output=True, text=True, cwd=ROOT, timeout=20)
    assert proc.returncode == 2 and "timeout" in proc.stderr and "Traceback" not in proc.stderr
