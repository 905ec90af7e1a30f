"""Reminders as conversations: set, ask the time zone once, quiet hours, stop, pause, resume;
a nudge and the answer to it. The real actions run on trackers shaped like Rasa's (the real
clinical parse, the input channel), the clock is injected, and the stored rows are read back.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from actions.checkin import ActionRecordCheckin  # noqa: F401 - the check-in the nudge starts
from actions.questions import ActionAnswerQuestion
from actions.reminders import (
    ActionNudge, ActionNudgeReply, ActionResumeReminders, ActionSetReminder, ActionSetTimezone,
    ActionStopReminders,
)
from bot.nudges import wording
from bot.nudges.records import NudgeMessage
from tests.conftest import MONDAY
from tests.conversation import Conversation

SET, STOP, RESUME, ZONE = ActionSetReminder(), ActionStopReminders(), ActionResumeReminders(), ActionSetTimezone()


@pytest.fixture
def chat(store, domain, clock):
    return Conversation(domain, sender="4242", channel="telegram")


def times(store, sender="4242"):
    settings = store.nudge_settings(sender)
    return {r.kind: (r.at, r.on) for r in settings.reminders}


async def test_a_walk_reminder_asks_the_time_zone_once_and_confirms_in_local_time(chat, store):
    reply = await chat.say("remind me to go for a walk at 2pm every day", "set_reminder", action=SET)
    assert "walking reminder every day at 14:00" in reply and "city or time zone" in reply
    assert chat.slots["pending_question"] == "zone"
    assert times(store) == {"walk": (time(14, 0), True)}
    settings = store.nudge_settings("4242")
    assert (settings.channel, settings.chat_id, settings.zone) == ("telegram", "4242", None)

    reply = await chat.say("I live in Tokyo", "tell_timezone", action=ZONE)
    assert "Tokyo time (Asia/Tokyo)" in reply and "walking at 14:00" in reply
    assert store.nudge_settings("4242").zone == "Asia/Tokyo"

    # Asked once: a later reminder does not ask again.
    store.set_zone("other", "Asia/Tokyo", MONDAY)
    reply = await chat.say("remind me to check in at 8", "set_reminder", action=SET)
    assert "city" not in reply and times(store)["checkin"] == (time(8, 0), True)


async def test_a_bare_city_answers_the_zone_question_whatever_the_classifier_said(chat, store):
    await chat.say("remind me to check in at 8am", "set_reminder", action=SET)
    reply = await chat.say("London", "nlu_fallback", action=ActionAnswerQuestion())
    assert store.nudge_settings("4242").zone == "Europe/London" and "Europe/London" in reply


async def test_the_zone_question_is_not_asked_twice(chat, store):
    await chat.say("remind me to check in at 8am", "set_reminder", action=SET)
    await chat.say("thanks", "thank")
    reply = await chat.say("also a walk reminder at noon", "set_reminder", action=SET)
    assert "city or time zone" not in reply and "UTC until you tell me" in reply


async def test_a_zone_inside_the_request_is_used_without_asking(chat, store):
    reply = await chat.say("remind me at 8am New York time", "set_reminder", action=SET)
    assert "check-in reminder every day at 08:00 New York time" in reply
    assert "city" not in reply and "pending_question" not in chat.slots
    assert store.nudge_settings("4242").zone == "America/New_York"


async def test_check_in_tonight_is_a_check_in_reminder_not_a_sleep_one(chat, store):
    await chat.say("remind me to check in tonight", "set_reminder", action=SET)
    assert times(store) == {"checkin": (time(20, 0), True)}


async def test_a_late_sleep_reminder_moves_the_quiet_hours_so_it_can_be_sent(chat, store):
    store.set_zone("4242", "Europe/London", MONDAY)
    reply = await chat.say("a sleep reminder at 10:30pm", "set_reminder", action=SET)
    settings = store.nudge_settings("4242")
    assert times(store) == {"sleep": (time(22, 30), True)}
    assert (settings.quiet_start, settings.quiet_end) == (time(23, 0), time(8, 0))
    assert "23:00 to 08:00" in reply


async def test_quiet_hours_can_be_changed(chat, store):
    reply = await chat.say("don't message me after 8pm", "set_reminder", action=SET)
    settings = store.nudge_settings("4242")
    assert (settings.quiet_start, settings.quiet_end) == (time(20, 0), time(8, 0))
    assert "between 20:00 and 08:00" in reply


async def test_a_time_asked_for_goes_to_the_kind_it_was_asked_for(chat, store):
    reply = await chat.say("remind me to go for a walk", "set_reminder", action=SET)
    assert chat.slots["pending_question"] == "reminder_time:walk" and "walking reminder" in reply
    await chat.say("at lunchtime", "set_reminder", action=SET)
    assert times(store) == {"walk": (time(12, 30), True)}


async def test_a_time_asked_for_still_goes_to_its_kind_after_a_message_rasa_took_back(chat, store):
    """Found chatting: "remind me to walk every day", then "yes" (no rule: Rasa's fallback
    says it did not understand and rewinds the message), then "at 6pm" set a check-in
    reminder. The rewound message is not an answer to anything; the question stays open."""
    await chat.say("can you remind me to walk every day?", "set_reminder", action=SET)
    assert chat.slots["pending_question"] == "reminder_time:walk"
    # What Rasa records for the fallback: the message, action_default_fallback, its reply, a rewind.
    chat.events += [{"event": "action", "name": "action_listen"},
                    {"event": "user", "text": "yes", "parse_data": {"text": "yes", "intent": {
                        "name": "affirm", "confidence": 0.99}, "entities": []}},
                    {"event": "action", "name": "action_default_fallback"},
                    {"event": "bot", "text": "Sorry, I didn't quite get that."},
                    {"event": "rewind"}]
    reply = await chat.say("at 6pm", "set_reminder", action=SET)
    assert times(store) == {"walk": (time(18, 0), True)} and "walking reminder" in reply


async def test_stop_some_or_all_then_back_on_at_the_stored_times(chat, store):
    store.set_zone("4242", "Europe/London", MONDAY)
    await chat.say("remind me to go for a walk at 2pm every day", "set_reminder", action=SET)
    await chat.say("remind me to check in at 8", "set_reminder", action=SET)
    reply = await chat.say("stop the walking ones", "stop_reminders", action=STOP)
    assert times(store) == {"walk": (time(14, 0), False), "checkin": (time(8, 0), True)}
    assert "walking reminder is switched off" in reply
    await chat.say("stop all my reminders", "stop_reminders", action=STOP)
    assert times(store) == {"walk": (time(14, 0), False), "checkin": (time(8, 0), False)}
    reply = await chat.say("turn my reminders back on", "resume_reminders", action=RESUME)
    assert times(store) == {"walk": (time(14, 0), True), "checkin": (time(8, 0), True)}
    assert "check-in at 08:00" in reply and "walking at 14:00" in reply


async def test_pause_for_a_week_whatever_the_classifier_called_it(chat, store, clock):
    store.set_zone("4242", "Asia/Tokyo", MONDAY)
    await chat.say("remind me to check in at 8", "set_reminder", action=SET)
    clock["now"] = datetime(2026, 11, 30, 20, 0)  # already Tuesday 1 December in Tokyo
    reply = await chat.say("pause for a week", "set_reminder", action=SET)
    assert store.nudge_settings("4242").paused_until == date(2026, 12, 8)
    assert "Tuesday 8 December" in reply
    await chat.say("turn my reminders back on", "resume_reminders", action=RESUME)
    assert store.nudge_settings("4242").paused_until is None


async def test_a_check_in_nudge_and_yes_starts_the_check_in(chat, store):
    message = NudgeMessage("checkin", variant=1)
    reply = await chat.nudge(message.to_entities(), ActionNudge())
    assert reply == wording.render(message)
    assert (chat.slots["pending_question"], chat.slots["nudge_offer"]) == ("nudge:checkin", "checkin")
    events = await chat.run(ActionNudgeReply(), {"text": "yes", "intent": {"name": "affirm"}})
    assert [e["name"] for e in events if e["event"] == "followup"] == ["checkin_form"]


async def test_a_walk_nudge_and_no_gets_a_kind_word(chat, store):
    await chat.nudge(NudgeMessage("walk", variant=0, walk_minutes=15).to_entities(), ActionNudge())
    chat.events += [{"event": "action", "name": "action_listen"},
                    {"event": "user", "text": "no", "parse_data": {"intent": {"name": "deny"}}}]
    chat.replies = []
    await chat.run(ActionNudgeReply(), {"text": "no", "intent": {"name": "deny"}})
    assert "shorter walk" in chat.text and chat.slots["nudge_offer"] is None


async def test_the_local_day_of_a_check_in_follows_the_persons_zone(talk, store, clock):
    store.set_zone("tester", "Asia/Tokyo", MONDAY)
    clock["now"] = datetime(2026, 11, 30, 20, 0)  # 05:00 on Tuesday in Tokyo
    await talk.say("my back is a 3 today, no leg pain, about the same", "report_symptoms")
    (row,) = store.profile("tester").checkins
    assert row.day == date(2026, 12, 1)
