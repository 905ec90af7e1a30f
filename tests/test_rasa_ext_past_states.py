"""bot.rasa_ext.past_states against Rasa's own `Domain.states_for_tracker_history`.

Random conversations grow turn by turn; each turn's tracker is rebuilt from the same event
objects (as the tracker store hands them out) plus the new ones, and every question is
answered by the resumed replay and by Rasa's full replay: they must be equal, for every
combination of the arguments the policies pass, through undos, restarts, new sessions,
loops and rule-only turns.
"""
from __future__ import annotations

from hypothesis import given, settings, strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActionExecutionRejected, ActionReverted, ActiveLoop,
                                     FollowupAction, LoopInterrupted, Restarted, SessionStarted, SlotSet,
                                     UserUttered, UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.past_states import PastStates

DOMAIN = Domain.from_dict({
    "intents": ["greet", "affirm", "inform", "bye"],
    "entities": ["place"],
    "slots": {
        "feeling": {"type": "categorical", "values": ["good", "bad"], "influence_conversation": True,
                    "mappings": [{"type": "custom"}]},
        "score": {"type": "float", "influence_conversation": True, "mappings": [{"type": "custom"}]},
        "flag": {"type": "bool", "initial_value": False, "influence_conversation": True,
                 "mappings": [{"type": "custom"}]},
        "place": {"type": "text", "influence_conversation": True, "mappings": [{"type": "from_entity", "entity": "place"}]},
        "note": {"type": "text", "influence_conversation": False, "mappings": [{"type": "custom"}]},
    },
    "responses": {"utter_greet": [{"text": "hi"}], "utter_bye": [{"text": "bye"}]},
    "actions": ["action_do", "action_check"],
    "forms": {"some_form": {"required_slots": ["score"]}},
})
RULE_ONLY = {"rule_only_slots": ["flag"], "rule_only_loops": ["some_form"]}
ARGUMENTS = [dict(omit_unset_slots=o, ignore_rule_only_turns=i, rule_only_data=r)
             for o in (False, True) for i in (False, True) for r in (None, RULE_ONLY)]


def rasas(tracker, domain, **arguments):
    """Rasa's own replay from the first event (never patched)."""
    return domain.states_for_tracker_history(tracker, **arguments)


def _event(kind: str, k: int):
    intents = ["greet", "affirm", "inform", "bye"]
    actions = ["utter_greet", "action_do", "action_check", "some_form", "utter_bye"]
    return {
        "listen": lambda: ActionExecuted("action_listen"),
        "user": lambda: UserUttered(f"text {k}", {"name": intents[k % 4], "confidence": 1.0},
                                    [{"entity": "place", "value": "calf"}] if k % 3 == 0 else []),
        "action": lambda: ActionExecuted(actions[k % 5]),
        "rule_action": lambda: ActionExecuted(actions[k % 5], hide_rule_turn=True),
        "slot": lambda: [SlotSet("feeling", ["good", "bad", None][k % 3]), SlotSet("score", float(k % 4)),
                         SlotSet("flag", bool(k % 2)), SlotSet("place", "calf" if k % 2 else None),
                         SlotSet("note", "x")][k % 5],
        "loop_on": lambda: ActiveLoop("some_form"),
        "loop_off": lambda: ActiveLoop(None),
        "rejected": lambda: ActionExecutionRejected("some_form"),
        "interrupted": lambda: LoopInterrupted(True),
        "followup": lambda: FollowupAction("action_do"),
        "revert_user": lambda: UserUtteranceReverted(),
        "revert_action": lambda: ActionReverted(),
        "restart": lambda: Restarted(),
        "session": lambda: SessionStarted(),
    }[kind]()


KINDS = st.sampled_from(["listen", "user", "action", "action", "rule_action", "slot", "slot", "loop_on",
                         "loop_off", "rejected", "interrupted", "followup", "revert_user", "revert_action",
                         "restart", "session"])
TURN = st.lists(st.tuples(KINDS, st.integers(0, 11)), min_size=1, max_size=7)


@settings(max_examples=250, deadline=None)
@given(st.lists(TURN, min_size=1, max_size=7))
def test_resumed_states_are_rasas_through_every_kind_of_event(turns):
    resumed = PastStates()
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for turn in turns:
        new = [_event(kind, k) for kind, k in turn]
        tracker = DialogueStateTracker.from_events("someone", events, DOMAIN.slots)  # next turn, same objects
        for i, event in enumerate(new):
            if i in (0, len(new) - 1):
                for arguments in ARGUMENTS:
                    assert resumed(tracker, DOMAIN, **arguments) == rasas(tracker, DOMAIN, **arguments), arguments
            tracker.update(event)
        events += new
    tracker = DialogueStateTracker.from_events("someone", events, DOMAIN.slots)
    for arguments in ARGUMENTS:
        assert resumed(tracker, DOMAIN, **arguments) == rasas(tracker, DOMAIN, **arguments), arguments


def _turn(k: int):
    return [UserUttered(f"text {k}", {"name": "inform", "confidence": 1.0}), ActionExecuted("action_do"),
            SlotSet("score", float(k)), ActionExecuted("action_listen")]


def test_each_event_is_replayed_once_while_the_conversation_only_grows():
    resumed = PastStates()
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for k in range(10):
        events += _turn(k)
        tracker = DialogueStateTracker.from_events("someone", events, DOMAIN.slots)
        assert resumed(tracker, DOMAIN) == rasas(tracker, DOMAIN)
    assert resumed.replayed == 1 + 4 * 10  # the applied events (those after SessionStarted), each once


def test_an_undo_another_person_or_another_domain_replays_from_the_start():
    resumed = PastStates()
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")] + _turn(1)
    tracker = DialogueStateTracker.from_events("someone", events, DOMAIN.slots)
    resumed(tracker, DOMAIN)
    before = resumed.replayed
    tracker.update(UserUtteranceReverted())  # the last message taken back: not a continuation
    assert resumed(tracker, DOMAIN) == rasas(tracker, DOMAIN)
    assert resumed.replayed - before == len(tracker.applied_events())
    other = DialogueStateTracker.from_events("someone else", events, DOMAIN.slots)
    before = resumed.replayed
    assert resumed(other, DOMAIN) == rasas(other, DOMAIN) and resumed.replayed - before == len(other.applied_events())
    same = Domain.from_dict(DOMAIN.as_dict())  # equal, but another object (a reloaded model)
    before = resumed.replayed
    assert resumed(other, same) == rasas(other, same) and resumed.replayed - before == len(other.applied_events())


def test_what_a_caller_does_to_the_answer_does_not_change_the_next_one():
    resumed = PastStates()
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")] + _turn(2)
    tracker = DialogueStateTracker.from_events("someone", events, DOMAIN.slots)
    first = resumed(tracker, DOMAIN, ignore_rule_only_turns=True, rule_only_data=RULE_ONLY)
    for state in first:  # what Rasa's featurizer does to the states it is given, and worse
        for part in state.values():
            part.clear()
    first.clear()
    tracker.update(ActionExecuted("utter_greet"))
    again = resumed(tracker, DOMAIN, ignore_rule_only_turns=True, rule_only_data=RULE_ONLY)
    assert again == rasas(tracker, DOMAIN, ignore_rule_only_turns=True, rule_only_data=RULE_ONLY)


def test_bounded_by_conversations():
    resumed = PastStates(max_conversations=3)
    for n in range(5):
        tracker = DialogueStateTracker.from_events(f"p{n}", [ActionExecuted("action_listen")] + _turn(n), DOMAIN.slots)
        resumed(tracker, DOMAIN)
    assert len(resumed._kept) == 3
