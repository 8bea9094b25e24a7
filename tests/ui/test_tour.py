"""The guided tour (``kiosk --simulate --tour DIR``): played in-process on the test window
(offscreen: the pictures are black but real PNGs of the window), it leaves a picture of every
main screen, the receipt's ESC/POS bytes as the printer emulator got them, and the
transaction at the county; the command line refuses ``--tour`` without ``--simulate``."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.simulation import tour as tour_module
from kiosk.simulation.tour import run_tour
from kiosk.simulation.tour_steps import STEPS

PICTURES = ["01-home", "01b-home-english", "02-home-elder", "03-catalog", "04-guide", "05-identify",
            "06-face", "07-form", "07b-form-pinyin", "08-materials", "09-signature", "10-confirm", "11-receipt", "12-rating", "13-progress",
            "14-progress-result", "15-certificate", "16-out-of-service", "17-idle-countdown"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
def test_the_tour_pictures_every_screen_and_reaches_the_county(tmp_path, monkeypatch, capsys):
    real_in_backend = tour_module.Tour.in_backend
    checked = []

    def in_backend(self, txn_id):  # the real question, its answer and the tour noted
        answer = real_in_backend(self, txn_id)
        checked.append((txn_id, answer, self))
        return answer

    monkeypatch.setattr(tour_module.Tour, "in_backend", in_backend)

    assert run_tour(tmp_path) == 0, capsys.readouterr().err

    out = capsys.readouterr().out
    assert [s for s, _ in STEPS if s in PICTURES] == PICTURES
    for name in PICTURES:
        assert png_size(tmp_path / f"{name}.png") == (1080, 1920), name
        assert f"tour: {name}" in out
    assert not list(tmp_path.glob("failed-*"))

    tour = checked[-1][2]
    receipt = (tmp_path / "receipt.bin").read_bytes()
    assert receipt.startswith(b"\x1b\x40")  # ESC @: the printer initialised for the receipt
    assert receipt == tour.receipt_bytes
    assert tour.receipt_number and tour.receipt_number.encode("ascii") in receipt
    assert tour.receipt_number == tour.txn_id
    assert checked[-1][:2] == (tour.txn_id, True)  # the county's database held it at the end
    assert tour.session.item is None and tour.session.applicant is None  # the idle wipe


def test_tour_without_simulate_is_refused_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "kiosk.main", "--config", str(tmp_path / "k.toml"),
                           "--tour", str(tmp_path / "tour")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--tour" in lines[0] and "--simulate" in lines[0]
    assert not (tmp_path / "tour").exists()


def test_tour_with_devices_only_is_refused(tmp_path):
    from kiosk.main import main

    assert main(["--simulate", "--devices-only", "--tour", str(tmp_path / "tour")]) == 2
    assert not (tmp_path / "tour").exists()


def test_a_failing_step_is_named_in_one_line(tmp_path, monkeypatch, capsys):
    from kiosk.simulation import tour_steps

    def broken(tour):
        tour.shot("01-home")
        raise tour_module.StepFailed("the kiosk did not answer")

    monkeypatch.setattr(tour_steps, "STEPS", [("01-home", broken)])
    assert run_tour(tmp_path) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["kiosk --tour: step 01-home failed: StepFailed: the kiosk did not answer"]
    assert png_size(tmp_path / "failed-01-home.png") == (1080, 1920)
    assert "the kiosk did not answer" in (tmp_path / "failed-01-home.txt").read_text()
