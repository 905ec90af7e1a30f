"""Today's plan: read the tracker, call bot.usecases.plan, speak; then ask the onset once."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.usecases.plan import todays_plan

from actions.common import StoreAction, now, store

PENDING_ONSET = "onset"


class ActionTodayPlan(StoreAction):
    def name(self) -> Text:
        return "action_today_plan"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        at = now()
        reply = todays_plan(store(), tracker.sender_id, at, store().today(tracker.sender_id, at))
        dispatcher.utter_message(text=reply.text)
        events: List[Dict] = []
        if reply.red_flag_open:
            return [SlotSet("red_flag", True)]
        in_checkin = (tracker.active_loop or {}).get("name") == "checkin_form"
        if reply.ask_onset and not in_checkin:
            dispatcher.utter_message(response="utter_ask_onset")
            events.append(SlotSet("pending_question", PENDING_ONSET))
        if tracker.get_slot("red_flag"):
            events.append(SlotSet("red_flag", False))
        return events
