"""Which encouragement lines the coach chooses."""
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching import (
    activities_feedback, activity_feedback, checkin_feedback, direction_advice, fear_reassurance, is_stop_and_go,
    sleep_feedback, stop_and_go_feedback,
)
from bot.escalation import NO_IMPROVEMENT, REASONS, SPREADING_NUMBNESS, SPREADING_REPEATED, WORSENING
from bot.records import ACTIVITIES, ActivityRecord, ActivityReport, CheckinRecord

NOW = datetime(2024, 3, 20, 9)
YESTERDAY = datetime(2024, 3, 19, 9)


def checkin(score=None, at=NOW, location=None, trend=None):
    return CheckinRecord(at=at, pain_score=score, location=location, trend=trend)


def joined(lines):
    return " ".join(lines).lower()


# --- check-ins ---------------------------------------------------------------

def test_first_line_thanks_with_score():
    lines = checkin_feedback(checkin(4), None, None, "unknown", 1)
    assert lines[0].startswith("Thanks")
    assert "4/10" in lines[0]
    assert len(lines) == 1


def test_thanks_without_score():
    lines = checkin_feedback(checkin(), None, None, "unknown", 0)
    assert lines[0].startswith("Thanks")
    assert "/10" not in lines[0]


def test_meaningful_improvement_vs_previous():
    text = joined(checkin_feedback(checkin(4), checkin(6, YESTERDAY), 6, "stable", 2))
    assert "down from 6" in text
    assert "meaningful improvement" in text
    assert "hurt does not always mean harm" not in text


def test_exactly_thirty_percent_vs_previous_is_celebrated():
    text = joined(checkin_feedback(checkin(3.5), checkin(5, YESTERDAY), 5, "stable", 2))
    assert "meaningful improvement" in text


def test_meaningful_improvement_vs_first_score():
    text = joined(checkin_feedback(checkin(5), checkin(6, YESTERDAY), 8, "stable", 2))
    assert "first check-in" in text
    assert "from 8 to 5" in text


def test_small_drop_is_not_celebrated_as_meaningful():
    text = joined(checkin_feedback(checkin(5), checkin(6, YESTERDAY), 6, "stable", 2))
    assert "meaningful" not in text


def test_worsening_gets_hurt_not_harm():
    text = joined(checkin_feedback(checkin(7), checkin(5, YESTERDAY), 5, "stable", 2))
    assert "up from 5" in text
    assert "hurt does not always mean harm" in text
    assert "improvement" not in text


def test_worse_trend_without_scores():
    text = joined(checkin_feedback(checkin(trend="worse"), None, None, "unknown", 0))
    assert "worse" in text
    assert "hurt does not always mean harm" in text


def test_centralizing_encouraged():
    text = joined(checkin_feedback(checkin(4, location="buttock"), checkin(5, YESTERDAY, "calf"),
                                   5, "centralizing", 2))
    assert "good sign" in text
    assert "keep doing" in text


def test_peripheralizing_advice_without_softening():
    text = joined(checkin_feedback(checkin(6, location="leg"), checkin(4, YESTERDAY, "lower_back"),
                                   4, "peripheralizing", 2))
    assert "spreading further down your leg" in text
    assert "moving away from your spine" in text
    assert "stop or reduce the movement that set it off" in text
    assert "opposite" in text
    assert "keeps spreading" in text and "numbness or tingling" in text
    assert "doctor or physiotherapist" in text
    assert "up from 4 yesterday" in text
    assert "hurt does not always mean harm" not in text
    assert "what were you doing" not in text  # the check-in asks that itself


def test_direction_advice_is_exposed_for_the_checkin():
    spreading_text = direction_advice("peripheralizing")
    assert "moving away from your spine" in spreading_text
    assert "stop or reduce" in spreading_text.lower() and "opposite" in spreading_text
    assert "?" not in spreading_text
    centralizing_text = direction_advice("centralizing")
    assert "good sign" in centralizing_text.lower()
    assert "mckenzie" in centralizing_text.lower() and "keep doing what helped" in centralizing_text
    for other in ("stable", "unknown", None):
        assert direction_advice(other) is None


