"""A check-in question is asked again once after a digression, then let go for the day.

The decision (bot.usecases.checkin.ask_again_after_digression) is pure; what it is given is
read from the tracker (actions.checkin.digressed_from); the form's validation acts on it.
The trackers here have the shape of the real ones: the events below are those the Rasa
server stored for the conversation in the bug report (GET /conversations/<id>/tracker),
and Rasa's form adds the requested slot and its own ActionExecuted before calling
`validate_checkin_form` (rasa.core.actions.forms.FormAction._temporary_tracker).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.checkin import ValidateCheckinForm, digressed_from
from bot.records import CheckinRecord
from bot.thresholds import CHECKIN_REASKS_AFTER_DIGRESSION
from bot.usecases.checkin import FIELDS, ask_again_after_digression
from tests.conftest import MONDAY, clinical_parse

FORM = "checkin_form"
META = {"model_id": "03c59cc7a6fa4704825d38845510b23e", "assistant_id": "rehab-coach"}


# ---------------- the decision ----------------
def test_the_first_digression_from_a_question_asks_it_again():
    assert ask_again_after_digression("trend", ("trend",)) is True


def test_the_second_digression_from_the_same_question_lets_it_go():
    assert ask_again_after_digression("trend", ("trend", "trend")) is False


@pytest.mark.parametrize("question", FIELDS)
@pytest.mark.parametrize("times", range(0, 5))
def test_a_question_is_asked_again_as_many_times_as_the_threshold_says(question, times):
    assert ask_again_after_digression(question, (question,) * times) is (
        times <= CHECKIN_REASKS_AFTER_DIGRESSION)


def test_digressions_from_other_questions_do_not_count():
    assert ask_again_after_digression("location", ("score", "score", "location")) is True
    assert ask_again_after_digression("location", ("score", "location", "location")) is False


def test_the_form_coming_back_with_no_digression_recorded_asks():
    assert ask_again_after_digression("score", ()) is True


# ---------------- the tracker, as Rasa stores it ----------------
def _user(text: str, intent: str) -> Dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, **clinical_parse(text, intent)}
    return {"event": "user", "timestamp": 1.0, "metadata": META, "text": text, "parse_data": parse,
            "input_channel": "rest", "message_id": "m"}


def _action(name: str, policy: Optional[str] = "RulePolicy") -> Dict[str, Any]:
    return {"event": "action", "timestamp": 1.0, "metadata": META, "name": name, "policy": policy,
            "confidence": 1.0, "action_text": None, "hide_rule_turn": False}


def _slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "timestamp": 1.0, "metadata": META, "name": name, "value": value}


def _loop(name: Optional[str]) -> Dict[str, Any]:
    return {"event": "active_loop", "timestamp": 1.0, "metadata": META, "name": name}


def _rejected() -> Dict[str, Any]:
    return {"event": "action_execution_rejected", "timestamp": 1.0, "metadata": META, "name": FORM,
            "policy": "RulePolicy", "confidence": 1.0}


def _asks(requested: str, score=5.0, location="lower_back", trend=None) -> List[Dict[str, Any]]:
    """The form's run that asks `requested` (what validate_checkin_form returned)."""
    return [_action(FORM), _slot("checkin_score", score), _slot("checkin_location", location),
            _slot("checkin_trend", trend), _slot("requested_slot", requested), _action("action_listen")]


def _digression(text: str, intent: str, answer: str) -> List[Dict[str, Any]]:
    """A message the form turned down, and the rule's answer to it."""
    return [_user(text, intent), _rejected(), {"event": "user_featurization", "timestamp": 1.0,
                                               "metadata": META, "use_text_for_featurization": False},
            _action(answer)]


SESSION_START = [_action("action_session_start", None), {"event": "session_started", "timestamp": 1.0,
                                                          "metadata": META},
                 _slot("red_flag", False), _slot("returning_person", False), _action("action_listen", None)]
# hi / my back is a 5 today / lower back (the trend is asked each time)
STARTED = SESSION_START + [
    _user("hi", "greet"), _action("utter_greet"), _action("action_listen"),
    _user("my back is a 5 today", "report_symptoms"), _action(FORM), _loop(FORM),
    *_asks("checkin_trend")[1:],
    _user("lower back", "report_symptoms"), *_asks("checkin_trend"),
]
PLAN = _digression("what should I do today?", "ask_plan", "action_today_plan")
WALK = _digression("walked 20 minutes", "report_activity", "action_record_activity")


def _coming_back(events: List[Dict[str, Any]], requested: str = "checkin_trend") -> List[Dict[str, Any]]:
    """The tracker Rasa's form hands its validation action when it comes back."""
    return events + [_slot("requested_slot", requested), _action(FORM)]


def _tracker(events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None) -> Tracker:
    latest = next(e for e in reversed(events) if e["event"] == "user")
    started = max(i for i, e in enumerate(events) if e["event"] == "active_loop" and e["name"] == FORM)
    trigger = next(e for e in reversed(events[:started]) if e["event"] == "user")
    return Tracker(sender_id="tester", latest_message=latest["parse_data"], events=events,
                   slots={"checkin_score": 5.0, "checkin_location": "lower_back", "checkin_trend": None,
                          "requested_slot": "checkin_trend", "red_flag": False, **(slots or {})},
                   paused=False, followup_action=None, latest_action_name=FORM,
                   active_loop={"name": FORM, "validate": True, "rejected": False,
                                "trigger_message": trigger["parse_data"]})


