"""What a turn's windowed profile reads about the logs before its window, kept in process.

A turn reads the last PROFILE_WINDOW_DAYS days of a person's logs, plus the landmark
check-ins before them and a few facts about the rest (bot.records.Earlier). That older
part is the only read whose cost grows with the history (the run of days before the
window is counted over every older check-in), and it cannot change in the coach's use:
every log is stamped with the moment it is made, and a check-in is amended only on its
own day. So the first turn of a person's day reads it and the later turns reuse it.

Kept per person (their row's id and creation time, so an erased person's id reused by
a new one is a different key), window start and episode onset. A log stamped before a
kept window's start (test seeding, an import) clears everything this process keeps; a
transaction that has written anything does not fill it (what it read may be rolled
back). Another process's back-dated write is not seen: such an import must restart the
action servers. Bounded (least recently used first out); thread-safe.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime
from typing import Hashable, Optional, Tuple

from bot.records import CheckinRecord, Earlier

BeforeWindow = Tuple[Earlier, Tuple[CheckinRecord, ...]]

DEFAULT_SIZE = 4096  # people whose day has started; an entry is a few hundred bytes


def key_for(user_id: int, created_at: Optional[datetime], since: date, onset: Optional[date]) -> Hashable:
    return (user_id, created_at, since, onset)


class BeforeWindowCache:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: "OrderedDict[Hashable, BeforeWindow]" = OrderedDict()
        self._latest_start: Optional[datetime] = None  # of any window kept since the last clear

    def get(self, key: Hashable) -> Optional[BeforeWindow]:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: BeforeWindow) -> None:
        start = value[0].start
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
            if self._latest_start is None or start > self._latest_start:
                self._latest_start = start

    def logged(self, at: datetime) -> None:
        """A log stamped `at` was written: forget every window it could lie before."""
        if self._latest_start is not None and at < self._latest_start:
            with self._lock:
                self._entries.clear()
                self._latest_start = None

    def __len__(self) -> int:
        return len(self._entries)