@pytest.mark.parametrize("streak", [3, 7, 14, 30])
def test_streak_milestones(streak):
    text = joined(checkin_feedback(checkin(4), None, None, "unknown", streak))
    assert f"{streak} days in a row" in text


@pytest.mark.parametrize("streak", [0, 1, 2, 4, 8, 31])
def test_no_streak_line_between_milestones(streak):
    text = joined(checkin_feedback(checkin(4), None, None, "unknown", streak))
    assert "in a row" not in text


# --- a tier-3 referral in the same reply ---------------------------------------

def spreading(referral=()):
    return checkin_feedback(checkin(6, location="calf"), checkin(5, YESTERDAY, "thigh"), 4,
                            "peripheralizing", 2, referral)


@pytest.mark.parametrize("reason", [SPREADING_REPEATED, SPREADING_NUMBNESS])
def test_spreading_referral_carries_the_direction_advice_once(reason):
    lines = spreading((reason,))
    text = joined(lines)
    assert "within the next few days" in lines[-1]
    assert "stop or reduce the movement that set it off" in text
    assert text.count("stop or") == 1
    assert text.count("opposite") == 1
    assert text.count("doctor or physiotherapist") == 1
    assert "moving away from your spine" not in text  # the referral says why instead
    assert "keeps spreading" not in text
    assert "hurt does not always mean harm" not in text


def test_other_referral_keeps_the_spreading_self_care_and_drops_the_watch_out():
    lines = spreading((WORSENING,))
    text = joined(lines)
    assert "moving away from your spine" in text
    assert text.count("stop or") == 1  # from the direction line
    assert "keeps spreading" not in text
    assert text.count("doctor or physiotherapist") == 1
    assert "2 points higher" in lines[-1]


def test_without_referral_the_spreading_advice_is_unchanged():
    text = joined(spreading())
    assert "keeps spreading" in text and "stop or reduce" in text
    assert "within the next few days" not in text


def test_referral_keeps_centralizing_encouragement_and_streak():
    lines = checkin_feedback(checkin(5, location="thigh"), checkin(5, YESTERDAY, "calf"), 5,
                             "centralizing", 3, (NO_IMPROVEMENT,))
    text = joined(lines)
    assert "good sign" in text and "keep doing" in text
    assert "3 days in a row" in text
    assert "four weeks" in lines[-1]
    assert "gentle activity" in lines[-1]


def test_referral_is_not_softened_by_hurt_not_harm():
    text = joined(checkin_feedback(checkin(7), checkin(5, YESTERDAY), 3, "stable", 2, (WORSENING,)))
    assert "up from 5" in text
    assert "hurt does not always mean harm" not in text


# --- activities --------------------------------------------------------------

def activity(kind, minutes=None, day=20):
    return ActivityRecord(at=datetime(2024, 3, day, 9), kind=kind, minutes=minutes)


@pytest.mark.parametrize("kind", ["walking", "cycling", "swimming", "water_therapy"])
def test_long_continuous_session_celebrated_as_conditioning(kind):
    lines = activity_feedback(activity(kind, 20), [])
    assert "real conditioning" in lines[0]
    assert "20-minute" in lines[0]


def test_short_walk_encouraged_to_build_up():
    current = activity("walking", 12)
    lines = activity_feedback(current, [activity("walking", 30, 18), current])
    assert "12-minute walk" in lines[0]
    assert "adding a few minutes" in lines[0]
    assert "20-30 minutes" in lines[0]
    assert "stop-and-go" in lines[0].lower()
    assert "42 minutes" in lines[1]  # current counted once


def test_nineteen_minutes_is_still_short():
    lines = activity_feedback(activity("cycling", 19), [])
    assert "adding a few minutes" in lines[0]
    assert "stop-and-go" not in lines[0].lower()


def test_weekly_total_adds_current_when_missing():
    lines = activity_feedback(activity("walking", 25), [activity("cycling", 15, 19),
                                                        activity("stretching", 10, 18)])
    assert "40 minutes" in lines[1]
    assert "this week" in lines[1]


def test_walk_without_minutes_asks_for_duration():
    lines = activity_feedback(activity("walking"), [])
    assert "how many minutes" in lines[0]


