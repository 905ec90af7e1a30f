"""The action server's answer checked against Rasa's schema once compiled, not per call.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate(result,
schema)`. With jsonschema 4.17 that function first checks the *schema itself* against
the JSON Schema metaschema on every call, and Rasa's events schema is large: about
50 ms of CPU per custom action, on the one event loop that serves every person
(`make profile` found it as a third of a turn). Here the schema is checked and compiled
into a validator once, and each answer is validated against it: the same schema, the
same `ValidationError` with Rasa's hint appended, so an invalid answer fails exactly as
before.

Installed on import; Rasa imports it through bot.rasa_ext.stores (endpoints.yml).
"""
from __future__ import annotations

from typing import Any, Dict, Text

_INSTALLED = "_coach_compiled_schema"


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


def _validate_action_result(self, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError, exceptions
    from rasa.shared.constants import DOCS_BASE_URL

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
