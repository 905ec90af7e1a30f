"""Work Rasa 3.6 repeats on every turn for nobody's benefit, done once or not at all.

Found with bench/profile_load.py (py-spy on the Rasa server under 20 users; README,
"Speed and memory"). Each change keeps Rasa's behaviour; tests/test_rasa_ext_hot_path.py
checks each against Rasa's own code.

- Event classes by name. Reading a tracker turns every stored event back into an object,
  and `Event.resolve_by_type` walked the whole Event class tree for each one (6% of the
  server's busy time). The class found for a name is remembered; a name not found still
  goes to Rasa's lookup (so its "topic" and default rules and its errors are unchanged).
- Deep copies for debug lines. `rasa.core.processor` deep-copies the parse, the slots and
  the events only to pass them to `structlogger.debug(...)`, which drops them unless debug
  logging is on (8% of busy time). Its `copy` module is replaced by one whose `deepcopy`
  copies when that logger would print debug lines and otherwise hands the object over. A
  test fails if a Rasa upgrade uses `copy` in that module for anything but debug lines.
- The graph runner. The server's MessageProcessor loads the model with
  bot.rasa_ext.graph_runner.SequentialGraphRunner instead of Rasa's DaskGraphRunner: the
  same nodes in an order that respects their needs, without dask's per-run bookkeeping
  (see that module).
- HTTP sessions. Rasa opened a new client session and connection for every custom
  action; bot.rasa_ext.endpoint_sessions keeps one per endpoint, kept alive.
- Past states, once per prediction. Each policy prediction turns the whole session into
  dialogue states (`DialogueStateTracker.past_states`, replaying every event), and the
  RulePolicy asks twice with the same arguments (with the Memoization policy that was
  11% of busy time). The last answer is kept with the tracker, its number of events and
  its last event; an identical question about the unchanged tracker gets a copy of it
  (two levels deep: Rasa's featurizer edits the last state's user part in place). A new
  question continues the conversation's last replay from where it stopped instead of
  replaying the session from its first event (bot.rasa_ext.past_states).
- Rules that fit the latest state, once per distinct state. The RulePolicy finds the rules
  that fit a conversation by checking every rule (127 here) against its latest state,
  then the survivors against the states before it; it does so about four times a turn
  (use text, use intent; each prediction of the turn), for a few states that recur in
  every conversation. The rules that fit a latest state are kept per policy and lookup
  table (bounded, least recently used first; a table whose rules changed starts over);
  the earlier states are checked as Rasa does.
- Slots copied directly. Every new tracker (each turn's, each action's copy, each
  replay) copies all the domain's slots with `copy.copy`, which goes through the generic
  `__reduce_ex__` path (28 us for the coach's 14 slots; 2.5% of busy time). Slots get a
  `__copy__` that does what that path does for them (a new object of the same class with
  the same attribute dictionary, shallow) in a quarter of the time.
- An empty domain, built once. Every parse checked `domain.is_empty()` by building a new
  empty Domain to compare with (1.3% of busy time); its dictionary is built once.

Installed on import; Rasa imports it through bot.rasa_ext.stores (endpoints.yml).
"""
from __future__ import annotations

import copy
import logging
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Set, Type

from bot.rasa_ext.past_states import PastStates, frozen

_PROCESSOR_LOGGER = "rasa.core.processor"


def _remembering(lookup):
    found: Dict[str, type] = {}

    def resolve_by_type(type_name: str, default: Optional[Type] = None):
        cls = found.get(type_name)
        if cls is None:
            cls = lookup(type_name, default)
            if cls is not None and cls is not default:
                found[type_name] = cls
        return cls

    resolve_by_type.__wrapped__ = lookup  # type: ignore[attr-defined]
    return resolve_by_type


class DebugOnlyCopy:
    """Stands in for the `copy` module inside rasa.core.processor (see the module doc)."""

    def __init__(self, logger_name: str = _PROCESSOR_LOGGER) -> None:
        self._logger = logging.getLogger(logger_name)

    def deepcopy(self, obj: Any, memo: Optional[dict] = None) -> Any:
        if self._logger.isEnabledFor(logging.DEBUG):
            return copy.deepcopy(obj, memo)
        return obj

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


