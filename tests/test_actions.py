"""Every custom action, run as the action server runs it: a Tracker, a dispatcher, a domain."""
from __future__ import annotations

import re

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions.info import (
    ActionAnswerLifestyle, ActionAnswerMedication, ActionExerciseInfo, ActionFearReassurance,
)
from actions.logs import ActionRecordActivity, ActionRecordSleep
from actions.plan import ActionTodayPlan
from actions.privacy import ActionDeleteUserData
from actions.progress import ActionProgressSummary
from actions.reminders import ActionSetReminder, ActionStopReminders
from actions.safety import ActionEscalateUrgent, ActionMarkAssessed
from actions.session import ActionSessionStart
from bot.records import ActivityRecord, CheckinRecord
from tests.conftest import MONDAY



def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)


def slots_of(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def run(action, tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return dispatcher, events


# ---------------- check-in ----------------
async def test_checkin_form_reads_all_three_from_one_sentence(talk, store):
    await talk.say("my calf is worse, about a 6", "report_symptoms")
    assert talk.active_loop is None  # nothing left to ask
    (row,) = store.profile("tester").checkins
    assert (row.pain_score, row.location, row.trend) == (6.0, "calf", "worse")


async def test_checkin_form_prefers_nlu_entities_and_takes_most_distal(talk, store):
    await talk.say("back and thigh, 4", "report_symptoms",
                   entities=[{"entity": "pain_score", "value": "4"},
                             {"entity": "body_part", "value": "lower_back"},
                             {"entity": "body_part", "value": "thigh"}])
    assert (talk.slots["checkin_score"], talk.slots["checkin_location"]) == (4.0, "thigh")


async def test_checkin_form_rejects_unreadable_score_with_a_clear_reply(talk, store):
    await talk.say("let's check in", "start_checkin")
    reply = await talk.say("dunno, bad", "inform")
    assert talk.slots["requested_slot"] == "checkin_score"
    assert "0 (no pain) to 10 (worst)" in reply
    assert store.profile("tester").checkins == ()


async def test_checkin_form_never_takes_a_red_flag_as_an_answer(talk, store):
    await talk.say("let's check in", "start_checkin")
    reply = await talk.say("numbness in both legs, 8/10", "report_red_flag")
    assert "form rejected" in reply
    assert store.profile("tester").checkins == ()


async def test_checkin_form_leaves_a_question_mid_checkin_to_its_rule(talk, store):
    await talk.say("my leg hurts more", "report_symptoms")
    reply = await talk.say("what should I do today for my leg?", "ask_plan")
    assert "form rejected" in reply
    (row,) = store.profile("tester").checkins
    assert row.location == "leg"  # the answer given before the question is kept


async def test_record_checkin_stores_and_sets_direction(talk, store, clock):
    store.add_checkin("tester", CheckinRecord(at=MONDAY - timedelta(days=1), pain_score=5,
                                              location="lower_back"), "unknown")
    reply = await talk.say("my left leg hurts more, tingling, a 6", "report_symptoms")
    assert talk.slots["pain_direction"] == "peripheralizing"
    assert talk.slots["pain_score"] == 6.0
    assert talk.slots["checkin_score"] is None and talk.slots["checkin_location"] is None
    latest = store.profile("tester").checkins[-1]
    assert (latest.pain_score, latest.location, latest.side, latest.trend) == (6.0, "leg", "left", "worse")
    assert "tingling" in latest.symptoms
    assert "stop" in reply.lower() or "reduce" in reply.lower()


async def test_record_checkin_keeps_denied_symptoms_out(talk, store):
    await talk.say("no numbness, left leg aches, 4, same as yesterday", "report_symptoms")
    latest = store.profile("tester").checkins[-1]
    assert (latest.side, latest.symptoms) == ("left", ("ache",))


async def test_record_checkin_celebrates_meaningful_improvement(talk, store, clock):
    store.add_checkin("tester", CheckinRecord(at=MONDAY - timedelta(days=1), pain_score=7,
                                              location="calf"), "unknown")
    reply = await talk.say("thigh now, 4, better", "report_symptoms")
    assert talk.slots["pain_direction"] == "centralizing"
    assert re.search(r"\b7\b", reply) and re.search(r"\b4\b", reply)


# ---------------- plan ----------------
async def test_plan_is_personalised_from_history(store, tracker_factory, domain):
    now = datetime.utcnow()
    store.set_onset("tester", now.date() - timedelta(days=30))  # subacute
    store.add_checkin("tester", CheckinRecord(at=now, pain_score=4, location="lower_back"), "stable")
    store.add_activity("tester", ActivityRecord(at=now - timedelta(days=2), kind="walking", minutes=15))
    dispatcher, _ = await run(ActionTodayPlan(), tracker_factory("what should I do today?", "ask_plan"), domain)
    reply = texts(dispatcher)
    assert "20" in reply  # 15 logged + 5 toward the 20-30 minute goal
    assert "walk" in reply.lower()


async def test_plan_withheld_while_red_flag_open(store, tracker_factory, domain):
    store.record_escalation("tester", 1, "bladder_bowel", datetime.utcnow())
    dispatcher, events = await run(ActionTodayPlan(), tracker_factory("plan?", "ask_plan"), domain)
    assert "emergency" in texts(dispatcher).lower()
    assert "minutes" not in texts(dispatcher)
    assert slots_of(events) == {"red_flag": True}


# ---------------- logs ----------------
async def test_walk_is_logged_with_minutes(store, tracker_factory, domain):
    tracker = tracker_factory("walked 25 minutes without stopping", "report_activity",
                              entities=[{"entity": "activity", "value": "walking"},
                                        {"entity": "duration", "value": "25"}])
    dispatcher, _ = await run(ActionRecordActivity(), tracker, domain)
    assert store.profile("tester").activities[0].kind == "walking"
    assert store.profile("tester").activities[0].minutes == 25
    assert texts(dispatcher)


async def test_named_exercise_is_logged_as_its_activity(store, tracker_factory, domain):
    tracker = tracker_factory("did my bird dogs", "report_activity",
                              entities=[{"entity": "exercise", "value": "bird_dog"}])
    await run(ActionRecordActivity(), tracker, domain)
    logged = store.profile("tester").activities[0]
    assert (logged.kind, logged.exercise_id) == ("stabilization", "bird_dog")


async def test_vague_activity_asks_instead_of_guessing(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionRecordActivity(), tracker_factory("done it", "report_activity"), domain)
    assert store.profile("tester").activities == ()
    assert "walk" in texts(dispatcher)


async def test_sleep_is_logged(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionRecordSleep(), tracker_factory("slept badly, maybe 5 hours", "report_sleep"), domain)
    sleep = store.profile("tester").sleeps[0]
    assert (sleep.quality, sleep.hours) == ("bad", 5)
    assert "caffeine" in texts(dispatcher).lower()


# ---------------- progress ----------------
async def test_progress_summary_reports_change_and_walking(store, tracker_factory, domain):
    now = datetime.utcnow()
    store.add_checkin("tester", CheckinRecord(at=now - timedelta(days=2), pain_score=7), "unknown")
    store.add_checkin("tester", CheckinRecord(at=now, pain_score=4), "unknown")
    store.add_activity("tester", ActivityRecord(at=now, kind="walking", minutes=22))
    dispatcher, _ = await run(ActionProgressSummary(), tracker_factory("how am I doing?", "ask_progress"), domain)
    reply = texts(dispatcher)
    assert "7" in reply and "4" in reply and "22" in reply


async def test_progress_without_data_says_how_to_start(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionProgressSummary(), tracker_factory("how am I doing?", "ask_progress"), domain)
    assert "check" in texts(dispatcher).lower()


# ---------------- questions ----------------
async def test_exercise_info_from_entity_and_from_text(store, tracker_factory, domain):
    by_entity, _ = await run(ActionExerciseInfo(), tracker_factory(
        "how do I do that one", "ask_exercise_info", entities=[{"entity": "exercise", "value": "bird_dog"}]), domain)
    by_text, _ = await run(ActionExerciseInfo(), tracker_factory("how do I do a bird dog?", "ask_exercise_info"), domain)
    assert "Bird" in texts(by_entity) and "Dose" in texts(by_entity)
    assert texts(by_entity) == texts(by_text)


async def test_exercise_info_lists_a_category(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionExerciseInfo(), tracker_factory("any hamstring stretches?", "ask_exercise_info"), domain)
    assert "hamstring" in texts(dispatcher).lower()


async def test_medication_answer_never_doses(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionAnswerMedication(), tracker_factory("can I take more ibuprofen?", "ask_medication"), domain)
    reply = texts(dispatcher).lower()
    assert "pharmacist" in reply or "doctor" in reply
    assert " mg" not in reply and "milligram" not in reply


async def test_lifestyle_and_fear_answers(store, tracker_factory, domain):
    smoking, _ = await run(ActionAnswerLifestyle(), tracker_factory("does smoking matter?", "ask_lifestyle"), domain)
    fear, _ = await run(ActionFearReassurance(), tracker_factory("I'm scared to bend", "express_fear"), domain)
    assert "oxygen" in texts(smoking).lower()
    assert texts(fear)


# ---------------- reminders ----------------
async def test_reminder_time_is_stored_and_stopped(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionSetReminder(), tracker_factory("remind me to walk at 8am", "set_reminder"), domain)
    assert store.reminders("tester") == [("walk", time(8, 0), True)]
    assert "08:00" in texts(dispatcher)
    await run(ActionStopReminders(), tracker_factory("no more nudges", "stop_reminders"), domain)
    assert store.reminders("tester") == [("walk", time(8, 0), False)]


async def test_reminder_without_time_asks(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionSetReminder(), tracker_factory("remind me", "set_reminder"), domain)
    assert store.reminders("tester") == []
    assert "time" in texts(dispatcher).lower()


# ---------------- safety ----------------
async def test_escalation_is_tiered_stored_and_ends_forms(store, tracker_factory, domain):
    dispatcher, events = await run(ActionEscalateUrgent(), tracker_factory(
        "I can't control my bladder", "report_red_flag", active_loop="checkin_form"), domain)
    assert "emergency" in texts(dispatcher).lower()
    assert store.open_escalation("tester") == (1, "bladder_bowel")
    assert slots_of(events)["red_flag"] is True
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)


async def test_same_day_tier_for_fever(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionEscalateUrgent(), tracker_factory(
        "I've got a fever and my back is killing me", "report_red_flag"), domain)
    assert "today" in texts(dispatcher).lower()
    assert store.open_escalation("tester") == (2, "fever")


async def test_self_harm_gets_crisis_line(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionEscalateUrgent(), tracker_factory(
        "some days I want to kill myself", "report_red_flag"), domain)
    assert "crisis" in texts(dispatcher).lower()


async def test_assessed_clears_the_flag(store, tracker_factory, domain):
    store.record_escalation("tester", 1, "chest_pain", datetime.utcnow())
    _, events = await run(ActionMarkAssessed(), tracker_factory("I've seen a doctor", "confirm_assessed",
                                                                 slots={"red_flag": True}), domain)
    assert slots_of(events) == {"red_flag": False}
    assert store.open_escalation("tester") is None


# ---------------- erasure and session ----------------
def _confirm_events():
    return [
        {"event": "user", "text": "forget me", "parse_data": {"intent": {"name": "delete_my_data"}}},
        {"event": "action", "name": "utter_ask_confirm_delete"},
        {"event": "bot", "text": "Are you sure?"},
        {"event": "action", "name": "action_listen"},
    ]


async def test_delete_erases_after_confirmation(store, tracker_factory, domain):
    store.add_checkin("tester", CheckinRecord(at=datetime.utcnow(), pain_score=3), "unknown")
    dispatcher, events = await run(ActionDeleteUserData(), tracker_factory(
        "yes", "affirm", events=_confirm_events()), domain)
    assert store.profile("tester").checkins == ()
    assert {"event": "reset_slots", "timestamp": None} in events
    assert slots_of(events)["data_erased"] is True
    assert "erased" in texts(dispatcher).lower()


@pytest.mark.parametrize("intent,events", [("affirm", []), ("deny", _confirm_events())])
async def test_delete_refuses_without_a_yes_to_the_question(store, tracker_factory, domain, intent, events):
    store.add_checkin("tester", CheckinRecord(at=datetime.utcnow(), pain_score=3), "unknown")
    dispatcher, returned = await run(ActionDeleteUserData(), tracker_factory("yes", intent, events=events), domain)
    assert len(store.profile("tester").checkins) == 1
    assert returned == []
    assert dispatcher.messages[0]["response"] == "utter_ask_confirm_delete"


async def test_session_start_restores_from_database(store, tracker_factory, domain):
    store.add_checkin("tester", CheckinRecord(at=datetime.utcnow(), pain_score=5), "unknown")
    store.record_escalation("tester", 2, "fever", datetime.utcnow())
    slots = {"checkin_said": "2026-11-29|", "requested_slot": "x", "pending_question": "onset"}
    _, events = await run(ActionSessionStart(), tracker_factory(slots=slots), domain)
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    # An open question does not outlive the session; what was said today does.
    assert slots_of(events) == {"checkin_said": "2026-11-29|", "pain_score": 5.0, "red_flag": True,
                                "returning_person": True}


async def test_session_start_tells_a_new_person_from_a_returning_one(store, tracker_factory, domain):
    _, events = await run(ActionSessionStart(), tracker_factory(), domain)
    assert slots_of(events)["returning_person"] is False
    store.add_activity("tester", ActivityRecord(at=datetime.utcnow(), kind="walking", minutes=20))
    _, events = await run(ActionSessionStart(), tracker_factory(), domain)
    assert slots_of(events)["returning_person"] is True


def test_action_server_serves_exactly_the_domain_actions(domain):
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert sorted(executor.actions) == sorted(domain["actions"])


# ---------------- tier-3 referrals from the check-in history ----------------

SEE_SOON = "please see a doctor or physiotherapist soon (within the next few days)"
LONG_AGO = datetime(2000, 1, 1)


def _tier3_rows(store, sender="tester"):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT e.reason FROM coach_escalations e JOIN coach_users u ON u.id = e.user_id "
            "WHERE u.sender_id = :s AND e.tier = 3 ORDER BY e.id"), {"s": sender}).scalars().all()


