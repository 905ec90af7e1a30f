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



def _domain_and_tracker():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.settings import PROJECT_ROOT

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("someone", [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet", "confidence": 1.0}), ActionExecuted("utter_greet"),
        SlotSet("returning_person", True), ActionExecuted("action_listen"),
        UserUttered("how am I doing", {"name": "ask_progress", "confidence": 1.0})], domain.slots)
    return domain, tracker


def test_past_states_are_rasas_and_a_caller_editing_them_does_not_change_the_next_answer():
    from rasa.shared.core.trackers import DialogueStateTracker

    memo = DialogueStateTracker.__dict__["past_states"]
    assert isinstance(memo, hot_path.PastStatesMemo)
    rasas = memo.__wrapped__
    domain, tracker = _domain_and_tracker()
    only = {"rule_only_slots": ["nudge_offer"], "rule_only_loops": []}
    for kwargs in ({}, {"ignore_rule_only_turns": True, "rule_only_data": only}, {"rule_only_data": only}):
        first = tracker.past_states(domain, **kwargs)
        assert first == rasas(tracker, domain, **kwargs)
        del first[-1]["user"]["intent"]  # what Rasa's featurizer does to the last state
        first.append({"extra": {}})
        assert tracker.past_states(domain, **kwargs) == rasas(tracker, domain, **kwargs)


def test_a_changed_tracker_or_other_arguments_are_computed_afresh():
    from rasa.shared.core.trackers import DialogueStateTracker

    rasas = DialogueStateTracker.__dict__["past_states"].__wrapped__
    domain, tracker = _domain_and_tracker()
    before = tracker.past_states(domain)
    tracker.update(ActionExecuted("action_progress"))
    after = tracker.past_states(domain)
    assert len(after) == len(before) + 1 and after == rasas(tracker, domain)
    assert tracker.past_states(domain, ignore_rule_only_turns=True) == rasas(tracker, domain, ignore_rule_only_turns=True)
    other = tracker.copy()  # the same events, another tracker: its own answer
    assert other.past_states(domain) == after


def test_the_empty_domain_check_is_rasas():
    from rasa.shared.core.domain import Domain

    domain, _ = _domain_and_tracker()
    rasas = Domain.is_empty.__wrapped__
    for d in (domain, Domain.empty(), Domain.from_dict({"intents": ["greet"]})):
        assert d.is_empty() == rasas(d)
    assert Domain.empty().is_empty() and not domain.is_empty()


def _rule_lookup():
    """The trained RulePolicy's lookup tables (models/coach.tar.gz, made by `make train`)."""
    import json
    import tarfile

    from bot.settings import PROJECT_ROOT

    with tarfile.open(PROJECT_ROOT / "models" / "coach.tar.gz") as model:
        name = next(m for m in model.getnames() if m.endswith("RulePolicy0/rule_policy.json"))
        return json.loads(model.extractfile(name).read())["lookup"]


def _states_pool(lookup):
    """Every state of every rule, as conversation states (tuples, as Rasa's featurizer makes)."""
    import json

    def as_conversation(state):
        return {part: {k: tuple(v) if isinstance(v, list) else v for k, v in sub.items()}
                for part, sub in state.items()}

    pool = []
    for table in ("rules", "rules_for_loop_unhappy_path"):
        for key in lookup[table]:
            pool.extend(as_conversation(s) for s in json.loads(key))
    return pool


def test_rules_that_fit_are_rasas_for_real_rule_states_and_changed_ones():
    from hypothesis import given, settings, strategies as st
    from rasa.core.policies.rule_policy import RulePolicy

    memo = RulePolicy.__dict__["_get_possible_keys"]
    assert isinstance(memo, hot_path.RuleKeysMemo)
    lookup = _rule_lookup()
    pool = _states_pool(lookup)
    tables = [lookup["rules"], lookup["rules_for_loop_unhappy_path"]]
    policy = RulePolicy.__new__(RulePolicy)  # the matching reads nothing of the instance

    def changed(state, drop, other):
        state = {part: dict(sub) for part, sub in state.items() if part != drop}
        for part, sub in other.items():  # another state's features mixed in
            state.setdefault(part, {}).update(sub)
        return state

    state = st.builds(changed, st.sampled_from(pool), st.sampled_from(["user", "prev_action", "slots",
                                                                      "active_loop", "none"]),
                      st.one_of(st.just({}), st.sampled_from(pool)))

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.lists(state, min_size=1, max_size=6), st.integers(0, 1))
    def same_as_rasa(states, table):
        rasas = memo.__wrapped__(policy, tables[table], states)
        assert policy._get_possible_keys(tables[table], states) == rasas
        assert policy._get_possible_keys(tables[table], states) == rasas  # from what was kept

    same_as_rasa()
    fitting = [policy._get_possible_keys(lookup["rules"], [s]) for s in pool[:50]]
    assert any(fitting) and not all(len(f) == len(lookup["rules"]) for f in fitting)


def test_rules_kept_for_a_table_are_not_used_for_a_changed_table():
    from rasa.core.policies.rule_policy import RulePolicy

    lookup = _rule_lookup()
    table = dict(lookup["rules"])
    policy = RulePolicy.__new__(RulePolicy)
    state = _states_pool(lookup)[-1]
    before = policy._get_possible_keys(table, [state])
    assert before  # the rule's own last state fits it
    for key in before:
        del table[key]
    assert policy._get_possible_keys(table, [state]) == set()
    table["[]"] = "action_listen"  # a rule with no states fits everything
    assert policy._get_possible_keys(table, [state]) == {"[]"}


def test_a_list_and_a_tuple_are_different_states():
    from bot.rasa_ext.past_states import frozen

    assert frozen({"user": {"entities": ("a",)}}) != frozen({"user": {"entities": ["a"]}})
    assert frozen({"a": {"x": 1}, "b": {}}) == frozen({"b": {}, "a": {"x": 1}})


def test_a_slot_is_copied_as_copy_copy_would_copy_it_without_the_shortcut():
    import copy

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.slots import Slot

    from bot.settings import PROJECT_ROOT

    assert Slot.__dict__["__copy__"] is hot_path._slot_copy
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    assert {type(s).__name__ for s in domain.slots} >= {"FloatSlot", "BooleanSlot", "TextSlot", "ListSlot",
                                                          "CategoricalSlot", "AnySlot"}
    for slot in domain.slots:
        for cls in type(slot).__mro__[:-1]:  # nothing of a slot class copies itself in its own way
            assert not {"__reduce__", "__reduce_ex__", "__getstate__", "__setstate__"} & set(vars(cls))
            assert not vars(cls).get("__slots__")  # abc.ABC's is empty
        slot.value = ["a"] if type(slot).__name__ == "ListSlot" else slot.value
        rasas = copy._reconstruct(slot, None, *slot.__reduce_ex__(4))  # what copy.copy did
        ours = copy.copy(slot)
        assert type(ours) is type(rasas) and ours is not slot and vars(ours) == vars(rasas)
        assert all(vars(ours)[k] is v for k, v in vars(slot).items())  # shallow, as before
