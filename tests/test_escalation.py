"""Tier-3 referral rules from the check-in history, each at its boundary."""
import re
from datetime import date, datetime, time, timedelta

import pytest

from bot.escalation import (
    NO_IMPROVEMENT,
    REASONS,
    SEE_A_DOCTOR,
    SPREADING_NUMBNESS,
    SPREADING_REPEATED,
    WORSENING,
    EpisodeAge,
    episode_age,
    episode_start,
    new_reasons,
    referral_advice,
    tier3_reasons,
)
from bot.records import CheckinRecord

TODAY = date(2024, 6, 30)
NOW = datetime.combine(TODAY, time(9))


def ck(days_ago=0, score=None, location=None, side=None, symptoms=(), trend=None, direction=None):
    """A check-in `days_ago` days before NOW (0 = the current one)."""
    return CheckinRecord(at=NOW - timedelta(days=days_ago), pain_score=score, location=location,
                         side=side, symptoms=tuple(symptoms), trend=trend, direction=direction)


def reasons(history, current, direction="stable", onset=None, today=TODAY):
    return tier3_reasons(history, current, direction, onset, today)


# --- the episode ---------------------------------------------------------------

def test_episode_starts_at_onset_else_first_stored_checkin_else_now():
    history = [ck(10, 5), ck(20, 6)]  # out of order on purpose
    assert episode_start(history, ck(), date(2024, 6, 1)) == datetime(2024, 6, 1, 0, 0)
    assert episode_start(history, ck(), None) == NOW - timedelta(days=20)
    assert episode_start([], ck(), None) == NOW


# --- "see a doctor if it lasts more than a few weeks": 4 weeks, whatever the scores ----

def test_old_names_still_import_and_keep_the_stored_code():
    from bot.escalation import NO_IMPROVEMENT_DAYS
    from bot.thresholds import SEE_A_DOCTOR_DAYS
    assert NO_IMPROVEMENT == SEE_A_DOCTOR == "no_improvement_4_weeks"
    assert NO_IMPROVEMENT_DAYS == SEE_A_DOCTOR_DAYS == 28


@pytest.mark.parametrize("days,expected", [(27, ()), (28, (SEE_A_DOCTOR,))])
def test_four_weeks_since_onset_boundary(days, expected):
    history = [ck(days - 1, 6)]
    assert reasons(history, ck(0, 6), onset=TODAY - timedelta(days=days)) == expected


@pytest.mark.parametrize("days,expected", [(27, ()), (28, (SEE_A_DOCTOR,))])
def test_four_weeks_since_first_checkin_when_onset_unknown(days, expected):
    history = [ck(days, 6), ck(3, 6)]
    assert reasons(history, ck(0, 6)) == expected


@pytest.mark.parametrize("baseline,score", [
    (8, 6.1),  # not a meaningful drop
    (8, 6),    # exactly 2 points: improved, still said
    (8, 2),    # much better, still said: it has lasted a month
    (5, 3.5),  # exactly 30%
    (4, 7),    # worse
])
def test_said_after_four_weeks_whatever_the_scores(baseline, score):
    history = [ck(30, baseline), ck(2, score + 1)]
    assert reasons(history, ck(0, score)) == (SEE_A_DOCTOR,)


def test_no_pain_today_holds_it_back_until_pain_returns():
    assert reasons([ck(30, 6)], ck(0, 0)) == ()
    assert reasons([ck(30, 6), ck(1, 0)], ck(0, 1)) == (SEE_A_DOCTOR,)


@pytest.mark.parametrize("trend", ["worse", "same", "better", None])
def test_without_a_score_it_is_said_whatever_the_trend(trend):
    assert reasons([ck(30, 6)], ck(0, trend=trend)) == (SEE_A_DOCTOR,)


def test_counts_from_the_onset_not_an_earlier_episode():
    history = [ck(60, 9), ck(20, 5)]
    assert reasons(history, ck(0, 4), onset=TODAY - timedelta(days=20)) == ()
    assert reasons(history, ck(0, 4), onset=TODAY - timedelta(days=29)) == (SEE_A_DOCTOR,)
    assert reasons(history, ck(0, 4), onset=None) == (SEE_A_DOCTOR,)  # from the first check-in


