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

- Past states, once per tracker state. Predicting one action runs the rule and the
  memoization policies, and each replays the whole conversation into a fresh tracker per
  event to list its past states (`DialogueStateTracker.past_states`, 12% of busy time);
  a turn predicts twice or more. The list is kept on the tracker for its current events
  (the same deque, as long, ending with the same event) and the same domain and options,
  and each caller gets its own copy of it (callers edit the last state in place).

Installed on import; Rasa imports it through bot.rasa_ext.stores (endpoints.yml).
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Dict, Optional, Type

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


_PAST_STATES = "_coach_past_states"


def _copy_states(states):
    """A copy each caller may edit: the state dicts and their sub-dicts (values are tuples,
    strings and numbers)."""
    return [{key: dict(sub) for key, sub in state.items()} for state in states]


def _remembering_past_states(past_states):
    def cached(self, domain, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
               rule_only_data=None):
        events = self.events
        at = (id(events), len(events), id(events[-1]) if events else None)
        key = (id(domain), bool(omit_unset_slots), bool(ignore_rule_only_turns),
               None if rule_only_data is None else id(rule_only_data))
        memo = self.__dict__.get(_PAST_STATES)
        if memo is None or memo[0] != at:
            memo = (at, {})
            self.__dict__[_PAST_STATES] = memo
        states = memo[1].get(key)
        if states is None:
            states = past_states(self, domain, omit_unset_slots=omit_unset_slots,
                                 ignore_rule_only_turns=ignore_rule_only_turns,
                                 rule_only_data=rule_only_data)
            memo[1][key] = (states, rule_only_data)  # holds rule_only_data: its id stays unique
            return _copy_states(states)
        return _copy_states(states[0])

    cached.__wrapped__ = past_states  # type: ignore[attr-defined]
    return cached


def install() -> None:
    import rasa.core.processor as processor
    from rasa.shared.core.events import Event

    if not hasattr(Event.resolve_by_type, "__wrapped__"):
        Event.resolve_by_type = staticmethod(_remembering(Event.resolve_by_type))
    if not isinstance(processor.copy, DebugOnlyCopy):
        processor.copy = DebugOnlyCopy()
    from rasa.shared.core.trackers import DialogueStateTracker

    if not hasattr(DialogueStateTracker.past_states, "__wrapped__"):
        DialogueStateTracker.past_states = _remembering_past_states(DialogueStateTracker.past_states)


install()
