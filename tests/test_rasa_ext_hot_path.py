"""bot.rasa_ext.hot_path keeps Rasa's behaviour while skipping its repeated work."""
from __future__ import annotations

import ast
import inspect
import logging

import pytest
import rasa.core.processor as processor
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered, deserialise_events

from bot.rasa_ext import hot_path


def test_event_classes_are_the_ones_rasas_lookup_finds():
    original = Event.resolve_by_type.__wrapped__
    for name in ("user", "bot", "action", "slot", "session_started", "active_loop", "followup",
                 "reset_slots", "user_featurization", "loop_interrupted", "action_execution_rejected"):
        assert Event.resolve_by_type(name) is original(name)
        assert Event.resolve_by_type(name) is original(name)  # remembered: the same answer
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards-compatibility rule
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    events = [UserUttered("hi", {"name": "greet"}), ActionExecuted("action_listen"), SlotSet("x", 1)]
    assert deserialise_events([e.as_dict() for e in events]) == events


def test_processor_copies_only_for_debug_lines_and_only_when_they_print():
    assert isinstance(processor.copy, hot_path.DebugOnlyCopy)
    logger = logging.getLogger("rasa.core.processor")
    value = {"events": [{"event": "slot", "value": [1, 2]}]}
    old = logger.level
    try:
        logger.setLevel(logging.INFO)
        assert processor.copy.deepcopy(value) is value
        logger.setLevel(logging.DEBUG)
        copied = processor.copy.deepcopy(value)
        assert copied == value and copied is not value and copied["events"] is not value["events"]
    finally:
        logger.setLevel(old)
    assert processor.copy.copy is __import__("copy").copy


def test_every_copy_in_rasas_processor_is_an_argument_of_a_debug_log_line():
    """If a Rasa upgrade deep-copies for real work there, this fails before a turn does."""
    tree = ast.parse(inspect.getsource(processor))
    inside_debug = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "debug":
            inside_debug.update(id(n) for n in ast.walk(node))
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name) and n.value.id == "copy"]
    assert uses, "rasa.core.processor no longer uses copy: hot_path's shim can go"
    assert all(id(n) in inside_debug for n in uses)