def test_pain_still_there_four_weeks_after_onset_with_no_earlier_score():
    assert reasons([], ck(0, 3), onset=TODAY - timedelta(days=28)) == (SEE_A_DOCTOR,)


def test_new_onset_restarts_the_four_weeks():
    history = [ck(60, 6), ck(30, 6)]
    assert reasons(history, ck(0, 6)) == (SEE_A_DOCTOR,)
    assert reasons(history, ck(0, 6), onset=TODAY - timedelta(days=5)) == ()


def test_episode_age_counts_from_the_onset_else_the_first_checkin():
    history = [ck(36, 6), ck(3, 6)]
    unknown = episode_age(history, ck(0, 6), None, TODAY)
    assert (unknown.start, unknown.onset_known, unknown.weeks) == (TODAY - timedelta(days=36), False, 5)
    known = episode_age(history, ck(0, 6), TODAY - timedelta(days=29), TODAY)
    assert (known.start, known.onset_known, known.weeks) == (TODAY - timedelta(days=29), True, 4)


# --- worsening above baseline ----------------------------------------------------

RECENT = TODAY - timedelta(days=10)  # an onset that keeps the 4-week rule out of the way


@pytest.mark.parametrize("run,expected", [
    ([5, 5], (WORSENING,)),      # 3 consecutive with the current one
    ([4, 5], ()),                # only 2 consecutive are 2+ above
    ([4.9, 5], ()),              # 1.9 above
    ([5, 4.9], ()),
    ([6, 8], (WORSENING,)),
])
def test_three_consecutive_scores_two_above_baseline(run, expected):
    history = [ck(9, 3)] + [ck(8 - i, s) for i, s in enumerate(run)]
    assert reasons(history, ck(0, 5), onset=RECENT) == expected


def test_worsening_current_score_also_counts():
    history = [ck(9, 3), ck(8, 5), ck(7, 5)]
    assert reasons(history, ck(0, 4.9), onset=RECENT) == ()
    assert reasons(history, ck(0, 5), onset=RECENT) == (WORSENING,)


def test_baseline_must_come_before_the_three():
    assert reasons([ck(8, 5), ck(7, 5)], ck(0, 5), onset=RECENT) == ()
    assert reasons([ck(8, 3), ck(7, 5)], ck(0, 5), onset=RECENT) == ()


def test_unscored_checkins_are_skipped_not_breaking_the_run():
    history = [ck(9, 3), ck(8, 5), ck(7, trend="worse"), ck(6, 5)]
    assert reasons(history, ck(0, 5), onset=RECENT) == (WORSENING,)
    assert reasons(history, ck(0, trend="worse"), onset=RECENT) == ()


def test_worsening_baseline_is_per_episode():
    history = [ck(40, 2), ck(9, 5), ck(8, 7), ck(7, 7)]
    assert reasons(history, ck(0, 7), onset=RECENT) == (WORSENING,)
    calmer = [ck(40, 2), ck(9, 6), ck(8, 7), ck(7, 7)]
    assert reasons(calmer, ck(0, 7), onset=RECENT) == ()


# --- peripheralizing on repeated check-ins ---------------------------------------

def test_two_peripheralizing_checkins_in_a_row():
    history = [ck(2, 4, "lower_back", direction="unknown"), ck(1, 4, "thigh", direction="peripheralizing")]
    assert reasons(history, ck(0, 4, "calf"), "peripheralizing", onset=RECENT) == (SPREADING_REPEATED,)


def test_checkins_without_a_direction_are_skipped():
    history = [ck(3, 4, "thigh", direction="peripheralizing"), ck(2, 4), ck(1, 4, direction="unknown")]
    assert reasons(history, ck(0, 4, "calf"), "peripheralizing", onset=RECENT) == (SPREADING_REPEATED,)


