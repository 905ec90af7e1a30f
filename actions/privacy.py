"""Erasure: the coach's rows here, the tracker events via the `data_erased` marker."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import StoreAction, latest_intent, store

CONFIRM_QUESTION = "utter_ask_confirm_delete"


def _confirmed(tracker: Tracker) -> bool:
    """True only when the user said yes right after the confirmation question."""
    if latest_intent(tracker) != "affirm":
        return False
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name") == CONFIRM_QUESTION
    return False


class ActionDeleteUserData(StoreAction):
    def name(self) -> Text:
        return "action_delete_user_data"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        if not _confirmed(tracker):
            dispatcher.utter_message(response=CONFIRM_QUESTION)
            return []
        store().erase_user(tracker.sender_id)
        dispatcher.utter_message(
            text="Done. I've erased your check-ins, logs, reminders and our conversation. "
                 "If you come back, we'll start fresh."
        )
        return [AllSlotsReset(), SlotSet("data_erased", True)]
