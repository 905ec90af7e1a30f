"""Boundaries of the pure clinical rules."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given, settings, strategies as st

from bot.clinical import (
    LOCATION_RANK,
    checkin_streak,
    is_meaningful_change,
    location_rank,
    meaningful_improvement,
    most_distal,
    pain_direction,
    phase_for,
    previous_location,
    streak_gained,
)
from bot.records import BODY_PARTS, PAIN_DIRECTIONS, CheckinRecord

TODAY = date(2024, 3, 20)

# One representative location per rank, proximal to distal.
BY_RANK = ["lower_back", "buttock", "thigh", "knee", "calf", "foot"]


def test_every_body_part_is_ranked():
    assert set(LOCATION_RANK) == set(BODY_PARTS)


@pytest.mark.parametrize("location,rank", [
    ("lower_back", 0), ("upper_back", 0), ("buttock", 1), ("hip", 1), ("groin", 1),
    ("thigh", 2), ("leg", 2), ("knee", 3), ("calf", 4), ("shin", 4), ("foot", 5),
])
def test_location_rank(location, rank):
    assert location_rank(location) == rank


def test_location_rank_unknown():
    assert location_rank(None) is None
    assert location_rank("elbow") is None


def test_most_distal_ignores_unknown_and_keeps_first_tie():
    assert most_distal(["lower_back", None, "elbow", "knee", "hip"]) == "knee"
    assert most_distal(["calf", "shin"]) == "calf"
    assert most_distal(["shin", "calf"]) == "shin"
    assert most_distal([None, "elbow"]) is None
    assert most_distal([]) is None


def test_previous_location_uses_latest_record_with_a_location():
    checkins = [
        CheckinRecord(at=datetime(2024, 3, 18, 9), location="knee"),
        CheckinRecord(at=datetime(2024, 3, 19, 9), location="buttock"),
        CheckinRecord(at=datetime(2024, 3, 20, 9), pain_score=4),  # no location
        CheckinRecord(at=datetime(2024, 3, 17, 9), location="foot"),  # older, out of order
    ]
    assert previous_location(checkins) == "buttock"
    assert previous_location([]) is None
    assert previous_location([CheckinRecord(at=datetime(2024, 3, 1))]) is None


@pytest.mark.parametrize("before", range(6))
@pytest.mark.parametrize("after", range(6))
def test_direction_for_every_pair_of_ranks(before, after):
    expected = ("peripheralizing" if after > before
                else "centralizing" if after < before else "stable")
    assert pain_direction(BY_RANK[before], BY_RANK[after]) == expected


def test_leg_after_lower_back_is_peripheralizing():
    assert pain_direction("lower_back", "leg") == "peripheralizing"
    assert pain_direction("leg", "lower_back") == "centralizing"
    assert pain_direction("leg", "thigh") == "stable"
    assert pain_direction("upper_back", "lower_back") == "stable"


@pytest.mark.parametrize("previous,current", [
    (None, "knee"), ("knee", None), (None, None), ("elbow", "knee"),
])
def test_direction_unknown(previous, current):
    assert pain_direction(previous, current) == "unknown"
    assert "unknown" in PAIN_DIRECTIONS


@pytest.mark.parametrize("days,phase", [
    (0, "acute"), (13, "acute"), (14, "subacute"), (84, "subacute"),
    (85, "chronic"), (400, "chronic"),
])
def test_phase_boundaries(days, phase):
    assert phase_for(TODAY - timedelta(days=days), TODAY) == phase


def test_phase_unknown_and_future_onset():
    assert phase_for(None, TODAY) is None
    assert phase_for(TODAY + timedelta(days=10), TODAY) == "acute"


@pytest.mark.parametrize("before,after,expected", [
    (8, 6, True),      # exactly 2 points down
    (3, 5, True),      # exactly 2 points up
    (8, 6.1, False),   # 1.9 points and < 30% of 8
    (5, 3.5, True),    # exactly 30% of 5
    (3, 2.1, True),    # exactly 30% of 3 (float rounding)
    (10, 7.5, True),   # 2.5 points
    (5, 3.6, False),   # 28%
    (0, 1, False),     # 30% of zero is not a rule
    (0, 2, True),
    (4, 4, False),
])
def test_meaningful_change(before, after, expected):
    assert is_meaningful_change(before, after) is expected


def test_meaningful_improvement_needs_a_drop():
    assert meaningful_improvement(8, 6)
    assert meaningful_improvement(5, 3.5)
    assert not meaningful_improvement(6, 8)
    assert not meaningful_improvement(5, 4)


def _days(*offsets):
    return [TODAY - timedelta(days=o) for o in offsets]


def test_streak_ending_today():
    assert checkin_streak(_days(0, 1, 2), TODAY) == 3


def test_streak_ending_yesterday_is_not_broken_yet():
    assert checkin_streak(_days(1, 2, 3, 4), TODAY) == 4


def test_streak_across_a_gap_counts_only_the_latest_run():
    assert checkin_streak(_days(0, 1, 3, 4, 5), TODAY) == 2
    assert checkin_streak(_days(1, 3, 4), TODAY) == 1


def test_streak_zero_when_last_checkin_older_than_yesterday():
    assert checkin_streak(_days(2, 3, 4), TODAY) == 0
    assert checkin_streak([], TODAY) == 0


def test_streak_duplicates_datetimes_and_future_days():
    days = _days(0, 0, 1) + [datetime(2024, 3, 18, 22, 15), TODAY + timedelta(days=1)]
    assert checkin_streak(days, TODAY) == 3


def test_streak_gained_by_the_first_checkin_of_the_day():
    assert streak_gained(_days(1, 2), TODAY) == 3
    assert streak_gained([datetime(2024, 3, 19, 23, 59)], TODAY) == 2
    assert streak_gained([], TODAY) == 1
    assert streak_gained(_days(2, 3), TODAY) == 1  # yesterday missed: a new streak


def test_streak_gained_is_zero_for_a_second_checkin_the_same_day():
    assert streak_gained(_days(0, 1, 2), TODAY) == 0
    assert streak_gained([datetime(2024, 3, 20, 7, 30)], TODAY) == 0


def _run_ending_before(days, since):
    """The run of consecutive days in `days` ending the day before `since` (what a windowed
    profile's Earlier.run counts in SQL)."""
    run, day = 0, since - timedelta(days=1)
    while day in days:
        run, day = run + 1, day - timedelta(days=1)
    return run



@settings(max_examples=300, deadline=None)
@given(offsets=st.sets(st.integers(0, 80)), since_ago=st.integers(0, 60), today_ago=st.integers(-2, 3),
       landmarks=st.sets(st.integers(0, 80), max_size=4))
def test_a_streak_counts_the_run_before_the_window_without_listing_it(offsets, since_ago, today_ago, landmarks):
    """checkin_streak / streak_gained on the window's days plus (since, run) give what they
    give on every day listed, wherever the window starts and whatever landmark days
    before it are listed too (the windowed profile holds a few)."""
    assume(since_ago >= today_ago)  # a window never starts after the day it is read for
    days = {TODAY - timedelta(days=o) for o in offsets}
    since, today = TODAY - timedelta(days=since_ago), TODAY - timedelta(days=today_ago)
    run = _run_ending_before(days, since)
    before = {d for d in days if d < since}
    # The profile keeps landmark check-ins before its window: they lie in the run or
    # before the gap that ends it, like any other day before `since`.
    window = {d for d in days if d >= since} | {d for d in before if TODAY - d in
                                                 {timedelta(days=o) for o in landmarks}}
    assert checkin_streak(window, today, (since, run)) == checkin_streak(days, today)
    assert streak_gained(window, today, (since, run)) == streak_gained(days, today)


def test_a_year_long_run_before_the_window_is_counted_whole():
    since = TODAY - timedelta(days=30)
    window = {TODAY - timedelta(days=i) for i in range(1, 31)}  # yesterday back to `since`
    assert checkin_streak(window, TODAY, (since, 335)) == 365
    assert streak_gained(window, TODAY, (since, 335)) == 366
    assert checkin_streak(window - {TODAY - timedelta(days=5)}, TODAY, (since, 335)) == 4  # a gap inside stops it
    assert checkin_streak(set(), TODAY, (TODAY, 10)) == 10  # the run ends yesterday
    assert streak_gained(set(), TODAY - timedelta(days=3), (TODAY, 10)) == 0  # that day is in the run
