"""The daily check-in: read the tracker, call bot.usecases.checkin, speak.

Every message of a check-in is merged into today's stored record as it
arrives (one record per local day), so the form only ever asks for what is
still unknown today, a question can be skipped ("not sure"), and a question
or request in the middle is answered without losing what was said. The open
question is asked again after the first such digression; after a second one
from the same question it is skipped for the day and the check-in ends with
what is known (`action_record_checkin`'s usual reply).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.usecases import checkin as usecase

from actions.common import StoreAction, latest_intent, now, store

FORM = "checkin_form"
SLOT_OF = {"score": "checkin_score", "location": "checkin_location", "trend": "checkin_trend"}
FIELD_OF = {slot: field for field, slot in SLOT_OF.items()}
CHECKIN_SLOTS = tuple(SLOT_OF.values())
# Intents that answer the check-in's questions; anything else mid-form is a digression
# (the form rejects and a rule answers it), and a red flag always goes to its own rule.
ANSWER_INTENTS = frozenset({"report_symptoms", "inform", "start_checkin", "dont_know"})
SKIP_INTENT = "dont_know"
EXTERNAL_PREFIX = "EXTERNAL_"  # intents the coach's own scheduler triggers, never typed
PENDING_TRIGGER = "spread_trigger"


def skipped_today(tracker: Tracker, day: date) -> Tuple[str, ...]:
    prefix = f"{day.isoformat()}:"
    return tuple(v[len(prefix):] for v in tracker.get_slot("checkin_skipped") or []
                 if isinstance(v, str) and v.startswith(prefix))


def said_today(tracker: Tracker, day: date) -> Optional[str]:
    """The direction already told today, "" if today's check-in was reported without one."""
    said = tracker.get_slot("checkin_said") or ""
    stamp, _, direction = said.partition("|")
    return direction if stamp == day.isoformat() else None


def _intent_of(event: Dict[Text, Any]) -> Optional[str]:
    return (((event.get("parse_data") or {}).get("intent")) or {}).get("name")


def digressed_from(tracker: Tracker) -> Tuple[str, ...]:
    """The check-in question (score, location, trend) that was open at each digression since
    the person last answered the check-in, or since the check-in started.

    A digression is a message of theirs the form turned down so that a rule could answer it
    (a question, a log, "thanks"): Rasa records it as the form's `action_execution_rejected`
    event. A nudge the scheduler triggered (EXTERNAL_nudge) is not theirs, so not counted.
    The tracker holds the whole session, so nothing has to be remembered in a slot.
    """
    asked: Optional[str] = None
    said: Optional[str] = None
    found: List[str] = []
    for event in tracker.applied_events():  # a message Rasa took back (its fallback) is not one
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value")
        elif kind == "user":
            said = _intent_of(event)
            if said in ANSWER_INTENTS:
                found = []  # they answered the check-in
        elif kind in ("active_loop", "session_started", "restart"):
            found = []  # the check-in started or ended
        elif (kind == "action_execution_rejected" and event.get("name") == FORM and asked in FIELD_OF
              and not (said or "").startswith(EXTERNAL_PREFIX)):
            found.append(FIELD_OF[asked])
    return tuple(found)


def _slot_events(record) -> List[Dict[Text, Any]]:
    values = {"checkin_score": record.pain_score if record else None,
              "checkin_location": record.location if record else None,
              "checkin_trend": record.trend if record else None}
    return [SlotSet(slot, value) for slot, value in values.items()]


def _after_user_message(tracker: Tracker) -> bool:
    """Is the form validating a new user message (not coming back after a digression)?

    Rasa hands the validation action a tracker ending in the form's own ActionExecuted;
    the action before it is `action_listen` when the person has just said something.
    """
    actions = [e.get("name") for e in reversed(tracker.events) if e.get("event") == "action"]
    if actions and actions[0] == FORM:
        actions = actions[1:]
    return bool(actions) and actions[0] == "action_listen"


class ValidateCheckinForm(StoreAction, FormValidationAction):
    def name(self) -> Text:
        return "validate_checkin_form"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        intent = latest_intent(tracker)
        active = (tracker.active_loop or {}).get("name") == FORM
        after_answer = _after_user_message(tracker)
        if active and after_answer and intent not in ANSWER_INTENTS:
            return []  # a digression or a red flag: nothing extracted, so the form rejects
        at = now()
        day = store().today(tracker.sender_id, at)
        requested = tracker.get_slot("requested_slot") if active else None
        question = FIELD_OF.get(requested)
        skipped = skipped_today(tracker, day)
        events: List[Dict] = []
        turn = usecase.turn_from_parse(tracker.latest_message) if after_answer or not active \
            else usecase.CheckinTurn()
        # Back from a second digression from the same question: it is skipped for the day and
        # the check-in ends with what is known (what was never asked stays to ask later today).
        let_go = bool(question and active and not after_answer
                      and not usecase.ask_again_after_digression(question, digressed_from(tracker)))
        if question and (let_go or (after_answer and intent == SKIP_INTENT)):  # or "not sure"
            skipped += (question,)
            # Only today's are ever read (skipped_today): earlier days' are dropped, not kept forever.
            events.append(SlotSet("checkin_skipped", [f"{day.isoformat()}:{q}" for q in skipped]))
        noted = usecase.note_turn(store(), tracker.sender_id, turn, at, day, skipped)
        if (active and after_answer and requested == "checkin_score" and intent == "inform"
                and turn.score is None and "score" in noted.missing):
            dispatcher.utter_message(text="Please give me a number from 0 (no pain) to 10 (worst), "
                                          "or say \"not sure\" to skip it.")
        events += _slot_events(noted.record)
        ask = noted.missing and not let_go
        events.append(SlotSet("requested_slot", SLOT_OF[noted.missing[0]] if ask else None))
        return events


class ActionRecordCheckin(StoreAction):
    """Reply to the finished check-in; asks what set spreading pain off, once a day."""

    def name(self) -> Text:
        return "action_record_checkin"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        at = now()
        day = store().today(tracker.sender_id, at)
        said = said_today(tracker, day)
        outcome = usecase.finish(store(), tracker.sender_id, at, day, said)
        events: List[Dict] = [SlotSet(slot, None) for slot in CHECKIN_SLOTS]
        if outcome is None:
            dispatcher.utter_message(text="No problem, we can check in another time. Just tell me "
                                          "how your back is whenever you like.")
            return events
        asked_again = latest_intent(tracker) == "start_checkin"
        for line in usecase.reply_lines(outcome, asked_again):
            dispatcher.utter_message(text=line)
        if outcome.ask_trigger:
            dispatcher.utter_message(response="utter_ask_spread_trigger")
            events.append(SlotSet("pending_question", PENDING_TRIGGER))
        told = outcome.direction if outcome.direction_news else (said or "")
        events += [SlotSet("pain_direction", outcome.direction),
                   SlotSet("checkin_said", f"{day.isoformat()}|{told}")]
        if outcome.record.pain_score is not None:
            events.append(SlotSet("pain_score", outcome.record.pain_score))
        return events