@pytest.mark.parametrize("text", [
    "walked 40 minutes doing errands", "30 mins round the shops",
    "walked around the supermarket for 25 minutes", "stop-start walking for 30 min",
    "walked 20 minutes with a few stops", "went shopping on foot for an hour",
    "walked on and off for half an hour", "stop and go walking, 30 minutes",
])
def test_stop_and_go_walks_recognised(text):
    assert is_stop_and_go(text)


@pytest.mark.parametrize("text", [
    "walked 25 minutes without stopping", "a brisk walk, 30 minutes non-stop",
    "walked 20 minutes without breaks", "walked to the shops and back, 30 minutes steady",
    "walked 30 minutes, no stops", "",
])
def test_continuous_walks_are_not_stop_and_go(text):
    assert not is_stop_and_go(text)


def test_stop_and_go_walk_is_noted_but_not_counted():
    lines = stop_and_go_feedback(40, [activity("cycling", 15, 19), activity("walking", None, 20)])
    text = joined(lines)
    assert "40 minutes" in lines[0]
    assert "doesn't count" in text
    assert "brilliant" not in text and "real conditioning" not in text
    assert "20-30 minutes" in text and "without stopping" in text
    assert "stays at 15 minutes" in lines[-1]
    nothing_yet = stop_and_go_feedback(None, [])
    assert "your walking" in nothing_yet[0]
    assert len(nothing_yet) == 2  # no "stays at 0 minutes"


@pytest.mark.parametrize("kind", ["strengthening", "stabilization", "mckenzie"])
def test_strength_sessions_celebrated_and_counted(kind):
    week = [activity("strengthening", 20, 18), activity("walking", 30, 19)]
    lines = activity_feedback(activity(kind, 15), week)
    assert lines[0].startswith("Nice work finishing your")
    assert "2 strengthening sessions this week" in lines[1]


def test_stretching_counted():
    lines = activity_feedback(activity("stretching", 10), [])
    assert "stretching" in lines[0].lower()
    assert "1 stretching session this week" in lines[1]


# --- several sessions in one message -------------------------------------------

def logged(*reports, earlier=()):
    """The week after logging `reports` now: the earlier sessions, then these (as the use case reads it)."""
    return list(earlier) + [ActivityRecord(at=NOW, kind=r.kind, exercise_id=r.exercise_id,
                                           minutes=None if r.stop_and_go else r.minutes) for r in reports]


def test_a_walk_and_a_stretch_get_a_line_each_then_the_weeks_figures_once():
    reports = [ActivityReport("walking", 25), ActivityReport("stretching", None, "childs_pose")]
    lines = activities_feedback(reports, logged(*reports, earlier=[activity("cycling", 15, 19)]))
    assert lines == [
        "A 25-minute walk, brilliant! A continuous session of 20-30+ minutes is real conditioning "
        "for your back.",
        "Stretching done, nice! Go as far as is comfortable, in a slow and controlled way; tight "
        "hamstrings in particular put extra strain on the low back.",
        "That brings you to 40 minutes of aerobic activity this week.",
        "That's 1 stretching session this week.",
    ]


def test_a_swim_and_a_walk_share_one_aerobic_total():
    reports = [ActivityReport("swimming", 20), ActivityReport("walking", 15)]
    lines = activities_feedback(reports, logged(*reports))
    assert "20-minute swim" in lines[0] and "15-minute walk" in lines[1]
    assert [line for line in lines if "this week" in line] == [
        "That brings you to 35 minutes of aerobic activity this week."]


def test_two_stretches_are_praised_once_and_both_counted():
    reports = [ActivityReport("stretching", None, "cat_cow"), ActivityReport("stretching", None, "childs_pose")]
    lines = activities_feedback(reports, logged(*reports))
    assert len([line for line in lines if line.startswith("Stretching done")]) == 1
    assert lines[-1] == "That's 2 stretching sessions this week."


def test_an_errands_walk_with_a_swim_is_not_counted_and_the_total_is_said_once():
    reports = [ActivityReport("walking", 40, stop_and_go=True), ActivityReport("swimming", 20)]
    lines = activities_feedback(reports, logged(*reports))
    text = joined(lines)
    assert "40 minutes on your feet" in lines[0] and "doesn't count" in text
    assert "stays at" not in text
    assert lines[-1] == "That brings you to 20 minutes of aerobic activity this week."


