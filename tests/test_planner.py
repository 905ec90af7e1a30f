"""The daily plan: aerobic progression, exercise choice, ticks, tips and text."""
from dataclasses import FrozenInstanceError, replace
from datetime import date, datetime, timedelta

import pytest

from bot.knowledge import default_knowledge_base
from bot.planner import Plan, PlanInputs, build_plan, render_plan
from bot.records import ActivityRecord

TODAY = date(2024, 3, 20)
TIPS = ("Tip A", "Tip B", "Tip C")
KB = default_knowledge_base()


def act(days_ago, kind="walking", minutes=None, exercise_id=None, hour=9):
    day = TODAY - timedelta(days=days_ago)
    return ActivityRecord(at=datetime(day.year, day.month, day.day, hour), kind=kind,
                          minutes=minutes, exercise_id=exercise_id)


def inputs(phase="acute", score=3.0, direction="stable", activities=(), today=TODAY):
    return PlanInputs(today=today, phase=phase, latest_score=score, direction=direction,
                      activities=tuple(activities))


def plan(**kw) -> Plan:
    return build_plan(inputs(**kw), KB, TIPS)


def ids(p: Plan):
    return [item.exercise.id for item in p.exercises]


def days(n=14):
    return [TODAY + timedelta(days=i) for i in range(n)]


def any_note(p: Plan, *words):
    return any(all(w in note.lower() for w in words) for note in p.notes)


# ------------------------------------------------------------------ aerobic target

@pytest.mark.parametrize("phase,minutes", [(None, 10), ("acute", 10), ("subacute", 15), ("chronic", 20)])
def test_start_minutes_without_history(phase, minutes):
    assert plan(phase=phase).aerobic_minutes == minutes


@pytest.mark.parametrize("sessions,target", [
    ([12], 17),
    ([12, 18, 6], 23),             # the longest single session counts, not the total
    ([3], 10),                     # never below 10
    ([12.4], 17),
    ([12.5], 18),                  # whole minutes, half rounds up
    ([28], 30),
    ([30], 30),
    ([45], 30),                    # never above 30
])
def test_target_is_longest_recent_session_plus_five(sessions, target):
    history = [act(i + 1, minutes=m) for i, m in enumerate(sessions)]
    p = plan(phase="chronic", activities=history)
    assert p.aerobic_minutes == target
    assert isinstance(p.aerobic_minutes, int)


def test_target_uses_only_the_seven_days_before_today():
    assert plan(activities=[act(8, minutes=25)]).aerobic_minutes == 10   # too old: phase default
    assert plan(activities=[act(7, minutes=25)]).aerobic_minutes == 30
    assert plan(activities=[act(0, minutes=25)]).aerobic_minutes == 10   # today is not history


def test_target_ignores_non_aerobic_and_unknown_minutes():
    history = [act(1, "stretching", 40), act(1, "strengthening", 40), act(2, "walking", None)]
    assert plan(phase="subacute", activities=history).aerobic_minutes == 15


def test_any_aerobic_kind_counts_towards_the_target():
    for kind in ("walking", "cycling", "swimming", "water_therapy"):
        assert plan(activities=[act(2, kind, 14)]).aerobic_minutes == 19


def test_thirty_minutes_is_kept_and_called_the_goal():
    p = plan(activities=[act(1, minutes=30)])
    assert p.aerobic_minutes == 30
    assert any_note(p, "30 minutes", "goal")
    assert not any_note(plan(activities=[act(1, minutes=20)]), "goal")


def test_high_pain_caps_target_and_suggests_water():
    p = plan(score=7, activities=[act(1, minutes=25)])
    assert p.aerobic_minutes == 15
    assert any_note(p, "pool") and any_note(p, "water")
    assert plan(score=8, activities=[act(1, minutes=6)]).aerobic_minutes == 11  # below the cap
    calm = plan(score=6.9, activities=[act(1, minutes=25)])
    assert calm.aerobic_minutes == 30
    assert not any_note(calm, "pool")


def test_unknown_score_is_not_high_pain():
    p = plan(score=None, phase="subacute")
    assert len(p.exercises) == 4
    assert p.aerobic_minutes == 15


def test_aerobic_done_today_is_the_longest_session_today():
    history = [act(0, "walking", 8), act(0, "cycling", 12.5), act(0, "stretching", 30), act(1, "walking", 40)]
    assert plan(activities=history).aerobic_done_today == 12.5
    assert plan(activities=[act(1, minutes=20)]).aerobic_done_today == 0.0


# ------------------------------------------------------------------ aerobic kind

def test_kind_defaults_to_walking():
    assert plan().aerobic_kind == "walking"
    assert plan(activities=[act(1, "stretching", 10)]).aerobic_kind == "walking"


