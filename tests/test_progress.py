"""Progress summary numbers, the 7-day window and the rendered text."""
from dataclasses import replace
from datetime import date, datetime

import pytest

from bot.progress import ProgressSummary, render_progress, summarize_progress
from bot.records import ActivityRecord, CheckinRecord

TODAY = date(2024, 3, 20)


def at(day, hour=9):
    return datetime(2024, 3, day, hour)


def walk(day, minutes, kind="walking"):
    return ActivityRecord(at=at(day), kind=kind, minutes=minutes)


EMPTY = ProgressSummary(
    checkin_count=0, streak_days=0, first_score=None, latest_score=None, change=None,
    meaningful=False, improved=None, walking_minutes_7d=0.0, aerobic_minutes_7d=0.0,
    longest_walk_7d=0.0, strengthening_sessions_7d=0,
)


def test_summary_scores_and_streak():
    checkins = [
        CheckinRecord(at=at(20), pain_score=4),
        CheckinRecord(at=at(18), pain_score=7),
        CheckinRecord(at=at(19)),  # partial report, no score
    ]
    s = summarize_progress(checkins, [], TODAY)
    assert s.checkin_count == 3
    assert s.streak_days == 3
    assert (s.first_score, s.latest_score, s.change) == (7, 4, -3)
    assert s.meaningful is True
    assert s.improved is True


def test_summary_single_score_has_no_trend():
    s = summarize_progress([CheckinRecord(at=at(20), pain_score=5)], [], TODAY)
    assert (s.first_score, s.latest_score) == (5, 5)
    assert s.change is None
    assert s.improved is None
    assert s.meaningful is False


def test_summary_worsening_not_meaningful():
    checkins = [CheckinRecord(at=at(10), pain_score=6), CheckinRecord(at=at(19), pain_score=7)]
    s = summarize_progress(checkins, [], TODAY)
    assert s.change == 1
    assert s.improved is False
    assert s.meaningful is False
    assert s.streak_days == 1  # ends yesterday


def test_summary_ignores_records_after_today():
    checkins = [CheckinRecord(at=at(20), pain_score=5), CheckinRecord(at=at(21), pain_score=1)]
    s = summarize_progress(checkins, [walk(21, 40)], TODAY)
    assert s.checkin_count == 1
    assert s.latest_score == 5
    assert s.walking_minutes_7d == 0


def test_seven_day_window_edges():
    activities = [
        walk(13, 50),  # 7 days before today: outside
        walk(14, 10),  # 6 days before today: inside
        walk(20, 25),  # today: inside
        ActivityRecord(at=datetime(2024, 3, 20, 23, 59), kind="walking", minutes=5),
        walk(21, 60),  # tomorrow: outside
    ]
    s = summarize_progress([], activities, TODAY)
    assert s.walking_minutes_7d == 40
    assert s.longest_walk_7d == 25


def test_aerobic_and_strengthening_totals():
    activities = [
        walk(20, 20),
        walk(19, 15, "cycling"),
        walk(18, 10, "swimming"),
        walk(17, 30, "water_therapy"),
        walk(16, 12, "stretching"),
        ActivityRecord(at=at(20), kind="walking"),  # minutes unknown
        ActivityRecord(at=at(20), kind="strengthening", minutes=20),
        ActivityRecord(at=at(15), kind="stabilization"),
        ActivityRecord(at=at(14), kind="mckenzie"),
        ActivityRecord(at=at(13), kind="mckenzie"),  # outside window
    ]
    s = summarize_progress([], activities, TODAY)
    assert s.walking_minutes_7d == 20
    assert s.aerobic_minutes_7d == 75
    assert s.strengthening_sessions_7d == 3


def test_render_no_data():
    text = render_progress(EMPTY)
    assert "no check-ins yet" in text
    assert "check in" in text


def test_render_meaningful_improvement_mentions_numbers():
    s = replace(EMPTY, checkin_count=5, streak_days=4, first_score=7, latest_score=4,
                change=-3, meaningful=True, improved=True, walking_minutes_7d=45,
                longest_walk_7d=25)
    text = render_progress(s)
    for fragment in ("5 times", "4-day streak", "7/10", "4/10", "meaningful improvement",
                     "45 minutes", "25 minutes", "20-30"):
        assert fragment in text
    assert "doctor" not in text


