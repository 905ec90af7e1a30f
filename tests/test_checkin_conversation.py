"""The check-in as a conversation over days: direction from the whole picture, one record per
day amended by later reports, skipped questions, what set the spreading off, the onset asked once.

Each test drives the real actions with trackers shaped like Rasa's (the real clinical parse)
and reads the stored rows back; the clock is injected.
"""
from __future__ import annotations

from datetime import timedelta


import pytest

from actions.info import ActionExerciseInfo
from actions.logs import ActionRecordActivity, ActionRecordSleep
from actions.plan import ActionTodayPlan
from actions.progress import ActionProgressSummary
from actions.questions import ActionAnswerQuestion
from actions.safety import ActionEscalateUrgent
from bot.records import CheckinRecord
from bot.usecases.plan import plan_inputs
from tests.conftest import MONDAY



def rows(store, sender="tester"):
    return store.profile(sender).checkins


async def test_back_then_leg_hurts_more_is_spreading_in_one_record(talk, store):
    await talk.say("my back is a 3 today", "report_symptoms")
    assert talk.slots["requested_slot"] == "checkin_trend"
    reply = await talk.say("my leg hurts more", "report_symptoms")
    assert talk.slots["pain_direction"] == "peripheralizing"
    assert "spreading" in reply.lower() and "utter_ask_spread_trigger" in reply
    assert talk.slots["pending_question"] == "spread_trigger"
    (row,) = rows(store)
    assert (row.pain_score, row.location, row.trend, row.direction) == (3.0, "leg", "worse", "peripheralizing")


async def test_back_with_no_leg_pain_then_spreading_to_the_calf(talk, store):
    await talk.say("my lower back hurts, about a 4, nothing in my legs", "report_symptoms")
    (row,) = rows(store)
    assert (row.location, row.pain_score) == ("lower_back", 4.0)  # "nothing in my legs" adds no leg
    await talk.say("now the pain is spreading down into my calf", "report_symptoms")
    (row,) = rows(store)
    assert (row.location, row.direction) == ("calf", "peripheralizing")
    assert talk.slots["pain_direction"] == "peripheralizing"


async def test_foot_then_only_buttock_and_back_is_centralizing(talk, store):
    await talk.say("the pain goes all the way down to my foot, 6 out of 10", "report_symptoms")
    assert talk.slots["requested_slot"] == "checkin_trend"
    reply = await talk.say("today it's only in my buttock and lower back", "report_symptoms")
    assert talk.active_loop is None  # the direction answers "better or worse": no trend asked
    assert talk.slots["pain_direction"] == "centralizing"
    assert "good sign" in reply.lower()
    (row,) = rows(store)
    assert (row.location, row.direction, row.pain_score) == ("buttock", "centralizing", 6.0)


async def test_later_reports_amend_todays_checkin_and_nothing_is_asked_twice(talk, store, clock):
    await talk.say("my leg hurts more", "report_symptoms")
    assert talk.slots["requested_slot"] == "checkin_score"
    first = await talk.say("about a 6", "inform")
    assert "6/10" in first and talk.slots["pain_direction"] == "peripheralizing"
    clock["now"] += timedelta(hours=2)
    update = await talk.say("it's in my calf", "report_symptoms")
    assert "utter_ask_checkin_score" not in update and "updated today's check-in" in update
    assert "utter_ask_spread_trigger" not in update  # asked once today already
    clock["now"] += timedelta(hours=1)
    await talk.say("actually it's a 5", "report_symptoms")
    await talk.say("and some tingling", "report_symptoms")
    (row,) = rows(store)
    assert (row.pain_score, row.location, row.direction) == (5.0, "calf", "peripheralizing")
    assert row.symptoms == ("tingling",)


async def test_the_next_day_gets_a_new_record_compared_with_yesterday(talk, store, clock):
    await talk.say("my calf hurts, about a 6, worse", "report_symptoms")
    clock["now"] += timedelta(days=1)
    reply = await talk.say("thigh only today, a 4, better", "report_symptoms")
    first, second = rows(store)
    assert (first.location, second.location) == ("calf", "thigh")
    assert second.direction == "centralizing"
    assert "meaningful" in reply  # 6 -> 4 is two points


