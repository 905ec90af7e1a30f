"""Session start: carry slots over and restore what the database knows."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import StoreAction, now, store

_NOT_CARRIED = {"requested_slot", "session_started_metadata", "data_erased", "pending_question",
                "nudge_offer"}


class ActionSessionStart(StoreAction):
    def name(self) -> Text:
        return "action_session_start"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        events: List[Dict] = [SessionStarted()]
        carried = {k: v for k, v in tracker.slots.items() if v is not None and k not in _NOT_CARRIED}
        profile = store().profile(tracker.sender_id, now().date())
        scores = [c.pain_score for c in profile.checkins if c.pain_score is not None]
        if scores:
            carried["pain_score"] = scores[-1]
        carried["returning_person"] = bool(profile.checkins or profile.activities or profile.sleeps
                                           or (profile.earlier and profile.earlier.logs))
        carried["red_flag"] = store().open_escalation(tracker.sender_id) is not None
        events += [SlotSet(k, v) for k, v in carried.items()]
        events.append(ActionExecuted("action_listen"))
        return events
