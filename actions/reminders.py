"""Reminder preferences: stored now, used by the nudge scheduler."""
from __future__ import annotations

import re
from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.parsing import parse_clock_time

from actions.common import latest_text, store

_KINDS = (("walk", r"walk|stroll|exercise|move|activity"), ("sleep", r"sleep|bed|night"))
_KIND_NAMES = {"walk": "walking", "sleep": "wind-down for sleep", "checkin": "check-in"}


def reminder_kind(text: str) -> str:
    for kind, pattern in _KINDS:
        if re.search(pattern, text or "", re.IGNORECASE):
            return kind
    return "checkin"


class ActionSetReminder(Action):
    def name(self) -> Text:
        return "action_set_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        text = latest_text(tracker)
        at = parse_clock_time(text)
        kind = reminder_kind(text)
        if at is None:
            dispatcher.utter_message(
                text=f"What time would suit you for the {_KIND_NAMES[kind]} reminder? "
                     "For example \"remind me at 8am\"."
            )
            return []
        store().set_reminder(tracker.sender_id, kind, at)
        dispatcher.utter_message(
            text=f"Saved: your {_KIND_NAMES[kind]} reminder time is {at.strftime('%H:%M')} (UTC). "
                 "Note: I don't send reminders yet; this records your preferred time for when I do."
        )
        return []


class ActionStopReminders(Action):
    def name(self) -> Text:
        return "action_stop_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        stopped = store().stop_reminders(tracker.sender_id)
        dispatcher.utter_message(
            text="Done, your reminders are switched off." if stopped
            else "You have no reminders switched on."
        )
        return []