async def test_a_question_can_be_skipped_and_is_not_asked_again_today(talk, store):
    await talk.say("let's do my check-in", "start_checkin")
    assert talk.slots["requested_slot"] == "checkin_score"
    await talk.say("not sure", "dont_know")
    assert talk.slots["requested_slot"] == "checkin_location"
    await talk.say("lower back", "report_symptoms")
    await talk.say("about the same", "report_symptoms")
    assert talk.active_loop is None
    (row,) = rows(store)
    assert (row.pain_score, row.location, row.trend) == (None, "lower_back", "same")
    reply = await talk.say("my back feels stiff", "report_symptoms")
    assert "utter_ask_checkin_score" not in reply and talk.active_loop is None


async def test_what_set_it_off_is_stored_and_kept_out_of_the_plan(talk, store, clock):
    await talk.say("my back is a 3 today", "report_symptoms")
    await talk.say("my leg hurts more", "report_symptoms")
    reply = await talk.say("I'd been sitting at my desk all day", "inform", action=ActionAnswerQuestion())
    assert "sitting" in reply
    notes = store.profile("tester").movement_notes
    assert [(n.effect, n.movement) for n in notes] == [("worse", "sitting")]
    inputs = plan_inputs(store.profile("tester"), MONDAY.date())
    assert inputs.worse_with == ("sitting",) and inputs.direction == "peripheralizing"


async def test_a_stale_question_does_not_take_a_later_answer(talk, store):
    await talk.say("my back is a 3 today", "report_symptoms")
    await talk.say("my leg hurts more", "report_symptoms")
    await talk.say("how do I do a bird dog?", "ask_exercise_info", action=ActionExerciseInfo())
    reply = await talk.say("sitting", "inform", action=ActionAnswerQuestion())
    assert "utter_default" in reply
    assert store.profile("tester").movement_notes == ()


async def test_conditions_mentioned_in_a_checkin_are_kept(talk, store):
    await talk.say("back is a 4, and I have osteoporosis", "report_symptoms")
    assert store.profile("tester").cautions == ("osteoporosis",)


async def test_the_plan_comes_first_then_the_onset_is_asked_once(talk, store, clock):
    reply = await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    assert reply.index("plan") < reply.index("utter_ask_onset")
    answer = await talk.say("about 3 weeks ago", "inform", action=ActionAnswerQuestion())
    assert answer.startswith("Thanks, noted. That puts you past the first two weeks, when strengthening")
    assert store.profile("tester").onset == MONDAY.date() - timedelta(days=21)
    again = await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    assert "utter_ask_onset" not in again


async def test_not_sure_about_the_onset_is_accepted_and_not_asked_again(talk, store):
    await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    reply = await talk.say("no idea", "dont_know", action=ActionAnswerQuestion())
    assert "utter_onset_unknown" in reply and store.profile("tester").onset is None
    again = await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    assert "utter_ask_onset" not in again


async def test_a_score_older_than_two_days_does_not_set_todays_intensity(store, clock):
    store.add_checkin("tester", CheckinRecord(at=MONDAY - timedelta(days=3), pain_score=8), "unknown")
    inputs = plan_inputs(store.profile("tester"), MONDAY.date())
    assert inputs.latest_score == 8.0 and inputs.score_on == (MONDAY - timedelta(days=3)).date()


async def test_checking_in_again_the_same_day_says_what_is_stored(talk, store):
    await talk.say("my calf is worse, about a 6", "report_symptoms")
    reply = await talk.say("let's do my check-in", "start_checkin")
    assert "already checked in today" in reply and "6/10" in reply
    assert talk.active_loop is None and len(rows(store)) == 1


@pytest.mark.parametrize("intent,action", [
    ("report_sleep", ActionRecordSleep), ("report_activity", ActionRecordActivity),
    ("nlu_fallback", ActionAnswerQuestion),
])
async def test_the_answer_reaches_the_open_question_whatever_the_classifier_said(talk, store, intent, action):
    await talk.say("my back is a 3 today", "report_symptoms")
    await talk.say("my leg hurts more", "report_symptoms")
    reply = await talk.say("bending to load the dishwasher", intent, action=action())
    assert "bending" in reply
    assert [(n.effect, n.movement) for n in store.profile("tester").movement_notes] == [("worse", "bending")]
    assert store.profile("tester").sleeps == () and store.profile("tester").activities == ()


