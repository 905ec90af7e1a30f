"""The person's local day. Times are stored in UTC; "today" is the person's own day.

Until a person has told the coach their time zone, their day is the UTC day.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Optional, Tuple
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


def zone_info(zone: Optional[str]):
    """The tzinfo of an IANA name; UTC when it is missing or unknown."""
    if zone:
        try:
            return ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.utc


def local_time(at_utc: datetime, zone: Optional[str] = None) -> datetime:
    """The naive local wall-clock time in `zone` at the naive-UTC instant `at_utc`."""
    return at_utc.replace(tzinfo=timezone.utc).astimezone(zone_info(zone)).replace(tzinfo=None)


def day_bounds(day: date, zone: Optional[str] = None) -> Tuple[datetime, datetime]:
    """The naive-UTC instants where the local `day` starts and the next one starts."""
    tz = zone_info(zone)

    def start(d: date) -> datetime:
        local = datetime(d.year, d.month, d.day, tzinfo=tz)
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    return start(day), start(day + timedelta(days=1))
