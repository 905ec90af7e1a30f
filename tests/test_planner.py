"""The daily plan: aerobic progression, exercise choice, ticks, tips and text."""
from dataclasses import FrozenInstanceError, replace
from datetime import date, datetime, timedelta

import pytest

from bot import thresholds
from bot.coaching import direction_advice
from bot.knowledge import default_knowledge_base
from bot.knowledge.model import PAIN_RULE
from bot.planner import (
    CAUTION, END_RANGE, NERVE_TENSION, WORSE, Plan, PlanInputs, build_plan, render_plan,
)
from bot.records import CAUTIONS, MOVEMENTS, ActivityRecord

TODAY = date(2024, 3, 20)
TIPS = ("Tip A", "Tip B", "Tip C")
KB = default_knowledge_base()


def act(days_ago, kind="walking", minutes=None, exercise_id=None, hour=9):
    day = TODAY - timedelta(days=days_ago)
    return ActivityRecord(at=datetime(day.year, day.month, day.day, hour), kind=kind,
                          minutes=minutes, exercise_id=exercise_id)


def inputs(phase="acute", score=3.0, direction="stable", activities=(), today=TODAY,
           score_on=None, cautions=(), worse=(), better=()):
    return PlanInputs(today=today, phase=phase, latest_score=score, direction=direction,
                      activities=tuple(activities), score_on=score_on, cautions=tuple(cautions),
                      worse_with=tuple(worse), better_with=tuple(better))


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
        if direction == "peripheralizing":
            assert not any(e.nerve_tension for e in chosen)
        else:
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
        # direction unknown: the movement is a neutral or gentle twisting one, never
        # cat-cow (which arches and rounds) or a forward bend picked by assumption
        assert chosen[1].direction in ("neutral", "rotation"), chosen[1].id


def test_unknown_phase_is_the_acute_plan_and_does_not_ask_for_onset():
    # the dialogue asks for the onset after the plan; the plan itself answers at once
    for day in days(5):
        for direction in ("stable", "peripheralizing", "centralizing"):
            unknown = plan(phase=None, direction=direction, today=day)
            assert ids(unknown) == ids(plan(phase="acute", direction=direction, today=day))
            assert unknown.notes == plan(phase="acute", direction=direction, today=day).notes
            assert not any_note(unknown, "started")


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
def test_centralizing_includes_the_extension_progression(phase):
    for day in days(7):
        p = plan(phase=phase, direction="centralizing", today=day)
        assert any(item.exercise.category == "mckenzie_extension" for item in p.exercises)
        assert direction_advice("centralizing") in p.notes  # the coaching text, said once
        assert direction_advice("peripheralizing") not in p.notes