def test_render_small_improvement_is_honest():
    s = replace(EMPTY, checkin_count=2, streak_days=2, first_score=6, latest_score=5,
                change=-1, meaningful=False, improved=True)
    text = render_progress(s)
    assert "6/10" in text and "5/10" in text
    assert "not yet" in text
    assert "meaningful improvement" not in text


def test_render_no_change():
    s = replace(EMPTY, checkin_count=3, first_score=5, latest_score=5, change=0,
                meaningful=False, improved=False)
    text = render_progress(s)
    assert "same" in text and "5/10" in text


@pytest.mark.parametrize("latest,meaningful", [(8, True), (6.5, False)])
def test_render_worsening_suggests_clinician(latest, meaningful):
    s = replace(EMPTY, checkin_count=3, streak_days=1, first_score=5, latest_score=latest,
                change=latest - 5, meaningful=meaningful, improved=False)
    text = render_progress(s)
    assert "doctor or physiotherapist" in text
    assert f"{latest:g}/10" in text
    assert "improvement" not in text


def test_render_short_walks_encourage_building_up():
    s = replace(EMPTY, checkin_count=1, streak_days=1, first_score=4, latest_score=4,
                walking_minutes_7d=30, longest_walk_7d=12)
    text = render_progress(s)
    assert "30 minutes" in text and "12 minutes" in text
    assert "20-30 minutes" in text and "without stopping" in text
    assert "1 time " in text


def test_render_no_walks_and_other_activity():
    s = replace(EMPTY, checkin_count=2, first_score=4, latest_score=4, change=0,
                aerobic_minutes_7d=40, strengthening_sessions_7d=2)
    text = render_progress(s)
    assert "No walks" in text
    assert "40 minutes of cycling or pool work" in text
    assert "2 strengthening sessions" in text


def test_render_from_summary_end_to_end():
    checkins = [CheckinRecord(at=at(d), pain_score=p) for d, p in ((17, 8), (18, 7), (19, 6), (20, 5))]
    text = render_progress(summarize_progress(checkins, [walk(20, 30)], TODAY))
    assert "4 times" in text and "4-day streak" in text
    assert "8/10" in text and "5/10" in text and "meaningful improvement" in text


# --- dates in the summary -------------------------------------------------------------

def test_summary_keeps_the_days_of_the_first_and_latest_scores():
    checkins = [CheckinRecord(at=datetime(2024, 3, 1, 9), pain_score=6),
                CheckinRecord(at=at(19), pain_score=5), CheckinRecord(at=at(20))]
    s = summarize_progress(checkins, [], TODAY)
    assert (s.first_score_on, s.latest_score_on, s.today) == (date(2024, 3, 1), date(2024, 3, 19), TODAY)


def test_render_cites_the_days_of_first_and_latest_scores():
    checkins = [CheckinRecord(at=datetime(2024, 3, 3, 9), pain_score=6), CheckinRecord(at=at(20), pain_score=4)]
    text = render_progress(summarize_progress(checkins, [], TODAY))
    assert "from 6/10 on 3 Mar to 4/10 today" in text
    assert "meaningful improvement" in text


def test_render_cites_a_weekday_within_the_week():
    checkins = [CheckinRecord(at=at(18), pain_score=7), CheckinRecord(at=at(19), pain_score=6.5)]
    text = render_progress(summarize_progress(checkins, [], TODAY))  # 18 Mar 2024 was a Monday
    assert "from 7/10 on Monday to 6.5/10 yesterday" in text


def test_render_no_change_cites_the_first_day():
    checkins = [CheckinRecord(at=datetime(2024, 3, 1, 9), pain_score=5), CheckinRecord(at=at(20), pain_score=5)]
    text = render_progress(summarize_progress(checkins, [], TODAY))
    assert "the same as at your first check-in on 1 Mar" in text
