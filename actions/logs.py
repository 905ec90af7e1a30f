"""Logging walks, exercise sessions and sleep, each with encouragement."""
from __future__ import annotations

from datetime import timedelta
from typing import Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import coaching
from bot.knowledge import default_knowledge_base
from bot.parsing import parse_minutes, parse_sleep
from bot.records import ActivityRecord, SleepRecord
from bot.thresholds import WEEK_DAYS

from actions.common import (
    StoreAction, canonical_values, entity_values, first_float, latest_text, now, store,
)
from actions.questions import ActionAnswerQuestion, answers_open_question

MAX_MINUTES = 24 * 60


def _activity_from(tracker: Tracker) -> tuple:
    """(kind, exercise_id): a named exercise decides the kind, else the activity words."""
    kb = default_knowledge_base()
    exercise = None
    for value in entity_values(tracker, "exercise"):
        exercise = kb.get(value) or exercise
    exercise = exercise or kb.find(latest_text(tracker))
    if exercise is not None:
        return exercise.activity, exercise.id
    kinds = canonical_values(tracker, "activity")
    return (kinds[0] if kinds else None), None


def _minutes_from(tracker: Tracker) -> Optional[float]:
    minutes = first_float(entity_values(tracker, "duration"), 1, MAX_MINUTES)
    if minutes is None:
        minutes = parse_minutes(latest_text(tracker))
    return minutes if minutes is not None and 0 < minutes <= MAX_MINUTES else None


class ActionRecordActivity(StoreAction):
    def name(self) -> Text:
        return "action_record_activity"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        if answers_open_question(tracker) and _minutes_from(tracker) is None:
            return ActionAnswerQuestion().act(dispatcher, tracker, domain)
        kind, exercise_id = _activity_from(tracker)
        if kind is None:
            dispatcher.utter_message(
                text="Nice work! What did you do: a walk, the bike, the pool, stretches or "
                     "strengthening? Add the minutes too, e.g. \"walked 20 minutes\"."
            )
            return []
        at = now()
        minutes = _minutes_from(tracker)
        # Errands and stop-start walking are logged without minutes, so weekly
        # totals and today's plan only count continuous walks.
        stop_and_go = kind == "walking" and coaching.is_stop_and_go(latest_text(tracker))
        record = ActivityRecord(at=at, kind=kind, minutes=None if stop_and_go else minutes,
                                exercise_id=exercise_id)
        store().add_activity(tracker.sender_id, record)
        week_start = at - timedelta(days=WEEK_DAYS)
        week = store().activities_since(tracker.sender_id, week_start)
        if stop_and_go:
            lines = coaching.stop_and_go_feedback(minutes, week)
        else:
            lines = coaching.activity_feedback(record, week)
        for line in lines:
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
