"""Check-in encouragement that cites the record: dated scores and what was done since."""
import re
from datetime import date, datetime, timedelta

import pytest

from bot.coaching import checkin_feedback, sessions_since
from bot.escalation import SEE_A_DOCTOR, EpisodeAge
from bot.progress import say_day
from bot.records import ActivityRecord, CheckinRecord

TODAY = date(2024, 11, 14)  # a Thursday
NOW = datetime(2024, 11, 14, 9)
MONDAY = datetime(2024, 11, 11, 8)
FIRST = datetime(2024, 11, 1, 8)


def words(text):
    """Whole tokens, so "6" never matches inside "16" or "6.5"."""
    return re.findall(r"\d+(?:\.\d+)?|[A-Za-z']+", text)


def ck(at, score=None, trend=None):
    return CheckinRecord(at=at, pain_score=score, trend=trend)


def act(at, kind="walking", minutes=20):
    return ActivityRecord(at=at, kind=kind, minutes=minutes)


SINCE_MONDAY = [
    act(datetime(2024, 11, 10, 12)),             # before Monday's check-in: not counted
    act(datetime(2024, 11, 11, 7)),              # same day, before the check-in: not counted
    act(datetime(2024, 11, 11, 12)),
    act(datetime(2024, 11, 12, 12)),
    act(datetime(2024, 11, 13, 12), minutes=None),  # an errands walk is still a walk
    act(datetime(2024, 11, 13, 18), "strengthening", None),
    act(datetime(2024, 11, 14, 10)),             # after this check-in: not counted
]


def feedback(score, previous, activities=(), first=None, first_score=None, direction="stable",
             today=TODAY, **kw):
    return checkin_feedback(ck(NOW, score), previous, first_score, direction, 2,
                            activities=activities, today=today, first=first, **kw)


# --- naming the day --------------------------------------------------------------

@pytest.mark.parametrize("day,on,expected", [
    (date(2024, 11, 14), True, "today"),
    (date(2024, 11, 13), True, "yesterday"),
    (date(2024, 11, 11), True, "on Monday"),
    (date(2024, 11, 11), False, "Monday"),
    (date(2024, 11, 8), True, "on Friday"),    # 6 days ago: still a weekday name
    (date(2024, 11, 7), True, "on 7 Nov"),     # 7 days ago: a date, not "Thursday"
    (date(2024, 11, 7), False, "on 7 Nov"),
    (date(2023, 12, 30), True, "on 30 Dec 2023"),
])
def test_say_day(day, on, expected):
    assert say_day(day, TODAY, on) == expected


# --- what was done since ------------------------------------------------------------

def test_sessions_since_counts_only_between_the_two_checkins():
    assert sessions_since(SINCE_MONDAY, MONDAY, NOW) == "three walks and one strengthening session"
    assert sessions_since(SINCE_MONDAY, NOW, None) == "one walk"
    assert sessions_since([], MONDAY, NOW) is None


# --- the score against the last check-in, dated -------------------------------------

def test_meaningful_drop_is_dated_and_linked_to_the_walks():
    lines = feedback(4, ck(MONDAY, 6), SINCE_MONDAY)
    line = lines[1]
    assert "down from 6 on Monday to 4 today" in line
    assert "with three walks and one strengthening session since" in line
    assert "meaningful improvement" in line


def test_a_check_in_more_than_a_week_ago_gets_a_date():
    lines = feedback(4, ck(FIRST, 7))
    assert "down from 7 on 1 Nov to 4 today" in lines[1]
    assert "since" not in lines[1]  # nothing logged: no activity claim


def test_yesterday_and_earlier_today():
    assert "down from 6 yesterday to 3 today" in feedback(3, ck(NOW - timedelta(days=1), 6))[1]
    assert "down from 6 earlier today" in feedback(3, ck(NOW - timedelta(hours=2), 6))[1]


def test_no_change_gets_a_word():
    lines = feedback(5, ck(MONDAY, 5), SINCE_MONDAY)
    assert lines[1].startswith("About the same as Monday (5)")
    assert "Steady is fine" in lines[1]
    assert "three walks" in lines[1]
    assert "meaningful" not in " ".join(lines)
    assert "hurt does not always mean harm" not in " ".join(lines).lower()


def test_no_change_against_a_date_reads_naturally():
    assert feedback(5, ck(FIRST, 5))[1].startswith("About the same as on 1 Nov (5)")


def test_small_drop_gets_a_word_without_overclaiming():
    lines = feedback(5, ck(MONDAY, 6), SINCE_MONDAY)
    assert lines[1].startswith("A little lower than Monday (6)")
    assert "meaningful" not in " ".join(lines)
    assert "5" not in words(lines[1])  # the line cites the earlier score, the thanks the new one


def test_small_rise_is_normalised_with_hurt_not_harm():
    lines = feedback(6.5, ck(MONDAY, 6))
    assert "A little up from 6 on Monday" in lines[1]
    assert "hurt does not always mean harm" in lines[1]
    assert "6.5" in words(lines[0]) and "6" in words(lines[1])


def test_meaningful_rise_is_dated_without_softening_when_spreading():
    lines = feedback(8, ck(MONDAY, 5), direction="peripheralizing")
    assert "gone up from 5 on Monday" in lines[1]
    assert "hurt does not always mean harm" not in " ".join(lines)
    assert "moving away from your spine" in " ".join(lines)


def test_meaningful_drop_since_the_first_checkin_is_dated():
    lines = feedback(5, ck(MONDAY, 6), SINCE_MONDAY, first=ck(FIRST, 8))
    text = " ".join(lines)
    assert "A little lower than Monday (6)" in text
    assert "Since your first check-in on 1 Nov you've come down from 8 to 5" in text


def test_first_score_without_its_record_is_not_dated():
    text = " ".join(feedback(5, ck(MONDAY, 6), first_score=8))
    assert "Since your first check-in you've come down from 8 to 5" in text


def test_today_defaults_to_the_checkin_day():
    lines = checkin_feedback(ck(NOW, 4), ck(MONDAY, 6), None, "stable", 1)
    assert "down from 6 on Monday to 4 today" in lines[1]


@pytest.mark.parametrize("trend,fragment", [
    ("better", "easing"), ("same", "Steady is fine"), ("worse", "hurt does not always mean harm"),
])
def test_without_two_scores_the_trend_gets_a_word(trend, fragment):
    lines = checkin_feedback(ck(NOW, trend=trend), None, None, "unknown", 1, today=TODAY)
    assert fragment in " ".join(lines)


def test_see_a_doctor_in_the_checkin_reply_counts_from_the_first_checkin():
    age = EpisodeAge(start=date(2024, 10, 10), onset_known=False, today=TODAY)
    lines = checkin_feedback(ck(NOW, 3), ck(MONDAY, 6), None, "stable", 1, (SEE_A_DOCTOR,),
                             today=TODAY, episode=age)
    assert "down from 6 on Monday to 3 today" in lines[1]  # praise first, referral last
    assert "you first checked in with me 5 weeks ago, on 10 Oct" in lines[-1]
    assert "I don't know when the pain began" in lines[-1]
