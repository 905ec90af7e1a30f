"""endpoints.yml: Rasa sends the domain only to the actions that read it."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import rasa_sdk
from rasa.core.actions.action import RemoteAction
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.forms import ValidationAction

import actions
from bot.settings import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _call(name: str, endpoints_file: str) -> dict:
    endpoint = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / endpoints_file)).action
    tracker = DialogueStateTracker.from_events("someone", [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")], DOMAIN.slots)
    return RemoteAction(name, endpoint)._action_call_format(tracker, DOMAIN)


def _sdk_actions():
    for info in pkgutil.iter_modules(actions.__path__):
        module = importlib.import_module(f"actions.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, rasa_sdk.Action) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                try:
                    yield cls, cls().name()
                except Exception:  # noqa: BLE001 - a base class without a name of its own
                    continue


def test_only_validation_actions_get_the_domain(monkeypatch):
    monkeypatch.setenv("ACTION_PORT", "5055")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("REDIS_URL", "")
    for endpoints_file in ("endpoints.yml", "deploy/compose/endpoints.yml"):
        assert "validate_checkin_form" in DOMAIN.user_actions
        for name in DOMAIN.user_actions:
            call = _call(name, endpoints_file)
            assert ("domain" in call) == name.startswith("validate_"), name
            assert call["tracker"]["sender_id"] == "someone" and call["next_action"] == name


def test_every_action_that_reads_the_domain_is_sent_it():
    """rasa_sdk's validation actions read the form's slots from the domain: each must be a
    validate_* action (or say send_domain in domain.yml), or it would get an empty one."""
    found = list(_sdk_actions())
    assert len(found) > 10
    for cls, name in found:
        if issubclass(cls, ValidationAction):
            assert DOMAIN.does_custom_action_explicitly_need_domain(name), name
