"""Times as the contract writes them: RFC 3339 with the China Standard Time offset (+08:00)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))


def stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, CST).isoformat(timespec="seconds")


def local_date(moment: float) -> date:
    return datetime.fromtimestamp(moment, CST).date()
