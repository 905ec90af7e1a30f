"""Session start: carry slots over and restore what the database knows."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import StoreAction, store

_NOT_CARRIED = {"requested_slot", "session_started_metadata", "data_erased", "pending_question",
                "nudge_offer"}


class ActionSessionStart(StoreAction):
    def name(self) -> Text:
        return "action_session_start"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        events: List[Dict] = [SessionStarted()]
        carried = {k: v for k, v in tracker.slots.items() if v is not None and k not in _NOT_CARRIED}
        facts = store().session_facts(tracker.sender_id)
        if facts.latest_score is not None:
            carried["pain_score"] = facts.latest_score
        carried["returning_person"] = facts.returning
        carried["red_flag"] = facts.red_flag_open
        events += [SlotSet(k, v) for k, v in carried.items()]
        events.append(ActionExecuted("action_listen"))
        return events
