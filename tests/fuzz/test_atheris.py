"""A short coverage-guided run (atheris, libFuzzer) of each target in tests/fuzz/atheris_targets.py.

Each target runs in a child process from a seed corpus of good inputs (and the inputs that
once escaped as bare errors), for a few thousand inputs with a fixed seed; any error other
than the module's typed ones, or one input running past ``-timeout`` seconds, makes the
child exit non-zero and prints the input that did it. Skipped where atheris is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

REPO = Path(__file__).resolve().parents[2]
#: Inputs per target: the cheap codecs get more.
RUNS = {"idcard": 20_000, "printer": 20_000, "scanner": 2_000, "config": 3_000, "catalog": 3_000}


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("target", sorted(RUNS))
def test_coverage_guided_run_finds_nothing(tmp_path: Path, target: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_FUZZ_WORK": str(tmp_path / "work")}
    module = [sys.executable, "-m", "tests.fuzz.atheris_targets"]
    corpus = tmp_path / "corpus"
    subprocess.run([*module, "--seeds", target, str(corpus)], cwd=REPO, env=env, check=True, timeout=120)
    assert any(corpus.iterdir())
    run = subprocess.run([*module, target, f"-runs={RUNS[target]}", "-seed=20261123", "-timeout=20",
                          "-max_len=8192", f"-artifact_prefix={tmp_path}/", str(corpus)],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=280)
    tail = "\n".join(line for line in run.stderr.splitlines() if not line.startswith("INFO: Instrumenting"))
    assert run.returncode == 0, tail[-3000:]
    assert f"Done {RUNS[target]} runs" in run.stderr