async def test_referral_given_once_recorded_and_not_repeated(talk, store, clock):
    store.set_onset("tester", MONDAY.date() - timedelta(days=35))
    store.add_checkin("tester", CheckinRecord(at=MONDAY - timedelta(days=30), pain_score=6,
                                              location="lower_back"), "unknown")
    first = await talk.say("still a 6 in my lower back, same as ever", "report_symptoms")
    assert SEE_SOON in first.lower()
    assert _tier3_rows(store) == ["no_improvement_4_weeks"]
    assert store.escalation_reasons_since("tester", LONG_AGO, 3) == {"no_improvement_4_weeks"}

    # A referral is advice, not a hold: today's plan is still given.
    assert store.open_escalation("tester") is None
    plan = await talk.say("what should I do today?", "ask_plan", action=ActionTodayPlan())
    assert "walk" in plan.lower() and "emergency" not in plan.lower()

    clock["now"] += timedelta(days=1)
    second = await talk.say("6 again in my lower back, same", "report_symptoms")
    assert second.startswith("Thanks")
    assert "doctor" not in second.lower()
    assert _tier3_rows(store) == ["no_improvement_4_weeks"]


async def test_referral_waits_while_a_red_flag_is_open(talk, store, clock):
    store.add_checkin("tester", CheckinRecord(at=MONDAY - timedelta(days=30), pain_score=6), "unknown")
    store.record_escalation("tester", 2, "fever", MONDAY - timedelta(hours=1))
    held = await talk.say("6 in my back, same", "report_symptoms")
    assert SEE_SOON not in held.lower()
    assert _tier3_rows(store) == []
    store.resolve_escalations("tester", MONDAY)  # assessed: the referral follows at the next check-in
    clock["now"] += timedelta(days=1)
    given = await talk.say("6 in my back, same", "report_symptoms")
    assert SEE_SOON in given.lower()
    assert _tier3_rows(store) == ["no_improvement_4_weeks"]


