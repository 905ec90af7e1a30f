"""The person's local day. Times are stored in UTC; "today" is the person's own day.

Until a person has told the coach their time zone, their day is the UTC day.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_day(at_utc: datetime, zone: Optional[str] = None) -> date:
    """The calendar day in `zone` (an IANA name) at the naive-UTC instant `at_utc`."""
    if not zone:
        return at_utc.date()
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return at_utc.date()
    return at_utc.replace(tzinfo=timezone.utc).astimezone(tz).date()