def test_an_errands_walk_alone_is_said_as_before():
    week = [activity("cycling", 15, 19), activity("walking", None, 20)]
    report = ActivityReport("walking", 40, stop_and_go=True)
    assert activities_feedback([report], week) == stop_and_go_feedback(40, week)
    assert activities_feedback([report], week)[-1] == ("Your continuous aerobic total this week "
                                                       "stays at 15 minutes.")


reports_strategy = st.lists(st.builds(
    ActivityReport, kind=st.sampled_from(ACTIVITIES),
    minutes=st.one_of(st.none(), st.floats(0.5, 300, allow_nan=False)),
    exercise_id=st.none(), stop_and_go=st.booleans(),
).map(lambda r: r if r.kind == "walking" or not r.stop_and_go else ActivityReport(r.kind, r.minutes)),
    min_size=1, max_size=6)


@settings(max_examples=200, deadline=None, database=None)
@given(reports_strategy)
def test_each_weekly_figure_is_said_once_after_every_sessions_line(reports):
    lines = activities_feedback(reports, logged(*reports))
    assert len(lines) == len(set(lines))
    weekly = [i for i, line in enumerate(lines) if "this week" in line]
    assert sum("aerobic" in lines[i] for i in weekly) <= 1
    assert sum("strengthening session" in lines[i] for i in weekly) <= 1
    assert sum("stretching session" in lines[i] for i in weekly) <= 1
    assert weekly == list(range(len(lines) - len(weekly), len(lines)))  # the week's figures close it


@settings(max_examples=200, deadline=None, database=None)
@given(st.sampled_from(ACTIVITIES), st.one_of(st.none(), st.floats(0.5, 300, allow_nan=False)))
def test_one_session_is_said_as_activity_feedback_says_it(kind, minutes):
    record = activity(kind, minutes)
    week = [activity("walking", 30, 18), activity("strengthening", None, 19)]
    assert activities_feedback([ActivityReport(kind, minutes)], week + [record]) == \
        activity_feedback(record, week)


# --- sleep and fear ------------------------------------------------------------

def test_good_sleep_praised():
    lines = sleep_feedback("good", 8)
    assert len(lines) == 1
    assert "slept well" in lines[0]


@pytest.mark.parametrize("quality,hours", [("bad", None), ("bad", 7), ("good", 4.5), ("ok", 5)])
def test_bad_or_short_sleep_gets_tips(quality, hours):
    text = joined(sleep_feedback(quality, hours))
    assert "caffeine" in text and "nicotine" in text
    assert "physically tired" in text
    assert "slept well" not in text


def test_ok_sleep_noted():
    lines = sleep_feedback("ok", 7)
    assert len(lines) == 1
    assert "caffeine" not in lines[0]


def test_fear_reassurance_covers_graded_activity():
    text = fear_reassurance().lower()
    for fragment in ("muscles", "gradual", "hurt does not always mean harm", "start small"):
        assert fragment in text


ALL_TEXT = " ".join(
    checkin_feedback(checkin(6, location="leg"), checkin(4, YESTERDAY, "lower_back"), 4,
                     "peripheralizing", 3)
    + activity_feedback(activity("mckenzie"), [])
    + sleep_feedback("bad", 4)
    + [fear_reassurance()]
    + spreading(REASONS)
    + stop_and_go_feedback(30, [])
).lower()


@pytest.mark.parametrize("word", ["mg", "dose", "ibuprofen", "medication", "diagnos"])
def test_never_doses_or_diagnoses(word):
    assert word not in ALL_TEXT


@pytest.mark.parametrize("place", ["buttock", "hip", "groin"])
def test_a_spread_that_stops_above_the_leg_is_not_called_a_spread_down_the_leg(place):
    text = joined(checkin_feedback(checkin(6, location=place), checkin(4, YESTERDAY, "lower_back"),
                                   4, "peripheralizing", 2))
    assert f"spreading out into your {place}" in text and "moving away from your spine" in text
    assert "down your leg" not in text.split("(peripheralizing)")[0]
    assert "stop or reduce the movement that set it off" in text and "keeps spreading" in text
    assert "spreading further down your leg" in direction_advice("peripheralizing", location="calf")
    assert "spreading further down your leg" in direction_advice("peripheralizing")  # place not known
