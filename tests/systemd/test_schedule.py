"""The nightly power-off: the generator gives the timer its time from schedule.env (or none),
the script sets the RTC alarm for the next wake time before powering off (or stays on), and
the beacon's availability counts the night off as not serving.

The script runs for real under sh with the real `date`; `rtcwake` and `systemctl` are stand-ins
on PATH that record their arguments — the real ones would set this machine's alarm and power
it off."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.agent.availability import Availability
from tests.support.memory_outbox import MemoryKV
from tests.systemd.units import PREFIX, SYSTEMD_DIR, make_root, verify

GENERATOR = SYSTEMD_DIR / "kiosk-schedule-generator"
SCRIPT = SYSTEMD_DIR / "kiosk-nightly-off"
ZONE = "Asia/Shanghai"


def generate(tmp_path: Path, schedule: str | None) -> subprocess.CompletedProcess:
    env_file = tmp_path / "schedule.env"
    if schedule is not None:
        env_file.write_text(schedule)
    out = tmp_path / "gen"
    return subprocess.run(["sh", str(GENERATOR), str(out), str(out), str(out)], capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "KIOSK_SCHEDULE_ENV": str(env_file)}, timeout=30)


def dropin(tmp_path: Path) -> Path:
    return tmp_path / "gen/kiosk-nightly-off.timer.d/schedule.conf"


def test_the_shipped_schedule_gives_the_timer_its_time(tmp_path) -> None:
    done = generate(tmp_path, (SYSTEMD_DIR / "schedule.env").read_text())
    assert done.returncode == 0 and done.stderr == ""
    calendar = [line for line in dropin(tmp_path).read_text().splitlines() if line.startswith("OnCalendar=")]
    assert calendar == [f"OnCalendar=*-*-* 21:30:00 {ZONE}"]
    shown = subprocess.run(["systemd-analyze", "calendar", calendar[0].split("=", 1)[1]], capture_output=True,
                           text=True, env={**os.environ, "TZ": "UTC"}, timeout=30)
    assert shown.returncode == 0 and "13:30:00 UTC" in shown.stdout  # 21:30 in Shanghai


def test_quotes_and_spaces_as_an_operator_may_write_them(tmp_path) -> None:
    assert generate(tmp_path, 'KIOSK_OFF_AT="22:15"\nKIOSK_TZ= Asia/Urumqi \n').returncode == 0
    assert "OnCalendar=*-*-* 22:15:00 Asia/Urumqi" in dropin(tmp_path).read_text()


@pytest.mark.parametrize("schedule,why", [
    ("KIOSK_OFF_AT=9:30\n", "not a time"),
    ("KIOSK_OFF_AT=24:00\n", "not a time"),
    ("KIOSK_OFF_AT=21:30\nKIOSK_TZ=Mars/Olympus\n", "not a known time zone"),
    ("KIOSK_OFF_AT=21:30\nKIOSK_TZ=../../etc/passwd\n", "not a time zone name"),
    ("KIOSK_WAKE_AT=07:00\n", "not a time"),
])
def test_a_bad_schedule_gives_the_timer_no_time(tmp_path, schedule, why) -> None:
    done = generate(tmp_path, schedule)
    assert done.returncode == 0 and why in done.stderr  # a generator must not fail the boot
    assert not dropin(tmp_path).exists()


def test_no_schedule_file_is_quietly_no_schedule(tmp_path) -> None:
    done = generate(tmp_path, None)
    assert done.returncode == 0 and done.stderr == "" and not dropin(tmp_path).exists()


def test_a_timer_without_a_time_is_refused_by_systemd(tmp_path) -> None:
    units = [(SYSTEMD_DIR / name, name) for name in ("kiosk-nightly-off.timer", "kiosk-nightly-off.service")]
    root = make_root(tmp_path / "root", units, [f"{PREFIX}/libexec/kiosk-nightly-off"])
    assert "lacks value setting" in verify(root, "kiosk-nightly-off.timer").stderr  # it will never fire


# -- the script ------------------------------------------------------------------------------------
def run_script(tmp_path: Path, wake: str, zone: str = ZONE, rtcwake_rc: int = 0) -> tuple[int, list[str], str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls"
    for name, rc in (("rtcwake", rtcwake_rc), ("systemctl", 0)):
        (bin_dir / name).write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\nexit {rc}\n')
        (bin_dir / name).chmod(0o755)
    done = subprocess.run(["sh", str(SCRIPT)], capture_output=True, text=True, timeout=30,
                          env={"PATH": f"{bin_dir}:{os.environ['PATH']}", "KIOSK_WAKE_AT": wake, "KIOSK_TZ": zone})
    calls = log.read_text().splitlines() if log.exists() else []
    return done.returncode, calls, done.stderr


def next_wake(wake: str, zone: str = ZONE) -> int:
    """What the script must choose: today's wake time, or tomorrow's once it is (nearly) past."""
    tz = ZoneInfo(zone)
    now = datetime.now(tz)
    hour, minute = map(int, wake.split(":"))
    at = datetime.combine(now.date(), time(hour, minute), tzinfo=tz)
    if at.timestamp() <= now.timestamp() + 60:
        at = datetime.combine(now.date() + timedelta(days=1), time(hour, minute), tzinfo=tz)
    return int(at.timestamp())


@pytest.mark.parametrize("hours", [3, -3])
def test_the_alarm_is_set_for_the_next_wake_time_then_the_machine_goes_off(tmp_path, hours) -> None:
    wake = (datetime.now(ZoneInfo(ZONE)) + timedelta(hours=hours)).strftime("%H:%M")
    rc, calls, err = run_script(tmp_path, wake)
    assert rc == 0, err
    assert calls == [f"rtcwake --mode no --time {next_wake(wake)}", "systemctl poweroff"]
    assert 0 < next_wake(wake) - datetime.now().timestamp() <= 86400


def test_an_alarm_that_cannot_be_set_leaves_the_machine_on(tmp_path) -> None:
    rc, calls, err = run_script(tmp_path, "07:30", rtcwake_rc=1)
    assert rc == 1 and "staying on" in err
    assert [c.split()[0] for c in calls] == ["rtcwake"]  # no poweroff


@pytest.mark.parametrize("wake,zone", [("7:30", ZONE), ("07:61", ZONE), ("", ZONE), ("07:30", "Nowhere/City")])
def test_a_bad_wake_time_leaves_the_machine_on(tmp_path, wake, zone) -> None:
    rc, calls, err = run_script(tmp_path, wake, zone)
    assert rc == 1 and "staying on" in err and calls == []


# -- the beacon tells the truth about the night -------------------------------------------------------
def test_a_night_powered_off_counts_as_not_serving() -> None:
    """Serving 07:30-21:30, off until 07:30: the agent samples every 10 s while the machine is
    on (max gap as the runner sets it) and nothing at night."""
    kv = MemoryKV()
    availability = Availability(kv, max_gap_s=max(3 * 10, 2 * 60))
    day = datetime(2026, 11, 23, tzinfo=ZoneInfo(ZONE))
    on, off = day.replace(hour=7, minute=30).timestamp(), day.replace(hour=21, minute=30).timestamp()
    t = on
    while t <= off:
        availability.sample(t, True)
        t += 10
    morning = on + 86400
    availability.sample(morning, True)  # the first sample after the RTC woke it
    availability.sample(morning + 10, True)
    serving = availability.serving_s(morning + 10)
    # the last 24 h run from 07:30:10 yesterday: 14 h of day less its first 10 s, plus the 10 s
    # since waking; the 10 h off are not serving
    assert serving == 14 * 3600
    assert Availability(kv, 120).serving_s(morning + 10) == serving  # as a restarted agent reads it
