"""Red flags: urgent advice in any state, stored, and held until assessed; low mood gets empathy.

The tier and the words come from bot/triage.py, the same decision the NLU component
made and `make eval` measures.
"""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.triage import low_mood_advice, triage_parse

from actions.common import StoreAction, now, store


class ActionEscalateUrgent(StoreAction):
    def name(self) -> Text:
        return "action_escalate_urgent"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        decision = triage_parse(tracker.latest_message)
        at = now()
        for tier, reason in decision.flags():
            store().record_escalation(tracker.sender_id, tier, reason, at)
        dispatcher.utter_message(text=decision.advice)
        return [SlotSet("red_flag", True), ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionLowMoodSupport(StoreAction):
    """Low mood without thoughts of self-harm: empathy and graded activity, not the crisis line."""

    def name(self) -> Text:
        return "action_low_mood_support"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        decision = triage_parse(tracker.latest_message)
        if decision.red_flag:  # never reached through the NLU component; the safe side if it is
            return ActionEscalateUrgent().act(dispatcher, tracker, domain)
        dispatcher.utter_message(text=low_mood_advice())
        return []


class ActionMarkAssessed(StoreAction):
    def name(self) -> Text:
        return "action_mark_assessed"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        resolved = store().resolve_escalations(tracker.sender_id, now())
        if resolved or tracker.get_slot("red_flag"):
            dispatcher.utter_message(
                text="Thanks for letting me know, and I'm glad you've been checked. Follow what "
                     "your clinician advised; if they cleared you for exercise, ask me for "
                     "today's plan whenever you're ready."
            )
        else:
            dispatcher.utter_message(text="Good to hear you're in touch with a clinician. "
                                          "Their advice comes first; I'm here for the day-to-day.")
        return [SlotSet("red_flag", False)]
