"""Today's plan: ask once when the episode began, then build it from history."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import clinical
from bot.guidance import LIFESTYLE_TIPS
from bot.knowledge import default_knowledge_base
from bot.parsing import parse_days_since
from bot.planner import PlanInputs, build_plan, render_plan
from bot.records import Profile
from bot.safety import reminder_of_open_flag

from actions.common import latest_intent, latest_text, now, store

MAX_ONSET_DAYS = 3650


class ValidateOnsetForm(FormValidationAction):
    """Asks for the onset only when neither the database nor a red flag settles it."""

    def name(self) -> Text:
        return "validate_onset_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        if store().open_escalation(tracker.sender_id) or store().onset(tracker.sender_id):
            return []
        return list(domain_slots)

    async def extract_onset_days(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "onset_days":
            return {}
        days = parse_days_since(latest_text(tracker), now().date())
        if days is None and latest_intent(tracker) == "inform":
            days = -1  # an answer we can't read: validation explains and asks again
        return {"onset_days": days} if days is not None else {}

    def validate_onset_days(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        try:
            days = int(float(value))
        except (TypeError, ValueError):
            days = -1
        if not 0 <= days <= MAX_ONSET_DAYS:
            dispatcher.utter_message(
                text="Sorry, I didn't catch how long ago it started. Something like \"5 days\", "
                     "\"3 weeks ago\" or \"about 6 months\" works."
            )
            return {"onset_days": None}
        store().set_onset(tracker.sender_id, now().date() - timedelta(days=days))
        return {"onset_days": float(days)}


def _direction(tracker: Tracker, profile: Profile) -> str:
    slot = tracker.get_slot("pain_direction")
    if slot:
        return slot
    located = [c for c in profile.checkins if c.location]
    if len(located) < 2:
        return "unknown"
    return clinical.pain_direction(located[-2].location, located[-1].location)


class ActionTodayPlan(Action):
    def name(self) -> Text:
        return "action_today_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        sender = tracker.sender_id
        flag = store().open_escalation(sender)
        if flag:
            dispatcher.utter_message(text=reminder_of_open_flag(flag[0]))
            return [SlotSet("red_flag", True)]
        profile = store().profile(sender)
        today = now().date()
        scores = [c.pain_score for c in profile.checkins if c.pain_score is not None]
        latest: Optional[float] = scores[-1] if scores else None
        inputs = PlanInputs(
            today=today,
            phase=clinical.phase_for(profile.onset, today),
            latest_score=latest,
            direction=_direction(tracker, profile),
            activities=profile.activities,
        )
        plan = build_plan(inputs, default_knowledge_base(), LIFESTYLE_TIPS)
        dispatcher.utter_message(text=render_plan(plan))
        return [SlotSet("red_flag", False)] if tracker.get_slot("red_flag") else []
