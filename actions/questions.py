"""A bare answer ("about 3 weeks ago", "I'd been sitting all day", "not sure") goes to the
question the coach asked last: when the episode began, or what set spreading pain off."""
from __future__ import annotations

from typing import Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.clinical import PHASE_WORDS
from bot.parsing import parse_days_since
from bot.usecases import checkin as checkin_usecase
from bot.usecases.plan import note_onset
from bot.usecases.reminders import TIME_QUESTION, ZONE_QUESTION

from actions.checkin import PENDING_TRIGGER, SKIP_INTENT
from actions.common import StoreAction, latest_intent, latest_text, now, store
from actions.plan import PENDING_ONSET

MAX_ONSET_DAYS = 3650
_MOVEMENT_WORDS = {"lying": "lying on your front", "exercise": "one of the exercises"}


def open_question(tracker: Tracker) -> Optional[str]:
    """The pending question, if it was asked after the person's previous message.

    An answer belongs to the question asked last: once the person has said
    something else in between, an old question is no longer open. A message Rasa took
    back (its fallback: "Sorry, I didn't quite get that", then a rewind) does not count
    as something else: the question is still open after it.
    """
    users = 0
    for event in reversed(tracker.applied_events()):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return None
        elif users == 1 and event.get("event") == "slot" and event.get("name") == "pending_question":
            return event.get("value")
    return None


def answers_open_question(tracker: Tracker) -> bool:
    """Does this message answer the open question, whatever intent the classifier gave it?

    "bending to load the dishwasher" right after "what had you been doing?" is the answer,
    even when the classifier heard a sleep or activity report or was unsure.
    """
    question = open_question(tracker)
    if question == PENDING_TRIGGER:
        turn = checkin_usecase.turn_from_parse(tracker.latest_message)
        return bool(turn.movements or _exercise_ids(tracker))
    if question == PENDING_ONSET:
        return parse_days_since(latest_text(tracker), store().today(tracker.sender_id, now())) is not None
    return False


def _exercise_ids(tracker: Tracker) -> List[str]:
    return [str(e["value"]) for e in (tracker.latest_message or {}).get("entities") or []
            if e.get("entity") == "exercise" and e.get("value")]


class ActionAnswerQuestion(StoreAction):
    def name(self) -> Text:
        return "action_answer_question"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        question = open_question(tracker)
        skip = latest_intent(tracker) == SKIP_INTENT
        if question and not skip and (question == ZONE_QUESTION or question.startswith(TIME_QUESTION)):
            from actions.reminders import ActionSetReminder  # the reminder questions' own action

            return ActionSetReminder().act(dispatcher, tracker, domain)
        if question == PENDING_ONSET:
            return self._onset(dispatcher, tracker, skip)
        if question == PENDING_TRIGGER and (skip or answers_open_question(tracker)
                                            or latest_intent(tracker) == "inform"):
            return self._trigger(dispatcher, tracker, skip)
        if skip:
            dispatcher.utter_message(text="No problem.")
        else:
            dispatcher.utter_message(response="utter_default")
        return []

    @staticmethod
    def _onset(dispatcher: CollectingDispatcher, tracker: Tracker, skip: bool) -> List[Dict]:
        if skip:
            dispatcher.utter_message(response="utter_onset_unknown")
            return [SlotSet("pending_question", None)]
        today = store().today(tracker.sender_id, now())
        days = parse_days_since(latest_text(tracker), today)
        if days is None or not 0 <= days <= MAX_ONSET_DAYS:
            dispatcher.utter_message(response="utter_onset_unclear")
            return [SlotSet("pending_question", PENDING_ONSET)]  # one more try
        noted = note_onset(store(), tracker.sender_id, days, today)
        dispatcher.utter_message(text=f"Thanks, noted. That puts you {PHASE_WORDS[noted.phase]}; "
                                      "I'll fit your plans to it from now on.")
        return [SlotSet("pending_question", None)]

    @staticmethod
    def _trigger(dispatcher: CollectingDispatcher, tracker: Tracker, skip: bool) -> List[Dict]:
        if skip:
            dispatcher.utter_message(response="utter_trigger_unknown")
            return [SlotSet("pending_question", None)]
        turn = checkin_usecase.turn_from_parse(tracker.latest_message)
        kept = checkin_usecase.note_movements(store(), tracker.sender_id, turn, now(), "worse",
                                              _exercise_ids(tracker))
        if not kept:
            dispatcher.utter_message(response="utter_trigger_unclear")
        else:
            words = [_MOVEMENT_WORDS.get(m, m.replace("_", " ")) for m in kept]
            dispatcher.utter_message(response="utter_trigger_noted", movement=" and ".join(words))
        return [SlotSet("pending_question", None)]