def test_the_digressions_are_read_from_the_forms_rejections():
    assert digressed_from(_tracker(STARTED)) == ()  # "lower back" was an answer, not a digression
    assert digressed_from(_tracker(_coming_back(STARTED + PLAN))) == ("trend",)
    assert digressed_from(_tracker(_coming_back(STARTED + PLAN + _asks("checkin_trend") + WALK))) == (
        "trend", "trend")


def test_an_answer_in_between_starts_the_count_again():
    answered = STARTED + PLAN + _asks("checkin_trend") + [_user("my calf now", "report_symptoms")] + _asks(
        "checkin_trend", location="calf")
    assert digressed_from(_tracker(_coming_back(answered + WALK))) == ("trend",)


def test_a_new_check_in_starts_the_count_again():
    # One digression, then a red flag ended the form; later the person checks in again.
    ended = STARTED + PLAN + _asks("checkin_trend") + [
        _user("I can't control my bladder", "report_red_flag"), _rejected(),
        _action("action_escalate_urgent"), _loop(None), _slot("red_flag", True), _action("action_listen")]
    again = ended + [_user("yes", "affirm"), _action(FORM), _loop(FORM), *_asks("checkin_trend")[1:]]
    assert digressed_from(_tracker(_coming_back(again + WALK))) == ("trend",)
    # The next day, in a new session, after a check-in left with one digression.
    next_day = STARTED + PLAN + _asks("checkin_trend") + SESSION_START + [
        _user("let's check in", "start_checkin"), _action(FORM), _loop(FORM),
        *_asks("checkin_score", score=None, location=None)[1:]]
    assert digressed_from(_tracker(_coming_back(next_day + WALK, "checkin_score"))) == ("score",)


def test_a_nudge_arriving_mid_check_in_is_not_the_persons_digression():
    nudge = {**_user("", "EXTERNAL_nudge"), "text": None, "input_channel": None}
    events = STARTED + [nudge, _rejected(), _action("action_nudge"), *_asks("checkin_trend")[:-1]] + [
        _action("action_listen")] + WALK
    assert digressed_from(_tracker(_coming_back(events))) == ("trend",)


def test_a_message_rasa_took_back_is_not_a_digression():
    """"yes" to the trend question: the form turns it down, no rule answers it, Rasa's
    fallback says it did not understand and rewinds it (the question is not asked again).
    That message never happened for Rasa, so it is not a digression either."""
    not_understood = [_user("yes", "affirm"), _rejected(), _action("action_default_fallback"),
                      {"event": "bot", "text": "Sorry, I didn't quite get that."}, {"event": "rewind"},
                      _action("action_listen")]
    assert digressed_from(_tracker(_coming_back(STARTED + not_understood + PLAN))) == ("trend",)


def test_each_digression_is_counted_against_the_question_open_at_the_time():
    score_asked = SESSION_START + [_user("let's check in", "start_checkin"), _action(FORM), _loop(FORM),
                                   *_asks("checkin_score", score=None, location=None)[1:]]
    events = score_asked + PLAN + _asks("checkin_score", score=None, location=None)
    assert digressed_from(_tracker(_coming_back(events + WALK, "checkin_score"))) == ("score", "score")


# ---------------- the form's validation, coming back ----------------
@pytest.fixture
def todays_checkin(store, clock):
    store.save_checkin_day("tester", MONDAY.date(), CheckinRecord(
        at=MONDAY, pain_score=5, location="lower_back", direction="unknown", day=MONDAY.date()), MONDAY)


async def _validate(tracker: Tracker, domain) -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    events = await ValidateCheckinForm().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_back_from_the_first_digression_the_question_is_asked_again(todays_checkin, domain):
    slots = await _validate(_tracker(_coming_back(STARTED + PLAN)), domain)
    assert slots["requested_slot"] == "checkin_trend"
    assert "checkin_skipped" not in slots


async def test_back_from_the_second_digression_the_question_is_skipped_and_the_form_ends(
        todays_checkin, store, domain):
    events = _coming_back(STARTED + PLAN + _asks("checkin_trend") + WALK)
    slots = await _validate(_tracker(events, {"checkin_skipped": ["2026-11-29:score"]}), domain)
    assert slots["requested_slot"] is None
    assert slots["checkin_skipped"] == ["2026-11-30:trend"]  # yesterday's skip is not kept
    assert (slots["checkin_score"], slots["checkin_location"], slots["checkin_trend"]) == (5.0, "lower_back", None)
    (row,) = store.profile("tester").checkins
    assert (row.pain_score, row.location, row.trend) == (5.0, "lower_back", None)  # nothing lost


async def test_a_second_digression_from_the_first_question_ends_the_check_in_there(store, clock, domain):
    """The question let go is skipped for the day; those never asked are left for later today."""
    score_asked = SESSION_START + [_user("let's check in", "start_checkin"), _action(FORM), _loop(FORM),
                                   *_asks("checkin_score", score=None, location=None)[1:]]
    events = _coming_back(score_asked + PLAN + _asks("checkin_score", score=None, location=None) + WALK,
                          "checkin_score")
    slots = await _validate(_tracker(events, {"checkin_score": None, "checkin_location": None,
                                              "requested_slot": "checkin_score"}), domain)
    assert slots["requested_slot"] is None and slots["checkin_skipped"] == ["2026-11-30:score"]
    assert store.profile("tester").checkins == ()
