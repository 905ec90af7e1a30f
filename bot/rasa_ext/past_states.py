"""A conversation's past dialogue states, continued from the last turn instead of replayed.

Every policy prediction turns the session into dialogue states:
`Domain.states_for_tracker_history` replays every applied event into a fresh tracker and
takes a state before each action (`DialogueStateTracker.generate_all_prior_trackers`).
A turn asks about twice (after the message, after each action), each time from the first
event, so the work grew with the square of the session's length (bench/profile_turns.py:
about 1.6 ms a turn late in a 13-message conversation).

The states before an action depend only on the applied events before it. So the replay
is kept per conversation (sender, domain and arguments): its tracker after the last event,
the states taken before each action, and the two variables of Rasa's loop. When the new
tracker's applied events begin with exactly the kept ones (the same Event objects: the
tracker store hands out the same objects turn after turn, bot.rasa_ext.session_events),
only the new events are replayed; otherwise (an undo, a restart, a new session, another
process's tracker) everything is replayed, as Rasa does. The loop below is Rasa 3.6.21's
`states_for_tracker_history`, split where the replay can stop and resume;
tests/test_rasa_ext_past_states.py compares it with Rasa's own on random conversations.

Bounded: the conversations most recently asked about (MAX_CONVERSATIONS).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.events import ActionExecuted

MAX_CONVERSATIONS = 128  # more than the people writing at the same moment; a dropped one replays whole once


@dataclass
class _Replay:
    domain: Any
    applied: List[Any]            # the applied events replayed so far (Event objects)
    tracker: Any                  # the replay's tracker after them
    states: List[Dict[str, Any]]  # the states taken before each action among them
    last_ml_action: Optional[Dict[str, Any]]
    turn_was_hidden: bool


class PastStates:
    """`states_for_tracker_history(tracker, ...)`, resumed where the last call stopped."""

    def __init__(self, max_conversations: int = MAX_CONVERSATIONS) -> None:
        self.max_conversations = max_conversations
        self._kept: "OrderedDict[tuple, _Replay]" = OrderedDict()
        self._lock = threading.Lock()
        self.replayed = 0  # events replayed, for tests and benchmarks

    def __call__(self, tracker, domain, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                 rule_only_data: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        key = (tracker.sender_id, id(domain), tracker.is_rule_tracker, tracker._max_event_history,
               tuple(tracker.slots), omit_unset_slots, ignore_rule_only_turns, frozen(rule_only_data))
        applied = tracker.applied_events()
        with self._lock:
            replay = self._kept.pop(key, None)
        if replay is None or replay.domain is not domain or not _starts_with(applied, replay.applied):
            replay = _Replay(domain, [], tracker.init_copy(), [], None, False)
        states = self._continue(replay, applied, domain, omit_unset_slots, ignore_rule_only_turns,
                                rule_only_data)
        with self._lock:
            self._kept[key] = replay
            while len(self._kept) > self.max_conversations:
                self._kept.popitem(last=False)
        return states

    def _continue(self, replay: _Replay, applied: List[Any], domain, omit_unset_slots: bool,
                  ignore_rule_only_turns: bool, rule_only_data) -> List[Dict[str, Any]]:
        tr = replay.tracker
        for event in applied[len(replay.applied):]:
            if isinstance(event, ActionExecuted):
                self._take(replay, domain, event.hide_rule_turn, omit_unset_slots, ignore_rule_only_turns,
                           rule_only_data)
            tr.update(event)
            replay.applied.append(event)
            self.replayed += 1
        # The last state (after every event) is taken on a copy of the loop's variables: the
        # next call continues from before it.
        final = _Replay(domain, replay.applied, tr, list(replay.states), replay.last_ml_action,
                        replay.turn_was_hidden)
        self._take(final, domain, False, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        # Two levels deep, so that what a caller does to the answer (Rasa's featurizer edits
        # the last state's parts in place) cannot reach the states kept for the next call.
        return [{part: dict(values) for part, values in state.items()} for state in final.states]

    @staticmethod
    def _take(replay: _Replay, domain, hide_rule_turn: bool, omit_unset_slots: bool,
              ignore_rule_only_turns: bool, rule_only_data) -> None:
        """One pass of Rasa's loop body, for the replay's tracker as it is now."""
        tr = replay.tracker
        if ignore_rule_only_turns:
            if not replay.turn_was_hidden:
                replay.last_ml_action = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
                replay.turn_was_hidden = hide_rule_turn
            if replay.turn_was_hidden:
                return
        state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if replay.states:
                domain._substitute_rule_only_user_input(state, replay.states[-1])
            if replay.last_ml_action:
                state[PREVIOUS_ACTION] = replay.last_ml_action
        replay.states.append(domain._clean_state(state))


def _starts_with(events: List[Any], prefix: List[Any]) -> bool:
    return len(events) >= len(prefix) and all(a is b for a, b in zip(events, prefix))


def frozen(value: Any) -> Any:
    """A hashable copy of a dialogue state or the policies' rule-only data (dicts, lists,
    tuples, sets of strings and numbers) that equals another's exactly when the two are
    equal with their types: a list and a tuple differ (Rasa's rule matching tells them
    apart), as do a dict and a tuple of pairs."""
    if isinstance(value, dict):
        return ("\0dict",) + tuple(sorted((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("\0set", frozenset(frozen(v) for v in value))
    if isinstance(value, (list, tuple)):
        return ("\0" + type(value).__name__,) + tuple(frozen(v) for v in value)
    return value

