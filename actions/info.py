"""Questions answered from the knowledge base and the guidance texts."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import coaching, guidance
from bot.exercise_info import answer_exercise_question
from bot.knowledge import default_knowledge_base
from bot.planner import Plan
from bot.triage import reminder_of_open_flag
from bot.usecases.plan import plan_for

from actions.common import StoreAction, entity_values, latest_text, now, store

logger = logging.getLogger(__name__)


class _AnswerAction(StoreAction, ABC):
    """One reply computed from the tracker (and the store: off the event loop; abstract: not registered)."""

    @abstractmethod
    def answer(self, tracker: Tracker) -> str:
        ...

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
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
        flag = store().open_escalation(tracker.sender_id)
        if flag:  # no exercise while a red flag is open: the advice to get assessed stands
            return reminder_of_open_flag(flag[0])
        try:
            today = store().today(tracker.sender_id, now())
            plan: Optional[Plan] = plan_for(store().profile(tracker.sender_id, today), today)
        except Exception:  # noqa: BLE001 - the reassurance must not fail with the plan
            logger.exception("today's plan could not be built for the fear reply")
            plan = None
        return coaching.fear_reassurance(latest_text(tracker), plan)
