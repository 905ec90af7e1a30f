"""The action server's answer checked against Rasa's schema once compiled, not per call.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate(result,
schema)`. With jsonschema 4.17 that function first checks the *schema itself* against
the JSON Schema metaschema on every call, and Rasa's events schema is large: about
50 ms of CPU per custom action, on the one event loop that serves every person
(`make profile` found it as a third of a turn). Here the schema is checked and compiled
into a validator once, and each answer is validated against it: the same schema, the
same `ValidationError` with Rasa's hint appended, so an invalid answer fails exactly as
before.

Valid answers take a shorter road to the same verdict. The schema says each event must
match exactly one of 23 alternatives (`oneOf`), and jsonschema tries every alternative for
every event. Each alternative fixes the event's name (`"event": {"const": ...}`), all
different, so an event can only ever match the one named like it: checking the schema
without the alternatives, then each event against its own alternative, accepts exactly
what the whole schema accepts (tests/test_action_validation.py compares both on valid and
broken answers). Whatever that road rejects goes through the whole schema, so an invalid
answer gets the very error it got before.

Installed on import; Rasa imports it through bot.rasa_ext.stores (endpoints.yml).
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Text

_INSTALLED = "_coach_compiled_schema"
_QUICK = "_coach_quick_check"


def _validator(action: Any):
    """One compiled validator per RemoteAction class (the schema is a class-level constant)."""
    cls = type(action)
    validator = cls.__dict__.get(_INSTALLED)
    if validator is None:
        from jsonschema.validators import validator_for

        schema = action.action_response_format_spec()
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)  # once, as jsonschema.validate would every time
        validator = validator_class(schema)
        setattr(cls, _INSTALLED, validator)
    return validator


class QuickCheck:
    """The schema's verdict on an answer, one alternative per event (see the module doc)."""

    def __init__(self, schema: Dict[Text, Any], validator_class: Any) -> None:
        outer = copy.deepcopy(schema)
        items = outer["properties"]["events"]["items"]
        alternatives = items.pop("oneOf")
        self.by_event = {alt["properties"]["event"]["const"]: validator_class(alt) for alt in alternatives}
        if len(self.by_event) != len(alternatives):
            raise ValueError("two of the schema's event alternatives share a name")
        self.outer = validator_class(outer)

    def is_valid(self, result: Any) -> bool:
        if not self.outer.is_valid(result):
            return False
        for event in result.get("events") or ():
            alternative = self.by_event.get(event.get("event"))
            if alternative is None or not alternative.is_valid(event):
                return False
        return True


def _quick_check(action: Any) -> QuickCheck:
    cls = type(action)
    check = cls.__dict__.get(_QUICK)
    if check is None:
        validator = _validator(action)
        check = QuickCheck(action.action_response_format_spec(), type(validator))
        setattr(cls, _QUICK, check)
    return check


def _validate_action_result(self, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError, exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    if _quick_check(self).is_valid(result):
        return True
    error = exceptions.best_match(_validator(self).iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, make sure your response "
        "from the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result


install()