def test_kind_is_most_frequent_in_last_fourteen_days():
    history = [act(1, "cycling", 10), act(3, "cycling", 10), act(2, "walking", 10),
               act(20, "walking", 10), act(21, "walking", 10), act(22, "walking", 10)]
    assert plan(activities=history).aerobic_kind == "cycling"
    assert plan(activities=[act(15, "swimming", 20)]).aerobic_kind == "walking"
    assert plan(activities=[act(14, "swimming", 20)]).aerobic_kind == "swimming"


def test_kind_tie_goes_to_most_recent():
    history = [act(5, "water_therapy", 10), act(1, "swimming", 10)]
    assert plan(activities=history).aerobic_kind == "swimming"
    history = [act(1, "water_therapy", 10), act(5, "swimming", 10)]
    assert plan(activities=history).aerobic_kind == "water_therapy"


# ------------------------------------------------------------------ exercise choice

ALL_CASES = [
    (phase, direction, score)
    for phase in (None, "acute", "subacute", "chronic")
    for direction in ("centralizing", "peripheralizing", "stable", "unknown")
    for score in (None, 2.0, 7.0, 9.5)
]


@pytest.mark.parametrize("phase,direction,score", ALL_CASES)
def test_every_plan_has_two_to_four_distinct_phase_appropriate_exercises(phase, direction, score):
    for day in days(7):
        p = plan(phase=phase, direction=direction, score=score, today=day)
        chosen = [item.exercise for item in p.exercises]
        assert 2 <= len(chosen) <= 4
        assert len({e.id for e in chosen}) == len(chosen)
        assert all(e.category != "aerobic" for e in chosen)
        assert all((phase or "acute") in e.phases for e in chosen)
        assert any(e.category == "stretching" and "hamstrings" in e.muscles for e in chosen)


def test_same_inputs_same_plan():
    history = [act(1, minutes=12, exercise_id=None), act(0, "stretching", exercise_id="cat_cow")]
    for phase in (None, "acute", "subacute", "chronic"):
        a = plan(phase=phase, direction="centralizing", activities=history)
        b = plan(phase=phase, direction="centralizing", activities=list(history))
        assert a == b


@pytest.mark.parametrize("phase", ["acute", "subacute", "chronic"])
def test_exercises_rotate_across_days(phase):
    plans = {tuple(ids(plan(phase=phase, today=day))) for day in days(7)}
    assert len(plans) > 1
    used = {i for p in plans for i in p}
    assert len(used) >= 4


def test_acute_is_gentle_stretching_plus_one_movement():
    for day in days(10):
        p = plan(phase="acute", today=day)
        chosen = [item.exercise for item in p.exercises]
        assert len(chosen) == 3
        assert chosen[0].id == "hamstring_stretch_supine"
        assert all(e.category == "stretching" for e in chosen)
        assert all(e.direction == "neutral" for e in chosen[:2])  # direction unknown: neutral move


def test_unknown_phase_is_treated_as_acute_and_asks_for_onset():
    for day in days(5):
        unknown = plan(phase=None, today=day)
        assert ids(unknown) == ids(plan(phase="acute", today=day))
        assert any_note(unknown, "when", "started")
    assert not any_note(plan(phase="acute"), "when", "started")


def test_subacute_adds_stabilization_and_strengthening():
    for day in days(10):
        p = plan(phase="subacute", today=day)
        categories = [item.exercise.category for item in p.exercises]
        assert len(categories) == 4
        assert "stabilization" in categories and "strengthening" in categories
        assert any_note(p, "two weeks", "strengthening")


def test_chronic_leads_with_strengthening_and_stabilization():
    seen = set()
    for day in days(28):
        p = plan(phase="chronic", today=day)
        categories = [item.exercise.category for item in p.exercises]
        assert categories[:2] == ["strengthening", "stabilization"]
        assert len(categories) == 4
        seen.update(ids(p))
        assert any_note(p, "physiotherapist")
    assert "front_plank" in seen  # the chronic-only, harder stabilization exercise is used


def test_acute_never_includes_strengthening():
    for day in days(14):
        p = plan(phase="acute", direction="centralizing", today=day)
        assert all(item.exercise.category not in ("strengthening",) for item in p.exercises)


@pytest.mark.parametrize("phase", [None, "acute", "subacute", "chronic"])
def test_peripheralizing_excludes_extension_and_prefers_flexion(phase):
    for day in days(14):
        p = plan(phase=phase, direction="peripheralizing", today=day)
        chosen = [item.exercise for item in p.exercises]
        assert all(e.direction != "extension" for e in chosen)
        assert any(e.direction == "flexion" for e in chosen)
        assert any_note(p, "further down", "stop")
        assert not any_note(p, "good news")


