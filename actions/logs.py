"""Logging walks, exercise sessions and sleep, each with encouragement."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import coaching
from bot.parsing import parse_sleep
from bot.records import SleepRecord
from bot.usecases import activity

from actions.common import StoreAction, latest_text, now, store
from actions.questions import ActionAnswerQuestion, answers_open_question


class ActionRecordActivity(StoreAction):
    """Logs every activity the message reports (bot.usecases.activity), each with its minutes."""

    def name(self) -> Text:
        return "action_record_activity"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        turn = activity.read_activities(tracker.latest_message)
        if answers_open_question(tracker) and not turn.says_minutes():
            return ActionAnswerQuestion().act(dispatcher, tracker, domain)
        if not turn.reports:
            dispatcher.utter_message(text=coaching.NOTHING_LOGGED if turn.denied
                                     else coaching.ASK_WHICH_ACTIVITY)
            return []
        logged = activity.log_activities(store(), tracker.sender_id, turn.reports, now())
        for line in logged.lines:
            dispatcher.utter_message(text=line)
        return []


class ActionRecordSleep(StoreAction):
    def name(self) -> Text:
        return "action_record_sleep"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        quality, hours = parse_sleep(latest_text(tracker))
        if quality is None and answers_open_question(tracker):
            return ActionAnswerQuestion().act(dispatcher, tracker, domain)
        if quality is None:
            dispatcher.utter_message(text="How did you sleep: well, okay or badly? Hours help too.")
            return []
        store().add_sleep(tracker.sender_id, SleepRecord(at=now(), quality=quality, hours=hours))
        for line in coaching.sleep_feedback(quality, hours):
            dispatcher.utter_message(text=line)
        return []
