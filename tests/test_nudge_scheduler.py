"""`make nudge-once NOW=...`: how the instant is read (ISO 8601; Z or an offset; none = UTC)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.nudges.scheduler import BadInstant, parse_now

UTC_1400 = datetime(2026, 12, 1, 14, 0, 30)


@pytest.mark.parametrize("text", ["2026-12-01T14:00:30Z", "2026-12-01T14:00:30z", "2026-12-01T15:00:30+01:00",
                                  "2026-12-01T09:00:30-05:00", "2026-12-01T14:00:30", "2026-12-01 14:00:30+00:00"])
def test_an_instant_with_z_an_offset_or_none_is_read_as_utc(text):
    assert parse_now(text) == UTC_1400


def test_no_instant_is_the_current_time_from_the_clock():
    assert parse_now(None, clock=lambda: datetime(2026, 12, 1, 15, 0, 30, tzinfo=timezone.utc).astimezone()) \
        == datetime(2026, 12, 1, 15, 0, 30)
    assert parse_now("  ", clock=lambda: UTC_1400) == UTC_1400


@pytest.mark.parametrize("text", ["tomorrow", "2026-13-01T00:00:00Z", "14:00", "2026-12-01T25:00Z"])
def test_anything_else_is_refused_with_an_example(text):
    with pytest.raises(BadInstant, match="ISO 8601"):
        parse_now(text)
