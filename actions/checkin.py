"""The daily check-in: a form for score, most distal place and trend, then storage."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import clinical, coaching, escalation, lexicon
from bot.parsing import parse_pain_score
from bot.records import CheckinRecord

from actions.common import (
    CLINICAL_KEY, canonical_values, entity_values, first_float, latest_intent, latest_text, now,
    store, user_texts_since,
)

CHECKIN_SLOTS = ("checkin_score", "checkin_location", "checkin_trend")


def _is_red_flag(tracker: Tracker) -> bool:
    """A red-flag message must never be swallowed as a form answer."""
    return latest_intent(tracker) == "report_red_flag"


class ValidateCheckinForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_checkin_form"

    async def extract_checkin_score(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        if _is_red_flag(tracker):
            return {}
        score = first_float(entity_values(tracker, "pain_score"), 0, 10)
        if score is None:
            score = parse_pain_score(latest_text(tracker))
        if (score is None and latest_intent(tracker) == "inform"
                and tracker.get_slot("requested_slot") == "checkin_score"):
            score = -1  # an answer we can't read: validation explains and asks again
        return {"checkin_score": score} if score is not None else {}

    async def extract_checkin_location(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        if _is_red_flag(tracker):
            return {}
        place = clinical.most_distal(canonical_values(tracker, "body_part"))
        return {"checkin_location": place} if place else {}

    async def extract_checkin_trend(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        if _is_red_flag(tracker):
            return {}
        trends = canonical_values(tracker, "trend")
        return {"checkin_trend": trends[0]} if trends else {}

    def validate_checkin_score(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        score = first_float([value], 0, 10)
        if score is None:
            dispatcher.utter_message(text="Please give me a number from 0 (no pain) to 10 (worst).")
        return {"checkin_score": score}


def _extras_from_messages(messages: List[dict]) -> tuple:
    """Side and symptoms mentioned anywhere in this check-in's messages."""
    sides: List[str] = []
    symptoms: List[str] = []
    for msg in messages:
        text = msg.get("text") or ""
        for ent in (msg.get("parse_data") or {}).get("entities") or []:
            target = sides if ent.get("entity") == "side" else symptoms if ent.get("entity") == "symptom" else None
            value = lexicon.canonical(ent.get("entity"), str(ent.get("value"))) if target is not None else None
            if value and value not in target:
                target.append(value)
        if CLINICAL_KEY in (msg.get("parse_data") or {}):
            continue  # the clinical reader's entities are already the affirmed ones
        for value in lexicon.find_values("side", text):
            if value not in sides:
                sides.append(value)
        for value in lexicon.find_values("symptom", text):
            if value not in symptoms:
                symptoms.append(value)
    side = "both" if len(sides) > 1 else (sides[0] if sides else None)
    return side, tuple(symptoms)


def _new_referrals(sender: str, history: Sequence[CheckinRecord], current: CheckinRecord,
                   onset: Optional[date], today: date) -> Tuple[str, ...]:
    """Tier-3 reasons that apply now and were not already given this episode."""
    reasons = escalation.tier3_reasons(history, current, current.direction, onset, today)
    if not reasons:
        return ()
    since = escalation.episode_start(history, current, onset)
    given = store().escalation_reasons_since(sender, since, escalation.TIER)
    return escalation.new_reasons(reasons, given, store().open_escalation(sender) is not None)


class ActionRecordCheckin(Action):
    """Store the check-in, work out the pain direction, encourage and refer (tier 3)."""

    def name(self) -> Text:
        return "action_record_checkin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        sender = tracker.sender_id
        at = now()
        side, symptoms = _extras_from_messages(user_texts_since(tracker, self.name()))
        score: Optional[float] = first_float([tracker.get_slot("checkin_score")], 0, 10)
        current = CheckinRecord(
            at=at, pain_score=score, location=tracker.get_slot("checkin_location"),
            side=side, symptoms=symptoms, trend=tracker.get_slot("checkin_trend"),
        )
        profile = store().profile(sender)
        history = profile.checkins
        direction = clinical.pain_direction(clinical.previous_location(history), current.location)
        current = replace(current, direction=direction)
        store().add_checkin(sender, current, direction)
        referral = _new_referrals(sender, history, current, profile.onset, at.date())
        for reason in referral:
            store().record_escalation(sender, escalation.TIER, reason, at)

        scored = [c for c in history if c.pain_score is not None]
        previous = scored[-1] if scored else None
        first_score = scored[0].pain_score if scored else None
        streak = clinical.streak_gained([c.at for c in history], at.date())
        for line in coaching.checkin_feedback(current, previous, first_score, direction, streak,
                                              referral):
            dispatcher.utter_message(text=line)

        events = [SlotSet("pain_direction", direction)]
        if score is not None:
            events.append(SlotSet("pain_score", score))
        return events + [SlotSet(slot, None) for slot in CHECKIN_SLOTS]