@pytest.mark.parametrize("history,step", [
    ([], "prone_lying"),
    ([act(1, "mckenzie", exercise_id="prone_lying")], "prone_on_elbows"),
    ([act(2, "mckenzie", exercise_id="prone_lying"), act(1, "mckenzie", exercise_id="prone_on_elbows")],
     "prone_press_up"),
    # press-ups are the top step: they are repeated, standing extension is not "harder"
    ([act(3, "mckenzie", exercise_id="prone_press_up"), act(1, "mckenzie", exercise_id="prone_lying")],
     "prone_press_up"),
    ([act(1, "mckenzie", exercise_id="prone_press_up")], "prone_press_up"),
    # standing extension is the press-ups' alternative: same step, so it is repeated
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


def test_normal_pain_uses_the_knowledge_base_dose_and_frequency():
    for item in plan(phase="subacute").exercises:
        assert item.dose == f"{item.exercise.dose}, {item.exercise.frequency}"


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
    first = plan(phase="subacute", direction="peripheralizing").exercises[0].exercise
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
    assert text.count(PAIN_RULE) == 1
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


# ------------------------------------------------------------------ thresholds

def test_thresholds_have_one_home():
    import bot.planner as planner
    assert planner.GOAL_MINUTES is thresholds.GOAL_MINUTES
    assert planner.HIGH_PAIN is thresholds.HIGH_PAIN
    assert planner.START_MINUTES["chronic"] == thresholds.WALK_TARGET_MIN


# ------------------------------------------------------------------ score freshness

def test_a_stale_score_does_not_set_todays_intensity():
    fresh_edge = TODAY - timedelta(days=thresholds.SCORE_FRESH_DAYS)
    stale = fresh_edge - timedelta(days=1)
    history = [act(1, minutes=25)]
    high = plan(phase="subacute", score=8, score_on=fresh_edge, activities=history)
    assert len(high.exercises) == 2 and high.aerobic_minutes == 15
    assert any_note(high, "pain is high")
    old = plan(phase="subacute", score=8, score_on=stale, activities=history)
    assert len(old.exercises) == 4 and old.aerobic_minutes == 30
    assert not any_note(old, "pain is high")
    assert all("gently" not in item.dose for item in old.exercises)
    # without a date the caller vouches the score is current
    assert len(plan(phase="subacute", score=8, score_on=None).exercises) == 2


# ------------------------------------------------------------------ cautions

def _every_plan(**kw):
    for phase in ("acute", "subacute", "chronic"):
        for direction in ("stable", "centralizing", "peripheralizing", "unknown"):
            for day in days(7):
                yield plan(phase=phase, direction=direction, today=day, **kw)


def _seen(**kw):
    return {i for p in _every_plan(**kw) for i in ids(p)}


@pytest.mark.parametrize("caution,example", [
    ("osteoporosis", "double_knee_to_chest"),
    ("pregnancy", "prone_lying"),
    ("hip_replacement", "piriformis_stretch"),
    ("knee_pain", "hip_flexor_stretch"),
])
def test_a_mentioned_caution_leaves_its_exercises_out(caution, example):
    assert caution in KB.get(example).cautions
    assert example in _seen()  # planned without the caution...
    assert example not in _seen(cautions=[caution])  # ...never with it
    for p in _every_plan(cautions=[caution]):
        assert all(caution not in item.exercise.cautions for item in p.exercises)
        assert 2 <= len(p.exercises) <= 4
    p = plan(cautions=[caution])
    assert any(x.exercise_id == example and x.reason == CAUTION and x.detail == caution
               for x in p.left_out)
    assert any_note(p, "because you mentioned")
    assert not any_note(plan(), "because you mentioned")


def test_cautions_known_to_the_records_all_have_a_note():
    for caution in CAUTIONS:
        assert any_note(plan(phase="chronic", cautions=[caution]), "because you mentioned")


# ------------------------------------------------------------------ what set it off

def test_an_exercise_that_set_it_off_is_left_out():
    assert "piriformis_stretch" in _seen()
    assert "piriformis_stretch" not in _seen(worse=["piriformis_stretch"])
    p = plan(worse=["piriformis_stretch"])
    assert [x.reason for x in p.left_out if x.exercise_id == "piriformis_stretch"] == [WORSE]
    assert any_note(p, "piriformis stretch", "set it off")


FLEXION_END_RANGE = {"double_knee_to_chest", "childs_pose", "seated_flexion", "cat_cow"}


@pytest.mark.parametrize("movement", ["sitting", "bending", "lifting"])
def test_bending_movements_leave_out_end_range_flexion(movement):
    assert FLEXION_END_RANGE & _seen()
    seen = _seen(worse=[movement])
    assert not FLEXION_END_RANGE & seen
    assert "knee_to_chest" in seen  # a gentle, mid-range forward bend may stay
    p = plan(worse=[movement])
    assert any_note(p, f"you said {movement} set it off", "forward")


@pytest.mark.parametrize("movement", ["standing", "lying"])
def test_standing_or_lying_on_the_front_leaves_out_end_range_extension(movement):
    extension_end = {"prone_press_up", "standing_extension", "cat_cow"}
    history = [act(1, "mckenzie", exercise_id="prone_on_elbows")]
    assert extension_end & _seen(activities=history)
    seen = _seen(worse=[movement], activities=history)
    assert not extension_end & seen
    # the extension ladder is not offered by assumption when centralizing either
    p = plan(direction="centralizing", worse=[movement], activities=history)
    assert all(item.exercise.category != "mckenzie_extension" for item in p.exercises)


def test_twisting_leaves_out_end_range_rotation():
    assert "lower_trunk_rotation" in _seen()
    assert "lower_trunk_rotation" not in _seen(worse=["twisting"])


def test_walking_never_leaves_anything_out():
    assert plan(worse=["walking"]).left_out == ()
    assert plan(worse=["walking", "exercise"]).left_out == ()
    p = plan(direction="peripheralizing", worse=["walking"])
    assert p.aerobic_kind == "walking"
    assert all(x.reason != WORSE for x in p.left_out)


def test_every_movement_is_understood():
    from bot.planner import MOVEMENT_DIRECTIONS
    assert set(MOVEMENT_DIRECTIONS) == set(MOVEMENTS)


# ------------------------------------------------------------------ spreading leg pain

NERVE = {"hamstring_stretch_supine", "hamstring_stretch_standing", "sciatic_nerve_glide"}


@pytest.mark.parametrize("phase", [None, "acute", "subacute", "chronic"])
@pytest.mark.parametrize("score", [3.0, 8.0])
def test_spreading_pain_without_history_means_walking_and_comfortable_positions(phase, score):
    for day in days(14):
        p = plan(phase=phase, score=score, direction="peripheralizing", today=day)
        chosen = [item.exercise for item in p.exercises]
        assert 2 <= len(chosen) <= 4
        assert not NERVE & set(ids(p))
        assert not any(e.end_range for e in chosen)
        # no flexion picked by assumption, and no extension either
        assert not any(e.moves_in("flexion") or e.moves_in("extension") for e in chosen), ids(p)
        assert any(e.category == "relief_position" for e in chosen)
        assert chosen[0].category == "relief_position"
        assert chosen[1].id in ("neutral_spine", "abdominal_bracing")  # gentle pelvic tilts, bracing
        assert p.aerobic_kind == "walking"
        assert any_note(p, "sciatic nerve")
        assert direction_advice("peripheralizing") in p.notes
        assert any_note(p, "walking and comfortable positions")
        assert not any_note(p, "good news")


def test_spreading_pain_records_why_things_were_left_out():
    p = plan(phase="subacute", direction="peripheralizing")
    reasons = {x.exercise_id: x.reason for x in p.left_out}
    assert reasons["hamstring_stretch_supine"] == NERVE_TENSION
    assert reasons["sciatic_nerve_glide"] == NERVE_TENSION
    assert reasons["prone_press_up"] == END_RANGE
    assert reasons["seated_flexion"] == END_RANGE
    assert "hamstring_stretch_supine" not in {x.exercise_id for x in plan(phase="subacute").left_out}


@pytest.mark.parametrize("movement", ["lying", "standing", "prone_on_elbows"])
def test_spreading_pain_uses_extension_when_it_helped_before(movement):
    for day in days(7):
        p = plan(direction="peripheralizing", better=[movement], today=day)
        assert any(item.exercise.moves_in("extension") for item in p.exercises), ids(p)
        assert not NERVE & set(ids(p))
        assert any_note(p, "helped the pain move back")
    # and it may go on up the ladder, end of range included
    history = [act(1, "mckenzie", exercise_id="prone_on_elbows")]
    p = plan(direction="peripheralizing", better=["lying"], activities=history)
    assert "prone_press_up" in ids(p)


def test_spreading_pain_uses_flexion_only_when_it_helped_before():
    seen = set()
    for day in days(14):
        p = plan(direction="peripheralizing", better=["bending"], today=day)
        flexion = [item.exercise for item in p.exercises if item.exercise.moves_in("flexion")]
        assert flexion, ids(p)
        seen.update(e.id for e in flexion)
        assert not any(item.exercise.moves_in("extension") and item.exercise.end_range
                       for item in p.exercises)
    assert seen & FLEXION_END_RANGE  # the helpful direction may reach the end of its range


def test_an_exercise_that_helped_is_planned():
    p = plan(direction="peripheralizing", better=["mckenzie_side_glide"])
    assert "mckenzie_side_glide" in ids(p)
    assert "mckenzie_side_glide" not in ids(plan(direction="peripheralizing"))


def test_what_made_it_worse_beats_what_helped_in_the_same_direction():
    for day in days(7):
        p = plan(direction="peripheralizing", worse=["sitting"], better=["bending"], today=day)
        assert not any(item.exercise.moves_in("flexion") for item in p.exercises), ids(p)


def test_worse_bending_better_standing_while_spreading():
    for day in days(7):
        p = plan(direction="peripheralizing", worse=["bending"], better=["standing"], today=day)
        assert not any(item.exercise.moves_in("flexion") for item in p.exercises)
        assert any(item.exercise.moves_in("extension") for item in p.exercises)
        assert any_note(p, "you said bending set it off")


def test_a_caution_still_wins_over_what_helped():
    # pregnancy rules out lying on the front, so the helpful direction comes standing up
    p = plan(direction="peripheralizing", better=["lying"], cautions=["pregnancy"])
    assert "standing_extension" in ids(p)
    assert not {"prone_lying", "prone_on_elbows", "prone_press_up"} & set(ids(p))


def test_the_nerve_glide_is_never_planned_while_pain_spreads():
    assert "sciatic_nerve_glide" not in ids(plan(phase="subacute", direction="peripheralizing",
                                                  better=["sciatic_nerve_glide"]))
    assert "sciatic_nerve_glide" in ids(plan(phase="subacute", direction="centralizing",
                                             better=["sciatic_nerve_glide"]))


def test_centralizing_prefers_the_direction_that_helped():
    for day in days(7):
        p = plan(direction="centralizing", better=["sitting"], today=day)
        assert all(item.exercise.category != "mckenzie_extension" for item in p.exercises)
        assert any(item.exercise.moves_in("flexion") for item in p.exercises)


def test_the_bike_gives_way_to_walking_when_sitting_set_off_spreading():
    history = [act(1, "cycling", 12), act(2, "cycling", 12)]
    assert plan(activities=history).aerobic_kind == "cycling"
    assert plan(activities=history, worse=["sitting"]).aerobic_kind == "cycling"  # not spreading now
    p = plan(activities=history, worse=["sitting"], direction="peripheralizing")
    assert p.aerobic_kind == "walking" and any_note(p, "walking replaces the bike")
    both = plan(activities=history, worse=["stationary_bike", "recumbent_bike"])
    assert both.aerobic_kind == "walking"