async def test_leg_hurts_more_after_back_only_is_spreading_then_referred(talk, store, clock):
    store.add_checkin("tester", CheckinRecord(at=MONDAY - timedelta(days=1), pain_score=4,
                                              location="lower_back"), "unknown")
    await talk.say("my leg hurts more", "report_symptoms")
    assert (talk.slots["checkin_location"], talk.slots["checkin_trend"]) == ("leg", "worse")
    reply = (await talk.say("5", "inform")).lower()
    assert talk.slots["pain_direction"] == "peripheralizing"
    assert SEE_SOON not in reply  # spreading once, without new numbness, is not tier 3 yet
    assert _tier3_rows(store) == []
    assert store.profile("tester").checkins[-1].direction == "peripheralizing"

    # It spreads again at the next day's check-in: refer.
    clock["now"] += timedelta(days=1)
    reply = (await talk.say("down to my calf now, 5, worse", "report_symptoms")).lower()
    assert talk.slots["pain_direction"] == "peripheralizing"
    assert SEE_SOON in reply
    assert _tier3_rows(store) == ["peripheralizing_repeated"]


async def test_new_one_sided_tingling_while_spreading_is_referred(talk, store, clock):
    store.add_checkin("tester", CheckinRecord(at=MONDAY - timedelta(days=1), pain_score=4,
                                              location="lower_back"), "unknown")
    reply = (await talk.say("pain down my left leg with tingling, 5, worse", "report_symptoms")).lower()
    assert "numbness or tingling in one leg" in reply
    assert _tier3_rows(store) == ["peripheralizing_new_numbness"]


