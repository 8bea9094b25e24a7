"""How loud a prompt plays: ``volume`` (0–100), or ``quiet_volume`` in the quiet hours.

Quiet hours run from ``quiet_start`` to ``quiet_end`` (local ``HH:MM``); a span that crosses
midnight (22:00–07:00) is the usual case; equal times mean no quiet hours. The start minute
is inside, the end minute is not.
"""

from __future__ import annotations

from datetime import datetime, time


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def in_quiet_hours(now: time | datetime, start: str, end: str) -> bool:
    t = now.hour * 60 + now.minute
    a, b = _minutes(start), _minutes(end)
    if a == b:
        return False
    return a <= t < b if a < b else (t >= a or t < b)


def volume_at(settings, now: time | datetime) -> float:
    """The playback volume, 0.0–1.0, for :class:`kiosk.config.Voice` ``settings`` at ``now``."""
    quiet = in_quiet_hours(now, settings.quiet_start, settings.quiet_end)
    level = settings.quiet_volume if quiet else settings.volume
    return max(0, min(100, level)) / 100.0
