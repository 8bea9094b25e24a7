"""Volume and quiet hours with a fixed clock."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from kiosk.config import Voice
from kiosk.voice.volume import in_quiet_hours, volume_at

NIGHT = Voice(volume=80, quiet_start="22:00", quiet_end="07:00", quiet_volume=20)


@pytest.mark.parametrize("now, quiet", [
    (time(21, 59), False), (time(22, 0), True), (time(23, 30), True), (time(0, 0), True),
    (time(6, 59), True), (time(7, 0), False), (time(12, 0), False),
])
def test_quiet_hours_across_midnight(now, quiet):
    assert in_quiet_hours(now, "22:00", "07:00") is quiet
    assert volume_at(NIGHT, now) == (0.2 if quiet else 0.8)


def test_quiet_hours_within_a_day_and_none():
    assert in_quiet_hours(time(13, 0), "12:30", "14:00")
    assert not in_quiet_hours(time(14, 0), "12:30", "14:00")
    assert not in_quiet_hours(time(3, 0), "07:00", "07:00")  # equal: no quiet hours


def test_muted_at_night_and_bounds():
    silent = Voice(volume=100, quiet_volume=0)
    assert volume_at(silent, datetime(2026, 11, 23, 23, 15)) == 0.0
    assert volume_at(silent, datetime(2026, 11, 23, 9, 15)) == 1.0
    assert volume_at(Voice(volume=0), time(10, 0)) == 0.0


def test_an_aware_time_is_read_as_given():
    shanghai = datetime(2026, 11, 23, 22, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert volume_at(NIGHT, shanghai) == 0.2
    assert volume_at(NIGHT, shanghai.astimezone(ZoneInfo("UTC"))) == 0.8  # 14:30 UTC
