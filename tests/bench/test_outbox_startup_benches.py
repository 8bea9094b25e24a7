"""bench/startup.py and bench/outbox.py run with ``--quick`` as one command each, print every
row, and their figures make sense (counts exact, times positive, the kiosk heavier than a
bare Kivy app, the agent's memory flat as the backlog grows). No wall-clock threshold: the
machine is shared; the figures themselves are the lead's to read."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NUMBER = r"([0-9]+(?:\.[0-9]+)?)"


def run_bench(name: str) -> str:
    done = subprocess.run([sys.executable, f"bench/{name}", "--quick"], cwd=ROOT, capture_output=True,
                          text=True, timeout=540)
    assert done.returncode == 0, (done.stdout[-1000:], done.stderr[-2000:])
    assert done.stdout.startswith("machine: "), done.stdout[:300]
    assert "cores" in done.stdout.splitlines()[0] and "Python 3." in done.stdout.splitlines()[0]
    return done.stdout


def row(out: str, label: str, fields: int) -> list[float]:
    """The numbers after ``label`` on its line."""
    for line in out.splitlines():
        if line.startswith(label):
            numbers = [float(n) for n in re.findall(NUMBER, line[len(label):])]
            assert len(numbers) >= fields, line
            return numbers[:fields]
    raise AssertionError(f"no row {label!r} in:\n{out}")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_startup_bench_reaches_home_and_guide_in_both_apps():
    out = run_bench("startup.py")
    n_min, start_min, _ = row(out, "start-up, minimal Kivy app", 3)
    n_kiosk, start_kiosk, _ = row(out, "start-up, kiosk --simulate", 3)
    assert n_min == n_kiosk == 1
    assert 0 < start_min < start_kiosk < 180  # the kiosk does far more than one Label
    _, rss_min, _ = row(out, "RSS at interactive, minimal", 3)
    _, rss_kiosk, _ = row(out, "RSS at interactive, kiosk", 3)
    assert 20 < rss_min < rss_kiosk < 4096
    n_to_guide, to_guide, to_guide_p95 = row(out, "tap home tile → guide drawn", 3)
    n_to_home, to_home, _ = row(out, "tap cancel on guide → home drawn", 3)
    assert n_to_guide == n_to_home == 2
    assert 0 < to_guide <= to_guide_p95 < 30_000 and 0 < to_home < 30_000
    n_cpu, cpu_to_guide, _ = row(out, "  main-thread CPU, tap → guide", 3)
    assert n_cpu == 2 and 0 < cpu_to_guide <= to_guide * 1.05  # CPU of one thread within its wall time
    n_idle, idle_cpu, _ = row(out, "CPU of the kiosk idle on home", 3)
    assert n_idle == 1 and 0 < idle_cpu < 200  # two cores at most
    assert "kiosk / minimal start-up (medians):" in out


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_outbox_bench_delivers_every_transaction_with_flat_memory():
    out = run_bench("outbox.py")
    txns, seconds, rate = row(out, "plain POST loop (the limit)", 3)
    assert txns == 300 and seconds > 0 and rate > 0
    txns, seconds, rate = row(out, "agent (Agent.drain)", 3)
    assert txns == 300 and seconds > 0 and rate > 0  # the bench itself checks both backends hold 300
    assert "of the limit" in out
    rss = {}
    for backlog in (100, 1000):
        delivered, rss_open, rss_peak, traced, rate = row(out, f"{backlog} ", 5)
        assert delivered == 100 and 0 < rss_open <= rss_peak and traced > 0 and rate > 0
        rss[backlog] = rss_peak
    assert rss[1000] < rss[100] * 1.2  # ten times the backlog, not more memory
    assert "(flat)" in out