async def test_an_unsure_message_with_no_open_question_is_asked_again(talk, store):
    reply = await talk.say("blorp", "nlu_fallback", action=ActionAnswerQuestion())
    assert "[utter_default]" in reply


async def test_a_movement_named_with_spreading_pain_is_what_set_it_off(talk, store):
    reply = await talk.say("my leg hurts more after sitting all day, about a 6", "report_symptoms")
    assert [(n.effect, n.movement) for n in store.profile("tester").movement_notes] == [("worse", "sitting")]
    assert "utter_ask_spread_trigger" not in reply  # already told: not asked


async def test_the_answer_taken_for_a_symptom_report_still_reaches_the_notes(talk, store):
    await talk.say("my leg hurts more, about a 6", "report_symptoms")
    await talk.say("I'd been sitting at my desk all day", "report_symptoms")
    assert [(n.effect, n.movement) for n in store.profile("tester").movement_notes] == [("worse", "sitting")]
    (row,) = rows(store)
    assert (row.location, row.pain_score) == ("leg", 6.0)


async def test_a_movement_with_pain_that_is_not_spreading_is_not_a_trigger(talk, store):
    await talk.say("back is a 3 after sitting all day, about the same", "report_symptoms")
    assert store.profile("tester").movement_notes == ()


# ---------------- a question ignored: asked again once, then let go for the day ----------------
async def test_a_question_ignored_twice_is_let_go_and_the_check_in_ends_with_what_is_known(talk, store):
    """The conversation of the bug report: the trend was asked after every digression, forever."""
    await talk.say("hi", "greet", action="utter_greet")
    assert "utter_ask_checkin_trend" in await talk.say("my back is a 5 today", "report_symptoms")
    assert "utter_ask_checkin_trend" in await talk.say("lower back", "report_symptoms")  # an answer
    plan = await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    assert plan.index("Here's your plan for today") < plan.index("[utter_ask_checkin_trend]")  # asked once more
    walk = await talk.say("walked 20 minutes", "report_activity", action=ActionRecordActivity())
    assert "utter_ask" not in walk and talk.active_loop is None
    # The walk's own answer first, then the usual wrap-up with what is known.
    assert walk.index("20-minute walk") < walk.index("Thanks for checking in! I've logged your pain at 5/10.")
    assert talk.slots["checkin_skipped"] == ["2026-11-30:trend"]
    (row,) = rows(store)
    assert (row.pain_score, row.location, row.trend) == (5.0, "lower_back", None)
    assert [(a.kind, a.minutes) for a in store.profile("tester").activities] == [("walking", 20.0)]
    progress = await talk.say("how am I doing?", "ask_progress", action=ActionProgressSummary())
    assert "5/10" in progress and "utter_ask" not in progress
    assert await talk.say("thanks", "thank", action="utter_you_are_welcome") == (
        "[utter_you_are_welcome] You're welcome. Keep it up!")
    # Later the same day, as after "not sure": what was said is there, the trend is not asked.
    again = await talk.say("let's do my check-in", "start_checkin")
    assert "already checked in today" in again and talk.active_loop is None


async def test_small_talk_in_the_middle_counts_as_a_digression_too(talk, store):
    await talk.say("my back is a 5 today", "report_symptoms")
    thanks = await talk.say("thanks", "thank", action="utter_you_are_welcome")
    assert thanks.endswith("[utter_ask_checkin_trend] Compared with yesterday, is it better, worse or about the same?")
    bot = await talk.say("are you a bot?", "bot_challenge", action="utter_iamabot")
    assert bot.index("[utter_iamabot]") < bot.index("Thanks for checking in!") and "utter_ask" not in bot


