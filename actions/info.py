"""Questions answered from the knowledge base and the guidance texts."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import coaching, guidance
from bot.exercise_info import answer_exercise_question
from bot.knowledge import default_knowledge_base

from actions.common import entity_values, latest_text


class _AnswerAction(Action, ABC):
    """One reply computed by a pure function of the tracker (abstract: not registered)."""

    @abstractmethod
    def answer(self, tracker: Tracker) -> str:
        ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        dispatcher.utter_message(text=self.answer(tracker))
        return []


class ActionExerciseInfo(_AnswerAction):
    def name(self) -> Text:
        return "action_exercise_info"

    def answer(self, tracker: Tracker) -> str:
        ids = entity_values(tracker, "exercise")
        return answer_exercise_question(latest_text(tracker), ids[0] if ids else None,
                                        default_knowledge_base())


class ActionAnswerMedication(_AnswerAction):
    def name(self) -> Text:
        return "action_answer_medication"

    def answer(self, tracker: Tracker) -> str:
        return guidance.medication_answer(latest_text(tracker))


class ActionAnswerLifestyle(_AnswerAction):
    def name(self) -> Text:
        return "action_answer_lifestyle"

    def answer(self, tracker: Tracker) -> str:
        return guidance.lifestyle_answer(latest_text(tracker))


class ActionFearReassurance(_AnswerAction):
    def name(self) -> Text:
        return "action_fear_reassurance"

    def answer(self, tracker: Tracker) -> str:
        return coaching.fear_reassurance()
