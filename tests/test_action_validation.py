"""bot.rasa_ext.action_validation: Rasa's check of the action server's answer, compiled once.

The answers below are what rasa_sdk sends (events and responses) and malformed ones; each
must pass or fail exactly as jsonschema.validate with Rasa's schema decides, with the
same message plus Rasa's hint.
"""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext import action_validation

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "timestamp": None, "name": "pain_score", "value": 6.0}],
     "responses": [{"text": "Thanks, noted.", "buttons": [], "elements": [], "custom": {},
                    "template": None, "response": None, "image": None, "attachment": None}]},
    {"events": [{"event": "active_loop", "name": None, "timestamp": None},
                {"event": "followup", "name": "action_listen", "timestamp": None}]},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": 7}]},
    {"events": [{"no_event_key": True}]},
    {"responses": "hello"},
]


@pytest.fixture()
def action() -> RemoteAction:
    assert RemoteAction._validate_action_result is action_validation._validate_action_result
    return RemoteAction("action_record_checkin", EndpointConfig("http://127.0.0.1:9/webhook"))


@pytest.mark.parametrize("answer", VALID)
def test_a_valid_answer_passes_as_with_jsonschema(action, answer):
    jsonschema.validate(answer, RemoteAction.action_response_format_spec())  # Rasa's own check
    assert action._validate_action_result(answer) is True


@pytest.mark.parametrize("answer", INVALID)
def test_an_invalid_answer_fails_with_the_same_error_and_rasas_hint(action, answer):
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(answer)
    assert ours.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in ours.value.message
    assert list(ours.value.path) == list(expected.value.path)


def test_the_schema_is_checked_and_compiled_once(action, monkeypatch):
    first = action_validation._validator(action)
    calls = []
    monkeypatch.setattr(type(first), "check_schema", classmethod(lambda cls, s: calls.append(s)))
    for answer in VALID * 3:
        action._validate_action_result(answer)
    other = RemoteAction("action_today_plan", EndpointConfig("http://127.0.0.1:9/webhook"))
    assert action_validation._validator(other) is first
    assert calls == []


# ------------------------------------------------------------- the shorter road
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from rasa_sdk import events as sdk_events  # noqa: E402

_SCHEMA = RemoteAction.action_response_format_spec()
_FULL = jsonschema.validators.validator_for(_SCHEMA)(_SCHEMA)
_NAMES = [alt["properties"]["event"]["const"] for alt in _SCHEMA["properties"]["events"]["items"]["oneOf"]]
_KEYS = sorted({key for alt in _SCHEMA["properties"]["events"]["items"]["oneOf"] for key in alt["properties"]}
               | {"timestamp", "metadata"})
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=32),
                     st.text(max_size=4), st.sampled_from(_NAMES))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.sampled_from(_KEYS + ["x"]), inner,
                                                                         max_size=3)), max_leaves=6)
_CATALOGUE = [dict(e) for e in (
    sdk_events.SlotSet("pain_score", 4), sdk_events.FollowupAction("action_listen"),
    sdk_events.ActiveLoop("checkin_form"), sdk_events.AllSlotsReset(), sdk_events.Restarted(),
    sdk_events.SessionStarted(), sdk_events.ActionExecuted("action_listen"), sdk_events.BotUttered("hi"),
    sdk_events.UserUttered("yes", {"intent": {"name": "affirm", "confidence": 1.0}, "entities": []}),
    sdk_events.ReminderCancelled("nudge"), sdk_events.ConversationPaused(), sdk_events.LoopInterrupted(True),
    sdk_events.ActionExecutionRejected("validate_checkin_form"), sdk_events.UserUtteranceReverted())]
_known, _mutated = st.sampled_from(_CATALOGUE), st.builds(
    lambda e, k, v: {**e, k: v}, st.sampled_from(_CATALOGUE), st.sampled_from(_KEYS), _values)
_events = st.one_of(  # mostly well-formed events, some with one field changed, a few odd ones
    _known, _known, _known, _known, _known, _known, _mutated, _mutated, _mutated,
    st.dictionaries(st.sampled_from(_KEYS), _values, max_size=5),
    st.builds(lambda name, extra: {"event": name, **extra}, st.sampled_from(_NAMES + ["nonsense"]),
              st.dictionaries(st.sampled_from(_KEYS), _values, max_size=4)),
    _scalars)
_answers = st.one_of(
    st.fixed_dictionaries({}, optional={"events": st.one_of(st.lists(_events, max_size=4),
                                                           st.lists(_known, max_size=4), _scalars),
                                        "responses": st.one_of(
                                            st.lists(st.fixed_dictionaries({"text": st.text(max_size=3)}), max_size=2),
                                            st.lists(_values, max_size=2), _scalars)}),
    _scalars)


@settings(max_examples=800, deadline=None)
@given(_answers)
def test_the_shorter_road_gives_the_whole_schemas_verdict(answer):
    check = action_validation.QuickCheck(_SCHEMA, type(_FULL))
    assert check.is_valid(answer) == _FULL.is_valid(answer)


def test_every_event_rasa_sdk_can_send_passes_both_ways(action):
    answer = {"events": [
        sdk_events.SlotSet("pain_score", 4), sdk_events.FollowupAction("action_listen"),
        sdk_events.ActiveLoop("checkin_form"), sdk_events.ActiveLoop(None), sdk_events.AllSlotsReset(),
        sdk_events.Restarted(), sdk_events.SessionStarted(), sdk_events.ActionExecuted("action_listen"),
        sdk_events.BotUttered("hi", {"buttons": []}), sdk_events.UserUttered("yes", {"intent": {"name": "affirm"}}),
        sdk_events.ReminderScheduled("EXTERNAL_nudge", trigger_date_time=__import__("datetime").datetime(2026, 12, 1)),
        sdk_events.ReminderCancelled("nudge"), sdk_events.ConversationPaused(), sdk_events.ConversationResumed(),
        sdk_events.UserUtteranceReverted(), sdk_events.ActionReverted(), sdk_events.LoopInterrupted(True),
        sdk_events.ActionExecutionRejected("validate_checkin_form"),
        sdk_events.SlotSet("pending_question", None)], "responses": [{"text": "ok"}]}
    answer["events"] = [dict(e) for e in answer["events"]]
    assert _FULL.is_valid(answer)
    check = action_validation._quick_check(action)
    assert check.is_valid(answer) and action._validate_action_result(answer) is True
    broken = {"events": answer["events"] + [{"event": "slot", "name": 3}]}
    assert not check.is_valid(broken) and not _FULL.is_valid(broken)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(_known, _mutated), max_size=3))
def test_the_shorter_road_agrees_on_well_formed_events_with_one_field_changed(events):
    check = action_validation.QuickCheck(_SCHEMA, type(_FULL))
    answer = {"events": events, "responses": []}
    assert check.is_valid(answer) == _FULL.is_valid(answer)