async def test_one_digression_then_the_answer_is_the_usual_check_in(talk, store):
    await talk.say("my back is a 5 today", "report_symptoms")
    progress = await talk.say("how am I doing?", "ask_progress", action=ActionProgressSummary())
    assert progress.rstrip().endswith("about the same?")
    reply = await talk.say("about the same", "report_symptoms")
    assert "Thanks for checking in! I've logged your pain at 5/10." in reply and talk.active_loop is None
    assert not talk.slots.get("checkin_skipped")
    (row,) = rows(store)
    assert (row.pain_score, row.location, row.trend) == (5.0, "lower_back", "same")


async def test_an_answer_starts_the_count_again_for_the_next_question(talk, store):
    await talk.say("let's do my check-in", "start_checkin")
    assert "utter_ask_checkin_score" in await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    assert "utter_ask_checkin_location" in await talk.say("5", "inform")
    info = await talk.say("how do I do a bird dog?", "ask_exercise_info", action=ActionExerciseInfo())
    assert "utter_ask_checkin_location" in info  # the first digression from this question
    assert "utter_ask_checkin_trend" in await talk.say("lower back", "report_symptoms")
    assert not talk.slots.get("checkin_skipped")


async def test_not_sure_after_a_digression_still_skips_and_goes_on(talk, store):
    await talk.say("let's do my check-in", "start_checkin")
    await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    assert "utter_ask_checkin_location" in await talk.say("not sure", "dont_know")
    assert talk.slots["checkin_skipped"] == ["2026-11-30:score"] and talk.active_loop == "checkin_form"


async def test_ignored_twice_at_the_first_question_ends_the_check_in_and_keeps_the_rest_for_later(talk, store):
    await talk.say("let's do my check-in", "start_checkin")
    await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    walk = await talk.say("walked 20 minutes", "report_activity", action=ActionRecordActivity())
    assert walk.index("20-minute walk") < walk.index("we can check in another time")
    assert "utter_ask" not in walk and talk.active_loop is None and rows(store) == ()
    # The score is skipped for today, as "not sure" skips it; what was never asked is asked.
    assert "utter_ask_checkin_location" in await talk.say("let's do my check-in", "start_checkin")


async def test_a_red_flag_after_a_digression_still_gets_urgent_advice_and_ends_the_form(talk, store, clock):
    await talk.say("let's do my check-in", "start_checkin")
    await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    reply = await talk.say("I can't control my bladder since this morning", "report_red_flag",
                           action=ActionEscalateUrgent())
    assert "emergency" in reply.lower() and "utter_ask" not in reply and talk.active_loop is None
    assert store.open_escalation("tester") == (1, "bladder_bowel")
    # A new check-in later the same day starts counting afresh: one digression is asked again.
    clock["now"] += timedelta(hours=3)
    assert "utter_ask_checkin_score" in await talk.say("let's do my check-in", "start_checkin")
    again = await talk.say("how am I doing?", "ask_progress", action=ActionProgressSummary())
    assert "utter_ask_checkin_score" in again and talk.active_loop == "checkin_form"


async def test_the_next_day_the_question_let_go_is_asked_and_counted_afresh(talk, store, clock):
    await talk.say("my back is a 5 today", "report_symptoms")
    await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    await talk.say("walked 20 minutes", "report_activity", action=ActionRecordActivity())
    assert talk.active_loop is None
    clock["now"] += timedelta(days=1)
    assert "utter_ask_checkin_trend" in await talk.say("my back is a 4 today", "report_symptoms")
    plan = await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    assert "utter_ask_checkin_trend" in plan
    reply = await talk.say("better than yesterday", "report_symptoms")
    assert "Thanks for checking in! I've logged your pain at 4/10." in reply
    assert [(r.pain_score, r.trend) for r in rows(store)] == [(5.0, None), (4.0, "better")]


@pytest.mark.parametrize("said, phase_words", [
    ("since yesterday", "in the first two weeks, when gentle movement"),
    ("about 3 weeks ago", "past the first two weeks, when strengthening"),
    ("about 4 months ago", "past twelve weeks, when steady"),
])
async def test_the_onset_answer_reads_as_a_sentence_in_every_phase(talk, said, phase_words):
    await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    answer = await talk.say(said, "inform", action=ActionAnswerQuestion())
    assert answer.startswith(f"Thanks, noted. That puts you {phase_words}")