# ---------------- encouragement, end to end through the actions ----------------
@pytest.mark.parametrize("before,after,celebrated", [
    (5, 3.5, True),   # exactly 30%
    (8, 6, True),     # exactly 2 points
    (8, 6.5, False),  # 1.5 points, under 30%
])
async def test_checkin_celebrates_only_meaningful_improvement(talk, store, clock, before, after, celebrated):
    store.add_checkin("tester", CheckinRecord(at=MONDAY - timedelta(days=1), pain_score=before,
                                              location="lower_back"), "unknown")
    reply = await talk.say(f"lower back about {after}, better", "report_symptoms")
    assert ("meaningful improvement" in reply) is celebrated


async def test_checkin_streak_milestone_is_celebrated(talk, store, clock):
    for days in (2, 1):
        store.add_checkin("tester", CheckinRecord(at=MONDAY - timedelta(days=days), pain_score=4), "unknown")
    assert "3 days in a row" in await talk.say("back is a 4, same", "report_symptoms")
    again = await talk.say("back is a 4, same", "report_symptoms")
    assert "in a row" not in again  # a second report today amends, it is not a new milestone


@pytest.mark.parametrize("minutes", [20, 25, 30])
async def test_continuous_walk_of_20_to_30_minutes_is_celebrated(store, tracker_factory, domain, minutes):
    dispatcher, _ = await run(ActionRecordActivity(), tracker_factory(
        f"walked {minutes} minutes without stopping", "report_activity"), domain)
    reply = texts(dispatcher)
    assert f"{minutes}-minute walk, brilliant" in reply and "real conditioning" in reply
    assert store.profile("tester").activities[0].minutes == minutes


