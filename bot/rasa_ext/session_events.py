"""The events of each recent conversation's latest session, kept as Rasa's Event objects.

Every turn the Rasa server reads the person's session back from the `events` table and
turns each stored row into an Event: `json.loads` of the row (a message's row carries
its whole parse) and `Event.from_parameters`. For a conversation of 13 messages that was
about 0.75 ms of the server's CPU on its last turn (103 events), and it grows with the
session (README, "Speed and memory").

`SessionEvents` keeps, per conversation, the row ids and Event objects read or decoded
last time. The store still asks the database for the session's row ids on every turn
(one statement, the data of the rows it has not seen yet included), and uses what it
kept only when the ids it kept are exactly the first ids the database returns: any
row deleted (erasure), any row of another session, any row another Rasa instance
wrote in between (scale-out, out-of-order ids on PostgreSQL) makes the ids differ and
the session is read whole, as before. So what the turn sees is always what is stored.

Event objects are shared between the trackers of successive turns, as Rasa's own
`DialogueStateTracker.copy()` shares them: Rasa does not change an event once made, with
one exception: applying `EntitiesAdded` (made only by TEDPolicy, which the coach does not
use) appends to the latest message's entities. A session holding one is not kept, so its
events are decoded afresh on every turn, as before.

Bounded: at most `max_events` events over all conversations, least recently used
conversation dropped first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from rasa.shared.core.events import EntitiesAdded, Event

# An event kept takes about 2.6 KB (tracemalloc, a bench conversation's 98 events), so
# ~13 MB at most: about fifty sessions of a dozen messages, more than the people writing
# at the same moment (20 in `make bench`); a conversation dropped is read whole once.
MAX_EVENTS = 5_000


@dataclass(frozen=True)
class Kept:
    start: Optional[float]            # the session's start timestamp (None: no session start)
    ids: Tuple[int, ...]
    events: Tuple[Event, ...]


class SessionEvents:
    def __init__(self, max_events: int = MAX_EVENTS) -> None:
        self.max_events = max_events
        self._kept: "OrderedDict[str, Kept]" = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def seen_up_to(self, sender_id: str, start: Optional[float]) -> int:
        """The newest row id kept for this session (0: nothing kept); rows after it are new."""
        with self._lock:
            kept = self._kept.get(sender_id)
        return kept.ids[-1] if kept is not None and kept.start == start and kept.ids else 0

    def events(self, sender_id: str, start: Optional[float], rows: Sequence[Tuple[int, Optional[str]]],
               decode: Callable[[str], List[Event]]) -> Optional[List[Event]]:
        """The session's events for `rows` ((id, data or None for rows kept), in id order),
        or None when what is kept does not match them (the caller reads the data of all)."""
        with self._lock:
            kept = self._kept.get(sender_id)
        known = kept.ids if kept is not None and kept.start == start else ()
        n = len(known)
        if len(rows) < n or any(rows[i][0] != known[i] for i in range(n)) \
                or any(data is None for _, data in rows[n:]):
            self.forget(sender_id)
            return None
        events = list(kept.events) if n else []
        for _, data in rows[n:]:
            events.extend(decode(data))
        self.keep(sender_id, start, [row[0] for row in rows], events)
        return events

    def keep(self, sender_id: str, start: Optional[float], ids: Iterable[int], events: Sequence[Event]) -> None:
        entry = Kept(start, tuple(ids), tuple(events))
        if len(entry.events) > self.max_events or any(isinstance(e, EntitiesAdded) for e in entry.events):
            self.forget(sender_id)
            return
        with self._lock:
            old = self._kept.pop(sender_id, None)
            self._size -= len(old.events) if old else 0
            self._kept[sender_id] = entry
            self._size += len(entry.events)
            while self._size > self.max_events:
                _, dropped = self._kept.popitem(last=False)
                self._size -= len(dropped.events)

    def forget(self, sender_id: str) -> None:
        with self._lock:
            old = self._kept.pop(sender_id, None)
            self._size -= len(old.events) if old else 0

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def size(self) -> int:
        return self._size
