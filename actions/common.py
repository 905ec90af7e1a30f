"""Helpers shared by the actions: the store, the clock, message fields, and `StoreAction`."""
from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, Callable, Dict, Iterable, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import lexicon
from bot.nlu.schema import CLINICAL_ENTITIES, CLINICAL_KEY
from bot.store import CoachStore, default_store

_store_override: Optional[CoachStore] = None


def store() -> CoachStore:
    """The process-wide store (DATABASE_URL); tests may swap it with `use_store`."""
    return _store_override or default_store()


def use_store(s: Optional[CoachStore]) -> None:
    global _store_override
    _store_override = s


class StoreAction(Action, ABC):
    """An action whose work touches the store: `act` runs in a worker thread.

    The store is synchronous SQLAlchemy; called in `run` it would hold the action server's
    event loop for the length of every query, stalling every other request. `run` hands the
    whole of `act` to a thread (asyncio.to_thread) and awaits it, so the loop keeps serving.
    `act` only reads the tracker and appends to the dispatcher (a plain list collector)
    while `run` awaits it. An action that runs another's work calls its `act` (already in
    the thread). Abstract, so rasa_sdk does not register it.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return await asyncio.to_thread(self.act, dispatcher, tracker, domain)

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """The action's work, synchronous, store calls included; returns the events."""


_clock_override: Optional[Callable[[], datetime]] = None


def now() -> datetime:
    """Naive UTC; every stored time is UTC. Tests inject the clock with `use_clock`."""
    return _clock_override() if _clock_override else datetime.utcnow()


def use_clock(clock: Optional[Callable[[], datetime]]) -> None:
    global _clock_override
    _clock_override = clock


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def entity_values(tracker: Tracker, entity: str) -> List[str]:
    """Values NLU extracted for `entity` in the latest message, as strings."""
    found = []
    for ent in (tracker.latest_message or {}).get("entities") or []:
        if ent.get("entity") == entity and ent.get("value") is not None:
            found.append(str(ent["value"]).strip().lower())
    return found


def canonical_values(tracker: Tracker, entity: str) -> List[str]:
    """Entity values from NLU, normalised to the canonical values of bot.records.

    When the clinical component screened the message, its entities are already
    the affirmed ones ("not my leg" is left out), so they are used as they are.
    Otherwise (an older model) the lexicon fills in what the statistical
    extractor missed.
    """
    values: List[str] = []
    for raw in entity_values(tracker, entity):
        value = lexicon.canonical(entity, raw)
        if value and value not in values:
            values.append(value)
    if CLINICAL_KEY in (tracker.latest_message or {}) and entity in CLINICAL_ENTITIES:
        return values
    for value in lexicon.find_values(entity, latest_text(tracker)):
        if value not in values:
            values.append(value)
    return values


def first_float(values: Iterable[Any], low: float, high: float) -> Optional[float]:
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if low <= number <= high:
            return number
    return None