@pytest.mark.parametrize("phase", [None, "acute", "subacute", "chronic"])
def test_centralizing_includes_the_extension_progression(phase):
    for day in days(7):
        p = plan(phase=phase, direction="centralizing", today=day)
        assert any(item.exercise.category == "mckenzie_extension" for item in p.exercises)
        assert any_note(p, "toward your spine", "keep")
        assert not any_note(p, "further down")


@pytest.mark.parametrize("history,step", [
    ([], "prone_lying"),
    ([act(1, "mckenzie", exercise_id="prone_lying")], "prone_on_elbows"),
    ([act(2, "mckenzie", exercise_id="prone_lying"), act(1, "mckenzie", exercise_id="prone_on_elbows")],
     "prone_press_up"),
    ([act(3, "mckenzie", exercise_id="prone_press_up"), act(1, "mckenzie", exercise_id="prone_lying")],
     "standing_extension"),
    ([act(1, "mckenzie", exercise_id="standing_extension")], "standing_extension"),
    ([act(9, "mckenzie", exercise_id="prone_press_up")], "prone_lying"),       # too long ago
    ([act(0, "mckenzie", exercise_id="prone_lying")], "prone_lying"),          # today does not move it
])
def test_mckenzie_step_progresses_from_recent_history(history, step):
    p = plan(direction="centralizing", activities=history)
    mckenzie = [i for i in ids(p) if KB.get(i).category == "mckenzie_extension"]
    assert mckenzie == [step]


def test_high_pain_repeats_the_mckenzie_step():
    history = [act(1, "mckenzie", exercise_id="prone_on_elbows")]
    p = plan(direction="centralizing", score=8, activities=history)
    assert "prone_on_elbows" in ids(p)


@pytest.mark.parametrize("phase", [None, "acute", "subacute", "chronic"])
def test_high_pain_gives_two_gentlest_exercises(phase):
    for day in days(7):
        p = plan(phase=phase, score=7, today=day)
        assert len(p.exercises) == 2
        assert all("acute" in item.exercise.phases for item in p.exercises)
        assert all(item.exercise.category not in ("strengthening",) for item in p.exercises)
        assert all("gently" in item.dose for item in p.exercises)
        assert p.exercises[0].exercise.id == "hamstring_stretch_supine"


def test_normal_pain_uses_the_knowledge_base_dose():
    for item in plan(phase="subacute").exercises:
        assert item.dose == item.exercise.dose


# ------------------------------------------------------------------ done today, tip

def test_done_today_ticks_without_dropping():
    before = plan(phase="acute")
    first = before.exercises[0].exercise.id
    assert not any(item.done_today for item in before.exercises)
    after = plan(phase="acute", activities=[act(0, "stretching", exercise_id=first, hour=7)])
    assert ids(after) == ids(before)
    assert [item.done_today for item in after.exercises] == [True] + [False] * (len(ids(after)) - 1)
    yesterday = plan(phase="acute", activities=[act(1, "stretching", exercise_id=first)])
    assert not any(item.done_today for item in yesterday.exercises)


def test_tip_rotates_daily():
    for day in days(6):
        assert plan(today=day).tip == TIPS[day.toordinal() % len(TIPS)]
    assert plan(today=TODAY).tip != plan(today=TODAY + timedelta(days=1)).tip
    assert build_plan(inputs(), KB, []).tip == ""


def test_records_are_frozen():
    p = plan()
    with pytest.raises(FrozenInstanceError):
        p.aerobic_minutes = 99
    with pytest.raises(FrozenInstanceError):
        inputs().today = TODAY


# ------------------------------------------------------------------ text

def test_render_plan_shows_everything():
    first = plan(phase="subacute").exercises[0].exercise
    p = plan(phase="subacute", direction="peripheralizing",
             activities=[act(1, minutes=15), act(0, minutes=8), act(0, "stretching", exercise_id=first.id)])
    text = render_plan(p)
    assert "20 minutes" in text and "errands" in text.lower()
    assert "So far today: 8 minutes" in text
    for item in p.exercises:
        assert item.exercise.name in text and item.dose in text
    assert f"✓ {first.name}" in text
    assert text.count("✓") == 1
    assert "Tip: " + p.tip in text
    assert all(note in text for note in p.notes)
    assert "None" not in text


def test_render_plan_celebrates_reaching_the_target_and_names_the_kind():
    p = plan(activities=[act(0, "cycling", 12), act(3, "cycling", 5)])
    text = render_plan(p)
    assert p.aerobic_kind == "cycling" and p.aerobic_minutes == 10
    assert "stationary bike for 10 minutes" in text
    assert "✓ Done: 12 minutes" in text


def test_render_plan_without_tip_or_notes():
    p = replace(plan(), tip="", notes=())
    text = render_plan(p)
    assert "Tip:" not in text and "Note:" not in text
    assert text.startswith("Here's your plan for today")
