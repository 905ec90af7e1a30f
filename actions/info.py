"""Questions answered from the knowledge base and the guidance texts."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import coaching, guidance
from bot.exercise_info import answer_exercise_question
from bot.knowledge import default_knowledge_base

from actions.common import entity_values, latest_text


class ActionExerciseInfo(Action):
    def name(self) -> Text:
        return "action_exercise_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        ids = entity_values(tracker, "exercise")
        answer = answer_exercise_question(latest_text(tracker), ids[0] if ids else None,
                                          default_knowledge_base())
        dispatcher.utter_message(text=answer)
        return []


class ActionAnswerMedication(Action):
    def name(self) -> Text:
        return "action_answer_medication"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        dispatcher.utter_message(text=guidance.medication_answer(latest_text(tracker)))
        return []


class ActionAnswerLifestyle(Action):
    def name(self) -> Text:
        return "action_answer_lifestyle"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        dispatcher.utter_message(text=guidance.lifestyle_answer(latest_text(tracker)))
        return []


class ActionFearReassurance(Action):
    def name(self) -> Text:
        return "action_fear_reassurance"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        dispatcher.utter_message(text=coaching.fear_reassurance())
        return []
