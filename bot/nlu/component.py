"""The clinical reader as a Rasa 3.6 graph component: safety does not hang on the classifier.

Placed after the intent classifier in config.yml, for every message it:

1. sets the clinical entities (body_part, side, symptom, trend, pain_score,
   duration) and what the person did or asks about (activity, exercise) from the
   reader, keeping only what the speaker affirms ("not my leg" does not count as leg
   pain; "I didn't walk" logs no walk). No statistical extractor is trained for
   them; any it would add of those names are replaced;
2. asks bot/triage.py, the one red-flag decision, whether the message is a red
   flag. If it is, the intent becomes ``report_red_flag`` (confidence 1.0)
   whatever the classifier thought. A red flag only the classifier saw stands
   when triage says so (sure, about health, not denied, not plain low mood);
3. when the classifier said ``report_red_flag`` and triage says no, falls back to
   the next intent (a question about warning signs goes to ``ask_warning_signs``;
   low mood to ``express_low_mood``); a weak next guess becomes ``nlu_fallback``
   (the coach asks again) rather than running a guess such as stop_reminders;
4. routes low mood without a red flag ("a bit low today", "fed up with this
   back") to ``express_low_mood`` when the classifier heard no task in it and no
   pain score: empathy, not the crisis line;
5. adds a ``clinical`` key to the parse result: the red flags with tier, reason
   and status, the non-affirmed findings (offsets only, never text), the
   decision (``triage``: tier and reasons) and the classifier's own guess
   (``classifier``), so the action and ``make eval`` repeat exactly this decision
   (bot.triage.triage_parse).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import context
from bot.nlu.clinical import CLINICAL_ENTITIES, CLINICAL_KEY, TASK_ENTITIES, Analysis, default_reader
from bot.triage import UNSPECIFIED, Triage, triage

RED_FLAG_INTENT = "report_red_flag"
FALLBACK_INTENT = "nlu_fallback"
LOW_MOOD_INTENT = "express_low_mood"
# Intents that carry a task of their own: low mood said alongside one the classifier is sure of
# ("fed up, what's my plan today?") keeps the task. The others (chat, a symptom report without a
# score, fear, fallback) and unsure guesses ("fed up with this back" as report_sleep at 0.53) give
# way to the low-mood reply.
TASK_INTENTS = frozenset({
    "start_checkin", "ask_plan", "report_activity", "report_sleep", "ask_progress", "ask_exercise_info",
    "ask_medication", "ask_lifestyle", "set_reminder", "stop_reminders", "delete_my_data",
    "confirm_assessed", "ask_warning_signs", "start", "inform", "dont_know",
})
TASK_MIN_CONFIDENCE = 0.8


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER],
    is_trainable=False,
)
class ClinicalSafetyExtractor(GraphComponent, EntityExtractorMixin):
    """Rule-based clinical entities and red-flag screening with negation scoping."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "red_flag_intent": RED_FLAG_INTENT,
            "question_intent": "ask_warning_signs",  # "what are the warning signs?"
            "low_mood_intent": LOW_MOOD_INTENT,
            # (How sure the classifier must be for a red flag of its own is part of the one
            # decision: bot.triage.CLASSIFIER_ONLY_MIN_CONFIDENCE.)
            # When a red-flag prediction is replaced, the classifier's second guess must be at least this
            # sure; below it the guess is noise (0.00006 for stop_reminders on "I don't see the
            # point in going on") and the message becomes nlu_fallback.
            "replacement_min_confidence": 0.1,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **(config or {})}
        self.reader = default_reader()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ClinicalSafetyExtractor":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get("text") or ""
            if text.startswith("/"):
                continue  # a button payload: Rasa's RegexMessageHandler reads it
            analysis = self.reader.analyse(text)
            self._set_entities(message, analysis)
            self._set_intent(message, analysis)
        return messages

    # ---- entities ----------------------------------------------------------
    def _set_entities(self, message: Message, analysis: Analysis) -> None:
        ours_only = CLINICAL_ENTITIES + TASK_ENTITIES
        kept = [e for e in message.get("entities", []) or [] if e.get("entity") not in ours_only]
        ours = [
            {"entity": f.entity, "value": f.value, "start": f.start, "end": f.end,
             "confidence_entity": 1.0}
            for f in analysis.entities(affirmed_only=True)
        ]
        message.set("entities", kept + self.add_extractor_name(ours), add_to_output=True)

    # ---- intent ------------------------------------------------------------
    def _set_intent(self, message: Message, analysis: Analysis) -> None:
        clinical = analysis.as_dict()
        guess = message.get("intent") or {}
        intent = guess.get("name")
        decision = triage(analysis, intent, guess.get("confidence") or 0.0)
        clinical["classifier"] = {"name": intent, "confidence": float(guess.get("confidence") or 0.0)}
        clinical["triage"] = {"tier": decision.tier, "reasons": list(decision.reasons)}
        red_flag = self.config["red_flag_intent"]
        replacement: Optional[tuple] = None
        if decision.red_flag:
            if intent != red_flag or UNSPECIFIED not in decision.reasons:
                replacement = (red_flag, 1.0)  # the rules name it: sure, whatever the classifier's score
        elif intent == red_flag:
            replacement = self._replacement(message, analysis, decision)
        elif decision.low_mood and not _has_score(analysis) and not (
                intent in TASK_INTENTS and (guess.get("confidence") or 0.0) >= TASK_MIN_CONFIDENCE):
            replacement = (self.config["low_mood_intent"], 1.0)
        if replacement is not None:
            if replacement[0] != intent:
                clinical["overridden_intent"] = intent
            self._choose(message, *replacement)
        message.set(CLINICAL_KEY, clinical, add_to_output=True)

    def _replacement(self, message: Message, analysis: Analysis, decision: Triage) -> tuple:
        """What a red-flag prediction becomes when triage finds no red flag: never itself."""
        ranking = [r for r in message.get("intent_ranking", []) or []
                   if r.get("name") not in (self.config["red_flag_intent"], FALLBACK_INTENT)]
        if any(f.status == context.HYPOTHETICAL for f in analysis.red_flags):
            question = self.config["question_intent"]
            confidence = next((r["confidence"] for r in ranking if r["name"] == question), 1.0)
            return question, max(confidence, 0.9)
        if decision.low_mood and not _has_score(analysis):
            return self.config["low_mood_intent"], 1.0
        if not ranking:
            return FALLBACK_INTENT, 1.0
        confidence = ranking[0].get("confidence", 0.0)
        if confidence < self.config["replacement_min_confidence"]:
            return FALLBACK_INTENT, 1.0 - confidence
        return ranking[0]["name"], confidence

    @staticmethod
    def _choose(message: Message, name: str, confidence: float) -> None:
        ranking = [r for r in message.get("intent_ranking", []) or [] if r.get("name") != name]
        chosen = {"name": name, "confidence": float(confidence)}
        message.set("intent", chosen, add_to_output=True)
        message.set("intent_ranking", [chosen] + ranking, add_to_output=True)


def _has_score(analysis: Analysis) -> bool:
    """A pain score makes the message a check-in ("a bit low, back is a 5")."""
    return any(f.entity == "pain_score" for f in analysis.entities(affirmed_only=True))
