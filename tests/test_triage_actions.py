"""The escalation and low-mood actions speak the decision of bot/triage.py, and store it."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.safety import ActionEscalateUrgent, ActionLowMoodSupport
from bot.triage import low_mood_advice


async def _run(action, tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return "\n".join(m.get("text") or "" for m in dispatcher.messages), events


async def test_night_pain_that_wakes_them_gets_the_same_day_advice(store, tracker_factory, domain):
    said, _ = await _run(ActionEscalateUrgent(), tracker_factory("my back woke me at 3am", "report_red_flag"),
                         domain)
    assert "doctor today" in said and "emergency" not in said
    assert store.open_escalation("tester") == (2, "night_pain")


async def test_chest_pains_are_stored_as_chest_pain_only(store, tracker_factory, domain):
    said, _ = await _run(ActionEscalateUrgent(), tracker_factory("I've got chest pains", "report_red_flag"),
                         domain)
    assert "emergency" in said
    assert store.open_escalation("tester") == (1, "chest_pain")


async def test_a_red_flag_the_rules_cannot_name_gets_emergency_advice(store, tracker_factory, domain):
    said, _ = await _run(ActionEscalateUrgent(), tracker_factory("/report_red_flag", "report_red_flag"), domain)
    assert "emergency" in said
    assert store.open_escalation("tester") == (1, "unspecified")


async def test_low_mood_gets_empathy_not_the_crisis_line(store, tracker_factory, domain):
    said, events = await _run(ActionLowMoodSupport(), tracker_factory("a bit low today", "express_low_mood"),
                              domain)
    assert said == low_mood_advice()
    assert "116 123" not in said and "crisis" not in said.lower()
    assert events == [] and store.open_escalation("tester") is None


async def test_despair_reaching_the_low_mood_action_still_gets_the_crisis_line(store, tracker_factory, domain):
    said, _ = await _run(ActionLowMoodSupport(), tracker_factory("I wish I was dead", "express_low_mood"), domain)
    assert "116 123" in said
    assert store.open_escalation("tester") == (1, "self_harm")
