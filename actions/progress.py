"""How am I doing? A summary of the stored history."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.progress import render_progress, summarize_progress

from actions.common import now, store


class ActionProgressSummary(Action):
    def name(self) -> Text:
        return "action_progress_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        profile = store().profile(tracker.sender_id)
        summary = summarize_progress(profile.checkins, profile.activities, now().date())
        dispatcher.utter_message(text=render_progress(summary))
        return []