@pytest.mark.parametrize("previous,current", [
    ("stable", "peripheralizing"),
    ("centralizing", "peripheralizing"),
    ("peripheralizing", "stable"),
    ("peripheralizing", "centralizing"),
    (None, "peripheralizing"),
])
def test_one_peripheralizing_checkin_is_not_repeated(previous, current):
    history = [ck(1, 4, "thigh", direction=previous)]
    assert reasons(history, ck(0, 4, "calf"), current, onset=RECENT) == ()


def test_spreading_in_a_previous_episode_does_not_count():
    history = [ck(12, 4, "thigh", direction="peripheralizing")]
    assert reasons(history, ck(0, 4, "calf"), "peripheralizing", onset=RECENT) == ()


# --- peripheralizing with new one-sided numbness ---------------------------------

def spreading_now(side="left", symptoms=("tingling",)):
    return ck(0, 5, "leg", side=side, symptoms=symptoms)


BACK_ONLY = [ck(1, 4, "lower_back", direction="unknown")]


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("symptom", ["numbness", "tingling"])
def test_new_one_sided_numbness_while_spreading(side, symptom):
    current = spreading_now(side, (symptom, "ache"))
    assert reasons(BACK_ONLY, current, "peripheralizing", onset=RECENT) == (SPREADING_NUMBNESS,)


@pytest.mark.parametrize("side", ["both", None])
def test_numbness_on_both_or_unnamed_sides_is_not_one_sided(side):
    assert reasons(BACK_ONLY, spreading_now(side), "peripheralizing", onset=RECENT) == ()


def test_numbness_needs_spreading_and_a_nerve_symptom():
    assert reasons(BACK_ONLY, spreading_now(), "stable", onset=RECENT) == ()
    assert reasons(BACK_ONLY, spreading_now(symptoms=("ache", "burning")), "peripheralizing",
                   onset=RECENT) == ()


@pytest.mark.parametrize("previous_side,previous_symptom,expected", [
    ("left", "numbness", ()),                     # already there last time
    ("left", "tingling", ()),
    ("both", "numbness", ()),
    (None, "tingling", ()),                       # side not named: may be the same leg
    ("right", "tingling", (SPREADING_NUMBNESS,)),  # the other leg: new on this side
    ("left", "ache", (SPREADING_NUMBNESS,)),
])
def test_old_numbness_is_not_new(previous_side, previous_symptom, expected):
    history = [ck(1, 4, "thigh", side=previous_side, symptoms=(previous_symptom,), direction="stable")]
    assert reasons(history, spreading_now("left"), "peripheralizing", onset=RECENT) == expected


def test_only_the_previous_checkin_counts_for_new():
    history = [ck(3, 4, "thigh", side="left", symptoms=("numbness",), direction="stable"),
               ck(1, 4, "lower_back", direction="centralizing")]
    assert reasons(history, spreading_now("left", ("numbness",)), "peripheralizing",
                   onset=RECENT) == (SPREADING_NUMBNESS,)


def test_all_four_reasons_together_in_order():
    history = [ck(40, 3, "lower_back", direction="unknown"), ck(3, 5.5, "thigh", direction="stable"),
               ck(2, 6, "knee", direction="peripheralizing")]
    current = ck(0, 7, "calf", side="right", symptoms=("numbness",))
    assert reasons(history, current, "peripheralizing") == REASONS


# --- once per episode ------------------------------------------------------------

def test_new_reasons_leaves_out_those_already_given():
    assert new_reasons(REASONS, set()) == REASONS
    assert new_reasons((NO_IMPROVEMENT, WORSENING), {NO_IMPROVEMENT}) == (WORSENING,)
    assert new_reasons((NO_IMPROVEMENT,), {NO_IMPROVEMENT, SPREADING_REPEATED}) == ()
    assert new_reasons((WORSENING, WORSENING), []) == (WORSENING,)


def test_nothing_new_while_a_red_flag_is_open():
    assert new_reasons(REASONS, set(), urgent_open=True) == ()
    assert new_reasons(REASONS, set(), urgent_open=False) == REASONS


