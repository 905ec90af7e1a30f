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
