"""`make nudge-once NOW=...`: how the instant is read (ISO 8601; Z or an offset; none = UTC)."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

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


# ---------------- the instant the real-clock nudge tests pick (tests/coach_servers.py) ----------------
def _slots_sent(zone: str, local_hour: int, set_at: datetime, nudge_at: datetime):
    from bot.nudges import policy
    from bot.nudges.dispatcher import _owed
    from bot.nudges.records import NudgeFacts, NudgeSettings, ReminderPref

    settings = NudgeSettings(zone=zone, reminders=(ReminderPref("checkin", time(local_hour), since=set_at),),
                             channel="telegram", chat_id="1")
    facts = NudgeFacts(last_message_at=set_at)
    return [s for s in policy.due_slots(settings, nudge_at)
            if _owed(s, settings) and policy.decide(s, settings, facts, nudge_at).send]


@pytest.mark.parametrize("day", [datetime(2027, 1, 15), datetime(2027, 3, 27), datetime(2027, 3, 28),
                                 datetime(2027, 10, 30), datetime(2027, 10, 31), datetime(2027, 3, 14)])
def test_the_e2e_nudge_instant_sends_exactly_the_reminder_asked_at_any_time_of_day(day):
    """The e2e tests set reminders over the real servers at the real time, then run nudge-once at
    nudge_instant(now): whatever the time of day (every 5 minutes here, on ordinary and daylight
    saving days), the reminder for that local hour in Tokyo and in London is sent there, once."""
    from zoneinfo import ZoneInfo

    from tests.coach_servers import CONVERSATION, DEFER_WINDOW, nudge_instant

    for minute in range(0, 24 * 60, 5):
        started = day + timedelta(minutes=minute)
        at = nudge_instant(started)
        for zone in ("Asia/Tokyo", "Europe/London"):
            local_hour = at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)).hour
            for set_at in (started, started + timedelta(minutes=2), started + CONVERSATION):
                sent = _slots_sent(zone, local_hour, set_at, at)
                assert [s.due_at for s in sent] == [at.replace(second=0)], (started, zone, set_at)
        assert started + DEFER_WINDOW + CONVERSATION <= at < started + timedelta(days=1)