def given_since(log, history, current, onset):
    """What the store's escalation_reasons_since returns for this episode."""
    since = episode_start(history, current, onset)
    return {reason for at, reason in log if at >= since}


def test_advice_once_per_episode_and_again_after_a_new_onset():
    history = [ck(60, 6), ck(31, 6)]
    log = []  # (at, reason) as the store records them
    for day in (30, 29):  # two check-ins in a row in the first episode
        current = ck(day, 6)
        found = tier3_reasons(history, current, "stable", None, current.at.date())
        fresh = new_reasons(found, given_since(log, history, current, None))
        log += [(current.at, r) for r in fresh]
        history.append(current)
    assert [r for _, r in log] == [SEE_A_DOCTOR]

    onset = TODAY - timedelta(days=28)  # a new flare-up 4 weeks ago, still not better
    history.append(ck(27, 6))
    current = ck(0, 6)
    found = tier3_reasons(history, current, "stable", onset, TODAY)
    assert new_reasons(found, given_since(log, history, current, onset)) == (SEE_A_DOCTOR,)
    assert new_reasons(found, given_since(log, history, current, None)) == ()


# --- the advice ------------------------------------------------------------------

SEE_SOON = "please see a doctor or physiotherapist soon (within the next few days)"
STOP = "stop or reduce the movement that set it off"


@pytest.mark.parametrize("reason,explained", [
    (SEE_A_DOCTOR, "four weeks or more"),
    (WORSENING, "2 points higher than where it started"),
    (SPREADING_REPEATED, "two check-ins in a row"),
    (SPREADING_NUMBNESS, "new numbness or tingling in one leg"),
])
def test_advice_says_see_someone_soon_and_why(reason, explained):
    text = referral_advice([reason])
    assert SEE_SOON in text.lower()
    assert explained in text
    assert "emergency number" in text  # the safety net for tier-1 signs
    assert (STOP in text) is (reason in (SPREADING_REPEATED, SPREADING_NUMBNESS))


def test_advice_for_several_reasons_is_one_message_saying_each_thing_once():
    text = referral_advice([SPREADING_NUMBNESS, SEE_A_DOCTOR, SPREADING_REPEATED])
    assert text.lower().count("please see a doctor") == 1
    assert text.count(STOP) == 1
    assert text.count("four weeks or more") == 1
    assert text.index("about a month") < text.index("two check-ins") < text.index("new numbness")


def words(text):
    return re.findall(r"[\w']+", text)


def test_see_a_doctor_counts_from_the_first_checkin_when_onset_unknown_and_says_so():
    age = EpisodeAge(start=date(2024, 5, 19), onset_known=False, today=TODAY)  # 42 days
    text = referral_advice([SEE_A_DOCTOR], age)
    assert "you first checked in with me 6 weeks ago, on 19 May" in text
    assert "I don't know when the pain began" in text and "counting from then" in text
    assert "four weeks or more" in text
    assert "6" in words(text) and "42" not in words(text)


def test_see_a_doctor_counts_from_a_known_onset():
    age = EpisodeAge(start=date(2024, 6, 1), onset_known=True, today=TODAY)  # 29 days
    text = referral_advice([SEE_A_DOCTOR], age)
    assert "your back pain began 4 weeks ago, on 1 Jun" in text
    assert "don't know" not in text and "checked in with me" not in text


def test_see_a_doctor_dates_across_a_new_year():
    age = EpisodeAge(start=date(2023, 12, 1), onset_known=True, today=date(2024, 1, 5))
    assert "5 weeks ago, on 1 Dec 2023" in referral_advice([SEE_A_DOCTOR], age)


def test_no_reasons_no_advice():
    assert referral_advice([]) == ""
    assert referral_advice(["not_a_reason"]) == ""


@pytest.mark.parametrize("word", ["mg", "dose", "ibuprofen", "painkiller", "medication",
                                  "diagnos", "sciatica", "disc", "nerve", "tablet"])
def test_advice_never_doses_or_diagnoses(word):
    assert word not in referral_advice(REASONS).lower()