async def test_short_walk_is_encouraged_to_build_up(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionRecordActivity(), tracker_factory(
        "went for a 12 minute walk", "report_activity"), domain)
    reply = texts(dispatcher)
    assert "12-minute walk" in reply and "adding a few minutes" in reply
    assert "brilliant" not in reply
    assert "stop-and-go" in reply.lower()


async def test_stop_and_go_errands_walk_does_not_count(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionRecordActivity(), tracker_factory(
        "walked 40 minutes doing errands", "report_activity"), domain)
    reply = texts(dispatcher)
    assert "brilliant" not in reply and "real conditioning" not in reply
    assert "doesn't count" in reply and "without stopping" in reply
    logged = store.profile("tester").activities[0]
    assert (logged.kind, logged.minutes) == ("walking", None)  # not counted toward the goal
    plan, _ = await run(ActionTodayPlan(), tracker_factory("what should I do today?", "ask_plan"), domain)
    assert "walk" in texts(plan).lower()


async def test_strengthening_session_is_celebrated(store, tracker_factory, domain):
    tracker = tracker_factory("did my bird dogs", "report_activity",
                              entities=[{"entity": "exercise", "value": "bird_dog"}])
    dispatcher, _ = await run(ActionRecordActivity(), tracker, domain)
    assert "Nice work finishing your stabilization session" in texts(dispatcher)
    assert "1 strengthening session this week" in texts(dispatcher)


async def test_fear_of_movement_gets_graded_activity_reassurance(store, tracker_factory, domain):
    dispatcher, _ = await run(ActionFearReassurance(), tracker_factory(
        "I'm scared to bend in case I hurt my back again", "express_fear"), domain)
    reply = texts(dispatcher).lower()
    for fragment in ("muscles", "gradual", "hurt does not always mean harm", "start small"):
        assert fragment in reply
    assert "rest" in reply  # not resting it out