class PastStatesMemo:
    """`DialogueStateTracker.past_states` answering a repeated question from memory, and
    computing a new one by continuing the conversation's last replay (bot.rasa_ext.past_states)."""

    def __init__(self, compute) -> None:
        self.__wrapped__ = compute
        self.resumed = PastStates()
        self._last: Optional[tuple] = None  # (tracker, n events, last event, domain, args, states)

    def __get__(self, tracker, owner=None):
        if tracker is None:
            return self
        return lambda *args, **kwargs: self(tracker, *args, **kwargs)

    def __call__(self, tracker, domain, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                 rule_only_data: Optional[Dict[str, Any]] = None):
        events = tracker.events
        n = len(events)
        last_event = events[-1] if n else None
        args = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        hit = self._last
        if not (hit is not None and hit[0] is tracker and hit[1] == n and hit[2] is last_event
                and hit[3] is domain and hit[4] == args):
            states = self.resumed(tracker, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            self._last = hit = (tracker, n, last_event, domain, copy.deepcopy(args), states)
        return [{part: dict(values) for part, values in state.items()} for state in hit[5]]


class RuleKeysMemo:
    """`RulePolicy._get_possible_keys` with its first filter (the latest state) kept."""

    def __init__(self, compute, maxsize: int = 1024) -> None:
        self.__wrapped__ = compute
        self.maxsize = maxsize

    def __get__(self, policy, owner=None):
        if policy is None:
            return self
        return lambda lookup, states: self(policy, lookup, states)

    def _table(self, policy, lookup: Dict[str, Any]) -> "OrderedDict":
        tables = policy.__dict__.setdefault("_coach_rule_keys", {})
        rules = frozenset(lookup)
        entry = tables.get(id(lookup))
        if entry is None or entry[0] is not lookup or entry[1] != rules:
            entry = tables[id(lookup)] = (lookup, rules, OrderedDict())
        return entry[2]

    def __call__(self, policy, lookup: Dict[str, Any], states: List[Dict[str, Any]]) -> Set[str]:
        if not states:
            return self.__wrapped__(policy, lookup, states)
        kept = self._table(policy, lookup)
        latest = frozen(states[-1])
        fitting = kept.get(latest)
        if fitting is None:
            fitting = frozenset(k for k in lookup if policy._is_rule_applicable(k, 0, states[-1]))
            kept[latest] = fitting
            if len(kept) > self.maxsize:
                kept.popitem(last=False)
        else:
            kept.move_to_end(latest)
        possible = set(fitting)
        for i, state in enumerate(reversed(states[:-1]), start=1):
            if not possible:
                break
            possible = {k for k in possible if policy._is_rule_applicable(k, i, state)}
        return possible


def _slot_copy(self):
    """What `copy.copy` makes of a Slot (a plain object: no __slots__, no custom reduce)."""
    new = object.__new__(type(self))
    new.__dict__.update(self.__dict__)
    return new


def _empty_domain_check():
    from rasa.shared.core.domain import Domain

    empty = Domain.empty().as_dict()

    def is_empty(self) -> bool:
        return self.as_dict() == empty

    is_empty.__wrapped__ = Domain.is_empty  # type: ignore[attr-defined]
    return is_empty


def install() -> None:
    import rasa.core.processor as processor
    from rasa.shared.core.events import Event

    if not hasattr(Event.resolve_by_type, "__wrapped__"):
        Event.resolve_by_type = staticmethod(_remembering(Event.resolve_by_type))
    if not isinstance(processor.copy, DebugOnlyCopy):
        processor.copy = DebugOnlyCopy()
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    if not isinstance(DialogueStateTracker.__dict__["past_states"], PastStatesMemo):
        DialogueStateTracker.past_states = PastStatesMemo(DialogueStateTracker.past_states)
    from rasa.core.policies.rule_policy import RulePolicy

    if not isinstance(RulePolicy.__dict__["_get_possible_keys"], RuleKeysMemo):
        RulePolicy._get_possible_keys = RuleKeysMemo(RulePolicy._get_possible_keys)
    from rasa.shared.core.slots import Slot

    if "__copy__" not in Slot.__dict__:
        Slot.__copy__ = _slot_copy
    if not hasattr(Domain.is_empty, "__wrapped__"):
        Domain.is_empty = _empty_domain_check()
    from bot.rasa_ext.graph_runner import SequentialGraphRunner

    processor.DaskGraphRunner = SequentialGraphRunner
    from bot.rasa_ext import endpoint_sessions

    endpoint_sessions.install()


install()
