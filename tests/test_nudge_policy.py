"""The pure nudge policy: local times across DST and zones, due slots, and the send-time checks.

No clock and no database: every test passes `now` explicitly. Instants are naive UTC.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import List, Optional

import pytest

from bot.nudges import policy, wording
from bot.nudges.records import (
    ASSESSED, Decision, NudgeFacts, NudgeMessage, NudgeSettings, ReminderPref, SentNudge, Slot)
from bot.thresholds import (
    NUDGE_BACKOFF_UNANSWERED, NUDGE_DAILY_CAP, NUDGE_DEFER_MINUTES, NUDGE_HISTORY_DAYS,
    NUDGE_LATE_HOURS)

LONDON, NEW_YORK, TOKYO, LOS_ANGELES, AUCKLAND = (
    "Europe/London", "America/New_York", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Auckland")


def settings(zone: Optional[str] = LONDON, checkin: Optional[time] = time(9, 0),
             walk: Optional[time] = time(12, 0), sleep: Optional[time] = time(20, 0),
             off: tuple = (), **kw) -> NudgeSettings:
    prefs = tuple(ReminderPref(kind, at, on=kind not in off)
                  for kind, at in (("checkin", checkin), ("walk", walk), ("sleep", sleep))
                  if at is not None)
    return NudgeSettings(zone=zone, reminders=prefs, **kw)


def sent(kind: str, day: date, at: datetime, variant: int = 0) -> SentNudge:
    return SentNudge(kind=kind, local_date=day, variant=variant, at=at)


# --- thresholds ----------------------------------------------------------------------

def test_nudge_thresholds():
    assert (NUDGE_LATE_HOURS, NUDGE_DAILY_CAP, NUDGE_BACKOFF_UNANSWERED, NUDGE_DEFER_MINUTES,
            NUDGE_HISTORY_DAYS) == (2, 2, 3, 5, 7)
    assert policy.LATE_WINDOW == timedelta(hours=2)
    assert policy.DEFER_WINDOW == timedelta(minutes=5)


# --- to_utc ------------------------------------------------------------------------------

@pytest.mark.parametrize("zone, day, at, expected", [
    # Europe/London spring forward 2026-03-29: 01:00 GMT -> 02:00 BST.
    (LONDON, date(2026, 3, 29), time(0, 30), datetime(2026, 3, 29, 0, 30)),
    (LONDON, date(2026, 3, 29), time(1, 0), datetime(2026, 3, 29, 1, 0)),
    (LONDON, date(2026, 3, 29), time(1, 30), datetime(2026, 3, 29, 1, 30)),   # gap -> 02:30 BST
    (LONDON, date(2026, 3, 29), time(1, 59), datetime(2026, 3, 29, 1, 59)),   # gap -> 02:59 BST
    (LONDON, date(2026, 3, 29), time(2, 0), datetime(2026, 3, 29, 1, 0)),
    (LONDON, date(2026, 3, 29), time(9, 0), datetime(2026, 3, 29, 8, 0)),
    # Europe/London fall back 2026-10-25: 02:00 BST -> 01:00 GMT; 01:xx happens twice.
    (LONDON, date(2026, 10, 25), time(0, 30), datetime(2026, 10, 24, 23, 30)),
    (LONDON, date(2026, 10, 25), time(1, 0), datetime(2026, 10, 25, 0, 0)),
    (LONDON, date(2026, 10, 25), time(1, 30), datetime(2026, 10, 25, 0, 30)),  # first occurrence
    (LONDON, date(2026, 10, 25), time(2, 0), datetime(2026, 10, 25, 2, 0)),
    (LONDON, date(2026, 10, 25), time(9, 0), datetime(2026, 10, 25, 9, 0)),
    # America/New_York spring forward 2026-03-08: 02:00 EST -> 03:00 EDT.
    (NEW_YORK, date(2026, 3, 8), time(1, 59), datetime(2026, 3, 8, 6, 59)),
    (NEW_YORK, date(2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 30)),    # gap -> 03:30 EDT
    (NEW_YORK, date(2026, 3, 8), time(3, 0), datetime(2026, 3, 8, 7, 0)),
    (NEW_YORK, date(2026, 3, 8), time(9, 0), datetime(2026, 3, 8, 13, 0)),
    # America/New_York fall back 2026-11-01: 02:00 EDT -> 01:00 EST.
    (NEW_YORK, date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30)),  # first occurrence
    (NEW_YORK, date(2026, 11, 1), time(2, 0), datetime(2026, 11, 1, 7, 0)),
    (NEW_YORK, date(2026, 11, 1), time(9, 0), datetime(2026, 11, 1, 14, 0)),
    # East of UTC: the local morning is the UTC day before.
    (TOKYO, date(2026, 6, 1), time(8, 0), datetime(2026, 5, 31, 23, 0)),
    (AUCKLAND, date(2026, 1, 15), time(9, 0), datetime(2026, 1, 14, 20, 0)),   # NZDT +13
    (AUCKLAND, date(2026, 7, 15), time(9, 0), datetime(2026, 7, 14, 21, 0)),   # NZST +12
    # Pacific/Auckland fall back 2026-04-05: 03:00 NZDT -> 02:00 NZST.
    (AUCKLAND, date(2026, 4, 5), time(2, 30), datetime(2026, 4, 4, 13, 30)),   # first occurrence
    # West of UTC: the local evening is the UTC day after.
    (LOS_ANGELES, date(2026, 6, 1), time(20, 0), datetime(2026, 6, 2, 3, 0)),
    (LOS_ANGELES, date(2026, 1, 1), time(20, 0), datetime(2026, 1, 2, 4, 0)),
    # No zone, or one this machine does not know: UTC.
    (None, date(2026, 3, 29), time(1, 30), datetime(2026, 3, 29, 1, 30)),
    ("Not/AZone", date(2026, 6, 1), time(9, 0), datetime(2026, 6, 1, 9, 0)),
])
def test_to_utc(zone, day, at, expected):
    assert policy.to_utc(day, at, zone) == expected


@pytest.mark.parametrize("zone, day, gap_from, gap_to", [
    (LONDON, date(2026, 3, 29), time(1, 0), time(2, 0)),
    (NEW_YORK, date(2026, 3, 8), time(2, 0), time(3, 0)),
    (LOS_ANGELES, date(2026, 3, 8), time(2, 0), time(3, 0)),
    (AUCKLAND, date(2026, 9, 27), time(2, 0), time(3, 0)),
    (LONDON, date(2026, 10, 25), None, None),
    (NEW_YORK, date(2026, 11, 1), None, None),
    (TOKYO, date(2026, 3, 29), None, None),
    (None, date(2026, 3, 29), None, None),
])
def test_every_wall_time_of_a_dst_day_round_trips_or_moves_forward_by_the_gap(
        zone, day, gap_from, gap_to):
    """Each minute of the day: existing wall times come back exactly; those in the gap
    are the instant of the same wall time one hour later."""
    for minute in range(24 * 60):
        at = time(minute // 60, minute % 60)
        instant = policy.to_utc(day, at, zone)
        wall = datetime.combine(day, at)
        if gap_from is not None and gap_from <= at < gap_to:
            assert policy.local_now(instant, zone) == wall + timedelta(hours=1), at
            assert instant == policy.to_utc(day, time(at.hour + 1, at.minute), zone), at
        else:
            assert policy.local_now(instant, zone) == wall, at


# --- local_now / local_date -------------------------------------------------------------

@pytest.mark.parametrize("zone, now, wall", [
    (TOKYO, datetime(2026, 6, 1, 16, 30), datetime(2026, 6, 2, 1, 30)),
    (LOS_ANGELES, datetime(2026, 6, 2, 5, 0), datetime(2026, 6, 1, 22, 0)),
    (AUCKLAND, datetime(2026, 1, 14, 11, 30), datetime(2026, 1, 15, 0, 30)),
    (LONDON, datetime(2026, 3, 29, 1, 0), datetime(2026, 3, 29, 2, 0)),
    (LONDON, datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 1, 30)),
    (LONDON, datetime(2026, 10, 25, 1, 30), datetime(2026, 10, 25, 1, 30)),
    (None, datetime(2026, 6, 1, 23, 59), datetime(2026, 6, 1, 23, 59)),
])
def test_local_now_and_local_date(zone, now, wall):
    assert policy.local_now(now, zone) == wall
    assert policy.local_date(now, zone) == wall.date()


def test_history_start_is_a_week_of_local_days():
    assert policy.history_start(datetime(2026, 6, 1, 16, 0), TOKYO) == date(2026, 5, 27)
    assert policy.history_start(datetime(2026, 6, 1, 16, 0), None) == date(2026, 5, 26)


# --- due_slots ------------------------------------------------------------------------------

def test_due_slots_on_the_london_spring_forward_day():
    s = settings(LONDON, checkin=time(1, 30), walk=time(10, 0), sleep=time(22, 0))
    now = datetime(2026, 3, 29, 12, 0)   # 13:00 BST
    assert policy.due_slots(s, now) == [
        Slot("checkin", date(2026, 3, 28), datetime(2026, 3, 28, 1, 30)),
        Slot("walk", date(2026, 3, 28), datetime(2026, 3, 28, 10, 0)),
        Slot("sleep", date(2026, 3, 28), datetime(2026, 3, 28, 22, 0)),
        Slot("checkin", date(2026, 3, 29), datetime(2026, 3, 29, 1, 30)),   # 02:30 BST
        Slot("walk", date(2026, 3, 29), datetime(2026, 3, 29, 9, 0)),
    ]


def test_a_repeated_wall_time_on_the_fall_back_day_is_one_slot():
    s = settings(LONDON, checkin=time(1, 30), walk=None, sleep=None)
    # After both 01:30s of 2026-10-25 (00:30 and 01:30 UTC) have passed.
    assert policy.due_slots(s, datetime(2026, 10, 25, 3, 0)) == [
        Slot("checkin", date(2026, 10, 24), datetime(2026, 10, 24, 0, 30)),
        Slot("checkin", date(2026, 10, 25), datetime(2026, 10, 25, 0, 30)),
    ]
    ny = settings(NEW_YORK, checkin=time(1, 30), walk=None, sleep=None)
    assert policy.due_slots(ny, datetime(2026, 11, 1, 8, 0)) == [
        Slot("checkin", date(2026, 10, 31), datetime(2026, 10, 31, 5, 30)),
        Slot("checkin", date(2026, 11, 1), datetime(2026, 11, 1, 5, 30)),
    ]


def test_due_slots_on_the_new_york_spring_forward_day():
    s = settings(NEW_YORK, checkin=time(2, 30), walk=None, sleep=None)
    assert policy.due_slots(s, datetime(2026, 3, 8, 7, 29)) == [
        Slot("checkin", date(2026, 3, 7), datetime(2026, 3, 7, 7, 30)),
    ]
    assert policy.due_slots(s, datetime(2026, 3, 8, 7, 30)) == [
        Slot("checkin", date(2026, 3, 7), datetime(2026, 3, 7, 7, 30)),
        Slot("checkin", date(2026, 3, 8), datetime(2026, 3, 8, 7, 30)),
    ]


def test_due_slots_east_of_utc_when_the_local_date_is_ahead():
    s = settings(TOKYO, checkin=time(0, 30), walk=None, sleep=time(22, 0))
    now = datetime(2026, 6, 1, 16, 0)   # 2026-06-02 01:00 in Tokyo
    assert policy.due_slots(s, now) == [
        Slot("checkin", date(2026, 6, 1), datetime(2026, 5, 31, 15, 30)),
        Slot("sleep", date(2026, 6, 1), datetime(2026, 6, 1, 13, 0)),
        Slot("checkin", date(2026, 6, 2), datetime(2026, 6, 1, 15, 30)),
    ]


def test_due_slots_west_of_utc_when_the_local_date_is_behind():
    s = settings(LOS_ANGELES, checkin=None, walk=time(18, 0), sleep=time(21, 30))
    now = datetime(2026, 6, 2, 2, 0)    # 2026-06-01 19:00 in Los Angeles
    assert policy.due_slots(s, now) == [
        Slot("walk", date(2026, 5, 31), datetime(2026, 6, 1, 1, 0)),
        Slot("sleep", date(2026, 5, 31), datetime(2026, 6, 1, 4, 30)),
        Slot("walk", date(2026, 6, 1), datetime(2026, 6, 2, 1, 0)),
    ]


def test_due_slots_in_auckland_and_utc():
    s = settings(AUCKLAND, checkin=time(9, 0), walk=None, sleep=None)
    assert policy.due_slots(s, datetime(2026, 1, 14, 20, 0)) == [
        Slot("checkin", date(2026, 1, 14), datetime(2026, 1, 13, 20, 0)),
        Slot("checkin", date(2026, 1, 15), datetime(2026, 1, 14, 20, 0)),   # due exactly now
    ]
    u = settings(None, checkin=time(9, 0), walk=None, sleep=None)
    assert policy.due_slots(u, datetime(2026, 1, 15, 8, 59)) == [
        Slot("checkin", date(2026, 1, 14), datetime(2026, 1, 14, 9, 0)),
    ]


def test_due_slots_leave_out_reminders_that_are_off_but_keep_late_ones():
    s = settings(None, checkin=time(9, 0), walk=time(10, 0), sleep=time(11, 0), off=("walk",))
    now = datetime(2026, 6, 1, 16, 0)    # the 09:00 slot is 7 hours late: still returned
    assert policy.due_slots(s, now) == [
        Slot("checkin", date(2026, 5, 31), datetime(2026, 5, 31, 9, 0)),
        Slot("sleep", date(2026, 5, 31), datetime(2026, 5, 31, 11, 0)),
        Slot("checkin", date(2026, 6, 1), datetime(2026, 6, 1, 9, 0)),
        Slot("sleep", date(2026, 6, 1), datetime(2026, 6, 1, 11, 0)),
    ]
    assert policy.due_slots(NudgeSettings(zone=LONDON), now) == []


# --- quiet hours -------------------------------------------------------------------------

@pytest.mark.parametrize("now, quiet", [
    (datetime(2026, 7, 1, 19, 59), False),   # 20:59 BST
    (datetime(2026, 7, 1, 20, 0), True),     # 21:00 BST
    (datetime(2026, 7, 1, 23, 30), True),    # 00:30 BST, after local midnight
    (datetime(2026, 7, 2, 6, 59), True),     # 07:59 BST
    (datetime(2026, 7, 2, 7, 0), False),     # 08:00 BST
    (datetime(2026, 1, 15, 20, 59), False),  # 20:59 GMT
    (datetime(2026, 1, 15, 21, 0), True),    # 21:00 GMT
])
def test_default_quiet_hours_wrap_midnight_in_local_time(now, quiet):
    assert policy.in_quiet_hours(settings(LONDON), now) is quiet


def test_quiet_hours_in_other_zones_and_shapes():
    tokyo = settings(TOKYO)
    assert policy.in_quiet_hours(tokyo, datetime(2026, 7, 1, 12, 30)) is True    # 21:30 JST
    assert policy.in_quiet_hours(tokyo, datetime(2026, 7, 1, 2, 30)) is False    # 11:30 JST
    day = settings(None, quiet_start=time(13, 0), quiet_end=time(14, 0))
    assert policy.in_quiet_hours(day, datetime(2026, 7, 1, 12, 59)) is False
    assert policy.in_quiet_hours(day, datetime(2026, 7, 1, 13, 0)) is True
    assert policy.in_quiet_hours(day, datetime(2026, 7, 1, 14, 0)) is False
    none = settings(None, quiet_start=time(22, 0), quiet_end=time(22, 0))
    assert not any(policy.in_quiet_hours(none, datetime(2026, 7, 1, h, 0)) for h in range(24))


# --- decide: each check --------------------------------------------------------------------

DAY = date(2026, 7, 1)                                  # London, BST (UTC+1)
CHECKIN = Slot("checkin", DAY, datetime(2026, 7, 1, 8, 0))   # 09:00 BST
WALK = Slot("walk", DAY, datetime(2026, 7, 1, 11, 0))        # 12:00 BST
SLEEP = Slot("sleep", DAY, datetime(2026, 7, 1, 19, 0))      # 20:00 BST
SOON = timedelta(minutes=10)


def test_a_plain_checkin_is_sent():
    d = policy.decide(CHECKIN, settings(), NudgeFacts(), CHECKIN.due_at + SOON)
    assert d == Decision(send=True, message=NudgeMessage(
        kind="checkin", variant=DAY.toordinal() % wording.variants("checkin")))


def test_late_is_more_than_two_hours_after_due():
    s = settings()
    assert policy.decide(CHECKIN, s, NudgeFacts(), CHECKIN.due_at + timedelta(hours=2)).send
    late = policy.decide(CHECKIN, s, NudgeFacts(),
                         CHECKIN.due_at + timedelta(hours=2, seconds=1))
    assert late == Decision.skip("late")


def test_off_when_the_reminder_is_off_or_gone():
    assert policy.decide(WALK, settings(off=("walk",)), NudgeFacts(),
                         WALK.due_at + SOON) == Decision.skip("off")
    assert policy.decide(WALK, settings(walk=None), NudgeFacts(),
                         WALK.due_at + SOON) == Decision.skip("off")


def test_unreachable():
    assert policy.decide(CHECKIN, settings(unreachable=True), NudgeFacts(),
                         CHECKIN.due_at + SOON) == Decision.skip("unreachable")


def test_paused_until_a_local_date():
    now = CHECKIN.due_at + SOON
    assert policy.decide(CHECKIN, settings(paused_until=date(2026, 7, 2)), NudgeFacts(),
                         now) == Decision.skip("paused")
    assert policy.decide(CHECKIN, settings(paused_until=DAY), NudgeFacts(), now).send
    assert policy.decide(CHECKIN, settings(paused_until=date(2026, 6, 20)), NudgeFacts(), now).send


def test_pause_ends_on_the_local_date_not_the_utc_one():
    # Tokyo: 2026-07-02 00:30 JST is still 2026-07-01 in UTC.
    s = settings(TOKYO, checkin=time(0, 20), paused_until=date(2026, 7, 2),
                 quiet_start=time(0, 0), quiet_end=time(0, 0))
    slot = Slot("checkin", date(2026, 7, 2), datetime(2026, 7, 1, 15, 20))
    assert policy.decide(slot, s, NudgeFacts(), datetime(2026, 7, 1, 15, 30)).send
    # Los Angeles: 2026-07-01 23:50 PDT is already 2026-07-02 in UTC.
    la = settings(LOS_ANGELES, sleep=time(22, 0), paused_until=date(2026, 7, 2),
                  quiet_start=time(23, 55), quiet_end=time(6, 0))
    late_evening = Slot("sleep", date(2026, 7, 1), datetime(2026, 7, 2, 5, 0))
    assert policy.decide(late_evening, la, NudgeFacts(),
                         datetime(2026, 7, 2, 6, 50)) == Decision.skip("paused")


def test_quiet_hours_skip_a_nudge_due_in_them():
    s = settings(checkin=time(7, 30))
    slot = Slot("checkin", DAY, datetime(2026, 7, 1, 6, 30))     # 07:30 BST
    assert policy.decide(slot, s, NudgeFacts(), slot.due_at + SOON) == Decision.skip("quiet_hours")
    # Sent late, it is judged by the time it would go out: 08:10 BST is outside.
    assert policy.decide(slot, s, NudgeFacts(), datetime(2026, 7, 1, 7, 10)).send


def test_wait_when_they_wrote_in_the_last_five_minutes():
    now = CHECKIN.due_at + SOON
    recent = NudgeFacts(last_message_at=now - timedelta(minutes=4, seconds=59))
    d = policy.decide(CHECKIN, settings(), recent, now)
    assert d == Decision(send=False, reason="wait")
    assert d.reason not in policy.SKIP_REASONS
    assert policy.decide(CHECKIN, settings(),
                         NudgeFacts(last_message_at=now - timedelta(minutes=5)), now).send


def test_daily_cap_counts_the_local_day():
    now = SLEEP.due_at + SOON
    two_today = NudgeFacts(sent=(sent("checkin", DAY, CHECKIN.due_at),
                                 sent("walk", DAY, WALK.due_at)),
                           last_message_at=WALK.due_at + timedelta(minutes=1))
    assert policy.decide(SLEEP, settings(), two_today, now) == Decision.skip("daily_cap")
    yesterday = date(2026, 6, 30)
    two_yesterday = NudgeFacts(sent=(sent("checkin", yesterday, CHECKIN.due_at - timedelta(days=1)),
                                     sent("walk", yesterday, WALK.due_at - timedelta(days=1))),
                               last_message_at=WALK.due_at)
    assert policy.decide(SLEEP, settings(), two_yesterday, now).send


def test_daily_cap_in_tokyo_after_utc_midnight():
    # 2026-07-02 09:30 JST = 2026-07-02 00:30 UTC; two went out on the Tokyo day 2026-07-02.
    s = settings(TOKYO, checkin=time(7, 0), walk=time(8, 0), sleep=time(9, 0))
    slot = Slot("sleep", date(2026, 7, 2), datetime(2026, 7, 2, 0, 0))
    facts = NudgeFacts(sent=(sent("checkin", date(2026, 7, 2), datetime(2026, 7, 1, 22, 0)),
                             sent("walk", date(2026, 7, 2), datetime(2026, 7, 1, 23, 0))),
                       last_message_at=datetime(2026, 7, 1, 23, 30))
    assert policy.decide(slot, s, facts, datetime(2026, 7, 2, 0, 30)) == Decision.skip("daily_cap")


def test_done_after_a_checkin_or_a_walk_that_reaches_the_target():
    assert policy.decide(CHECKIN, settings(), NudgeFacts(checked_in_today=True),
                         CHECKIN.due_at + SOON) == Decision.skip("done")
    now = WALK.due_at + SOON
    assert policy.decide(WALK, settings(), NudgeFacts(walk_target=25, longest_walk_today=25.0),
                         now) == Decision.skip("done")
    short = policy.decide(WALK, settings(), NudgeFacts(walk_target=25, longest_walk_today=24.5), now)
    assert short.send and short.message.kind == "walk" and short.message.walk_minutes == 25
    # A check-in done does not stop the walk nudge, and the other way round.
    assert policy.decide(WALK, settings(), NudgeFacts(checked_in_today=True), now).send
    assert policy.decide(CHECKIN, settings(), NudgeFacts(longest_walk_today=40.0),
                         CHECKIN.due_at + SOON).send


def test_the_checks_run_in_order():
    s = settings(unreachable=True, paused_until=date(2026, 7, 9), checkin=time(7, 30))
    slot = Slot("checkin", DAY, datetime(2026, 7, 1, 6, 30))    # 07:30 BST: quiet hours
    facts = NudgeFacts(checked_in_today=True, last_message_at=datetime(2026, 7, 1, 6, 38),
                       sent=(sent("walk", DAY, datetime(2026, 7, 1, 5, 0)),
                             sent("sleep", DAY, datetime(2026, 7, 1, 5, 30))))
    now = slot.due_at + SOON
    assert policy.decide(slot, s, facts, slot.due_at + timedelta(hours=3)).reason == "late"
    assert policy.decide(slot, settings(off=("checkin",), unreachable=True), facts, now).reason == "off"
    assert policy.decide(slot, s, facts, now).reason == "unreachable"
    s = settings(paused_until=date(2026, 7, 9), checkin=time(7, 30))
    assert policy.decide(slot, s, facts, now).reason == "paused"
    s = settings(checkin=time(7, 30))
    assert policy.decide(slot, s, facts, now).reason == "quiet_hours"
    s = settings(checkin=time(7, 30), quiet_start=time(22, 0), quiet_end=time(7, 0))
    assert policy.decide(slot, s, facts, now).reason == "wait"
    facts = NudgeFacts(checked_in_today=True, last_message_at=datetime(2026, 7, 1, 6, 30),
                       sent=facts.sent)
    assert policy.decide(slot, s, facts, now).reason == "daily_cap"
    facts = NudgeFacts(checked_in_today=True, last_message_at=datetime(2026, 7, 1, 6, 30),
                       sent=facts.sent[:1])
    assert policy.decide(slot, s, facts, now).reason == "done"


# --- red flag -----------------------------------------------------------------------------

def test_red_flag_turns_checkin_and_walk_into_one_assessed_question_a_day():
    s = settings()
    flagged = NudgeFacts(red_flag_open=True, checked_in_today=True)
    first = policy.decide(CHECKIN, s, flagged, CHECKIN.due_at + SOON)
    assert first.send and first.message.kind == ASSESSED
    assert first.message.walk_minutes is None and first.message.sleep_tip is None
    after = NudgeFacts(red_flag_open=True,
                       sent=(sent(ASSESSED, DAY, CHECKIN.due_at + SOON, first.message.variant),),
                       last_message_at=CHECKIN.due_at + timedelta(minutes=30))
    assert policy.decide(WALK, s, after, WALK.due_at + SOON) == Decision.skip("red_flag")
    # Sleep is still allowed.
    night = policy.decide(SLEEP, s, after, SLEEP.due_at + SOON)
    assert night.send and night.message.kind == "sleep"
    # The next day the question comes once more, worded differently.
    next_day = Slot("walk", date(2026, 7, 2), WALK.due_at + timedelta(days=1))
    again = policy.decide(next_day, s, after, next_day.due_at + SOON)
    assert again.send and again.message.kind == ASSESSED
    assert again.message.variant != first.message.variant


def test_red_flag_walk_done_still_gets_the_question():
    d = policy.decide(WALK, settings(), NudgeFacts(red_flag_open=True, longest_walk_today=60.0),
                      WALK.due_at + SOON)
    assert d.send and d.message.kind == ASSESSED


# --- back-off --------------------------------------------------------------------------------

def test_unanswered_counts_nudges_after_their_last_message():
    facts = NudgeFacts(sent=(sent("checkin", date(2026, 6, 29), datetime(2026, 6, 29, 8, 0)),
                             sent("checkin", date(2026, 6, 30), datetime(2026, 6, 30, 8, 0)),
                             sent("walk", date(2026, 6, 30), datetime(2026, 6, 30, 11, 0))))
    assert policy.unanswered(facts) == 3
    assert policy.unanswered(NudgeFacts(sent=facts.sent,
                                        last_message_at=datetime(2026, 6, 30, 9, 0))) == 1
    assert policy.unanswered(NudgeFacts(sent=facts.sent,
                                        last_message_at=datetime(2026, 6, 30, 12, 0))) == 0


def test_backoff_after_three_unanswered_when_one_went_out_yesterday():
    three = (sent("checkin", date(2026, 6, 28), datetime(2026, 6, 28, 8, 0)),
             sent("checkin", date(2026, 6, 29), datetime(2026, 6, 29, 8, 0)),
             sent("checkin", date(2026, 6, 30), datetime(2026, 6, 30, 8, 0)))
    now = CHECKIN.due_at + SOON
    assert policy.decide(CHECKIN, settings(), NudgeFacts(sent=three), now) == Decision.skip("backoff")
    # Nothing yesterday: it goes, offering a pause.
    gap = three[:2]
    two = policy.decide(CHECKIN, settings(), NudgeFacts(sent=gap), now)
    assert two.send and two.message.offer_pause is False
    older = tuple(sent("checkin", date(2026, 6, d), datetime(2026, 6, d, 8, 0)) for d in (26, 27, 29))
    d = policy.decide(CHECKIN, settings(), NudgeFacts(sent=older), now)
    assert d.send and d.message.offer_pause is True
    # A message from them resets the count.
    answered = NudgeFacts(sent=three, last_message_at=datetime(2026, 6, 30, 18, 0))
    d = policy.decide(CHECKIN, settings(), answered, now)
    assert d.send and d.message.offer_pause is False


def _walk_through(days: int, s: NudgeSettings, start: date, answer_on: tuple = (),
                  facts_for=lambda day: {}) -> List[List[Decision]]:
    """Simulate `days` local days: each slot due is decided at due + 10 min, and what is
    sent joins the history. On the days in `answer_on` the person writes at 06:00 local."""
    history: List[SentNudge] = []
    last_message: Optional[datetime] = None
    out: List[List[Decision]] = []
    for i in range(days):
        day = start + timedelta(days=i)
        if i in answer_on:
            last_message = policy.to_utc(day, time(6, 0), s.zone)
        decisions = []
        for pref in sorted(s.reminders, key=lambda r: r.at):
            slot = Slot(pref.kind, day, policy.to_utc(day, pref.at, s.zone))
            facts = NudgeFacts(sent=tuple(history), last_message_at=last_message,
                               **facts_for(day))
            d = policy.decide(slot, s, facts, slot.due_at + SOON)
            decisions.append(d)
            if d.send:
                history.append(SentNudge(d.message.kind, day, d.message.variant,
                                         slot.due_at + SOON))
        out.append(decisions)
    return out


def test_backoff_walk_through_never_answered_then_answered():
    s = settings(NEW_YORK, checkin=time(9, 0), walk=None, sleep=None)
    days = _walk_through(10, s, date(2026, 3, 1), answer_on=(8,))
    summary = [(d[0].send, d[0].reason, d[0].message.offer_pause if d[0].message else None)
               for d in days]
    assert summary == [
        (True, "", False), (True, "", False), (True, "", False),
        (False, "backoff", None),
        (True, "", True),          # the one every other day, with the pause offer
        (False, "backoff", None),
        (True, "", True),
        (False, "backoff", None),
        (True, "", False),         # they wrote that morning: back to daily
        (True, "", False),
    ]


def test_backoff_with_two_reminders_sends_one_every_other_day():
    s = settings(LONDON, checkin=time(9, 0), walk=time(12, 0), sleep=None)
    days = _walk_through(6, s, date(2026, 7, 1))
    assert [[d.reason if not d.send else ("sent", d.message.offer_pause) for d in day]
            for day in days] == [
        [("sent", False), ("sent", False)],
        [("sent", False), "backoff"],          # three unanswered after the first
        ["backoff", "backoff"],
        [("sent", True), "backoff"],
        ["backoff", "backoff"],
        [("sent", True), "backoff"],
    ]


# --- wording rotation ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["checkin", "walk", "sleep"])
def test_wording_never_repeats_on_consecutive_days_over_ten_days(kind):
    at = {"checkin": time(9, 0), "walk": time(12, 0), "sleep": time(20, 0)}[kind]
    s = NudgeSettings(zone=LONDON, reminders=(ReminderPref(kind, at),))
    # Across the spring-forward day; they answer every day, so no back-off.
    days = _walk_through(10, s, date(2026, 3, 24), answer_on=tuple(range(10)),
                         facts_for=lambda day: {"walk_target": 20 + day.day % 3})
    messages = [d[0].message for d in days]
    assert all(d[0].send for d in days)
    texts = [wording.render(m) for m in messages]
    for yesterday, today in zip(messages, messages[1:]):
        assert today.variant != yesterday.variant
    for yesterday, today in zip(texts, texts[1:]):
        assert today != yesterday
    assert {m.variant for m in messages} == set(range(wording.variants(kind)))
    if kind == "sleep":
        tips = [m.sleep_tip for m in messages]
        assert all(a != b for a, b in zip(tips, tips[1:]))
        assert set(tips) == set(range(wording.SLEEP_TIP_COUNT))
    else:
        assert all(m.sleep_tip is None for m in messages)
    if kind == "walk":
        assert [m.walk_minutes for m in messages] == [20, 21, 22, 20, 21, 22, 20, 21, 21, 22]


def test_rotation_moves_on_when_the_date_lands_on_yesterdays_wording():
    n = wording.variants("walk")
    base = DAY.toordinal() % n
    facts = NudgeFacts(sent=(sent("walk", date(2026, 6, 30), datetime(2026, 6, 30, 11, 10), base),),
                       last_message_at=datetime(2026, 6, 30, 12, 0))
    d = policy.decide(WALK, settings(), facts, WALK.due_at + SOON)
    assert d.message.variant == (base + 1) % n
    # Yesterday's walk wording does not constrain another kind.
    d = policy.decide(CHECKIN, settings(), facts, CHECKIN.due_at + SOON)
    assert d.message.variant == DAY.toordinal() % wording.variants("checkin")


def test_rotate():
    day = date(2026, 7, 1)
    base = day.toordinal() % 3
    assert policy.rotate(day, 3) == base
    assert policy.rotate(day, 3, avoid=[base]) == (base + 1) % 3
    assert policy.rotate(day, 3, avoid=[base, (base + 1) % 3]) == (base + 2) % 3
    assert policy.rotate(day, 3, avoid=[0, 1, 2]) == base
    assert policy.rotate(day, 1, avoid=[0]) == 0


# --- sleep advice folded into the check-in ----------------------------------------------------

@pytest.mark.parametrize("poor_nights, folded", [(0, False), (1, False), (2, True), (4, True)])
def test_sleep_tip_in_the_checkin_after_two_poor_nights_only(poor_nights, folded):
    d = policy.decide(CHECKIN, settings(), NudgeFacts(poor_nights=poor_nights),
                      CHECKIN.due_at + SOON)
    assert d.send and d.message.kind == "checkin"
    assert (d.message.sleep_tip is not None) is folded
    if folded:
        assert d.message.sleep_tip == DAY.toordinal() % wording.SLEEP_TIP_COUNT


def test_the_checkin_tip_is_not_last_nights_sleep_tip():
    base = DAY.toordinal() % wording.SLEEP_TIP_COUNT
    last_night = sent("sleep", date(2026, 6, 30), datetime(2026, 6, 30, 19, 10), base)
    d = policy.decide(CHECKIN, settings(), NudgeFacts(poor_nights=2, sent=(last_night,),
                                                     last_message_at=datetime(2026, 6, 30, 20, 0)),
                      CHECKIN.due_at + SOON)
    assert d.message.sleep_tip == (base + 1) % wording.SLEEP_TIP_COUNT


def test_the_sleep_nudge_carries_a_tip_and_no_walk_minutes():
    d = policy.decide(SLEEP, settings(), NudgeFacts(walk_target=30), SLEEP.due_at + SOON)
    assert d.send
    assert d.message == NudgeMessage(kind="sleep", variant=d.message.variant,
                                     sleep_tip=d.message.variant)
