"""Red flags: urgent advice in any state, stored, and held until assessed."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.safety import EMERGENCY, RedFlag, from_parse, screen_all, urgent_advice

from actions.common import latest_text, now, store


class ActionEscalateUrgent(Action):
    def name(self) -> Text:
        return "action_escalate_urgent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        flags = from_parse(tracker.latest_message)
        if flags is None:  # a model without the clinical component: screen here
            flags = screen_all(latest_text(tracker))
        # The classifier said red flag though no rule names one: treat it as tier 1.
        flags = flags or [RedFlag(EMERGENCY, "unspecified")]
        at = now()
        for flag in flags:
            store().record_escalation(tracker.sender_id, flag.tier, flag.reason, at)
        dispatcher.utter_message(text=urgent_advice(flags[0]))
        return [SlotSet("red_flag", True), ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionMarkAssessed(Action):
    def name(self) -> Text:
        return "action_mark_assessed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
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
