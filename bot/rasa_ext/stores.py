"""Tracker and lock stores configured by one URL each (DATABASE_URL, REDIS_URL).

`CoachTrackerStore` is Rasa's SQL tracker store plus the erasure half of "forget
me": when a turn contains the `data_erased` marker set by
`action_delete_user_data`, every stored event of that conversation is deleted and
nothing of that turn is written back.

Database faults (issue 12, item 5): the store's engine pings a pooled connection
before using it (`pool_pre_ping`), so the first turn after a database restart works;
and Rasa's `FailSafeTrackerStore` wrapper, which on any error silently runs the turn
on an empty in-memory conversation (a form forgotten, the turn's events never stored
while the actions' rows are), is made to fail the turn instead: the channel answers
with its apology (REST) or Telegram's update is refused and sent again.
"""
from __future__ import annotations

import itertools
import json
import logging
from datetime import datetime, timezone
from typing import Any, List, Optional
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.rasa_ext import action_fallback  # noqa: F401 - an apology, not silence, while the action server is down
from bot.rasa_ext import action_validation  # noqa: F401 - the answer's schema compiled once, not per action
from bot.rasa_ext import hot_path  # noqa: F401 - per-turn work Rasa repeats for nothing
from bot.rasa_ext import fast_json
from bot.rasa_ext.session_events import SessionEvents
from bot import log_privacy
from bot.settings import database_url
from bot.store.db import engine_for

logger = logging.getLogger(__name__)
log_privacy.install()  # also where no coach channel is loaded (rasa shell)

ERASED_SLOT = "data_erased"


def _latest_own_message(events) -> Optional[UserUttered]:
    """The newest message the person wrote themselves (not a nudge's external intent)."""
    for event in reversed(events):
        if isinstance(event, UserUttered) and not str(event.intent_name or "").startswith("EXTERNAL_"):
            return event
    return None


def _erasure_requested(events) -> bool:
    return any(isinstance(e, SlotSet) and e.key == ERASED_SLOT and e.value for e in events)


class CoachTrackerStore(SQLTrackerStore):
    """SQL tracker store taking a full SQLAlchemy URL (`url:` in endpoints.yml).

    Reads and writes Rasa's own `events` table exactly as SQLTrackerStore does (same rows,
    same columns, the same "latest session" rule), with fewer round trips (issue 11,
    bench/profile_load.py: the store was a third of the Rasa server's busy time):

    - the pooled engine of bot.store.db (no connection opened and closed per query on
      SQLite; pre-ping on PostgreSQL, so the first turn after a database restart works);
    - plain SQL with bound parameters for the three statements of a turn, instead of ORM
      queries whose cache keys SQLAlchemy rebuilt on every call;
    - a save is one transaction: one count, the erasure check, one multi-row insert;
    - a turn decodes only the rows it has not seen on the last turn: the session's Event
      objects are kept between turns and checked against the stored row ids on every read
      (bot.rasa_ext.session_events);
    - indexes for "this person's latest session" (sender, type, time), (sender, time) and
      (sender, id), each statement one index range, so a person with a year of history is
      read as fast as a new one.
    """

    def __init__(self, domain=None, host: Optional[str] = None, event_broker=None,
                 **kwargs: Any) -> None:
        super().__init__(domain, host=host or database_url(), event_broker=event_broker,
                         **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = engine_for(str(url.render_as_string(hide_password=False)),
                                 **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)
        self._events = self.SQLEvent.__table__
        assert self._events.name == "events", "the statements below name Rasa's table"
        ensure_indexes(self.engine, self._events.name)
        self._kept = SessionEvents()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool):
        if fetch_events_from_all_sessions:
            with self.engine.connect() as conn:
                rows = conn.execute(_ALL_EVENTS, {"sender": sender_id}).all()
            if not (self.domain and rows):
                return None
            return DialogueStateTracker.from_dict(sender_id, [json.loads(r.data) for r in rows],
                                                  self.domain.slots)
        events = self._session_events(sender_id)
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _session_events(self, sender_id: str) -> list:
        """The latest session's events: the rows' ids and the data of rows not kept from the
        last turn (bot.rasa_ext.session_events); every row's data if what was kept differs."""
        with self.engine.connect() as conn:
            statement, params = _in_session(conn, _SESSION_ROWS, _ALL_ROWS, sender_id)
            start = params.get("start")
            rows = conn.execute(statement, {**params, "after": self._kept.seen_up_to(sender_id, start)}).all()
            if not rows:
                self._kept.forget(sender_id)
                return []
            events = self._kept.events(sender_id, start, rows, _decode)
            if events is None:
                rows = conn.execute(statement, {**params, "after": 0}).all()
                events = [event for row in rows for event in _decode(row.data)]
                self._kept.keep(sender_id, start, (row.id for row in rows), events)
        return events

    async def save(self, tracker) -> None:
        await self.stream_events(tracker)  # Rasa's: nothing without an event broker
        with self.engine.begin() as conn:
            stored = conn.execute(*_in_session(conn, _SESSION_COUNT, _ALL_COUNT, tracker.sender_id)).scalar_one()
            new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
            if _erasure_requested(new_events):
                self._kept.forget(tracker.sender_id)
                deleted = conn.execute(self._events.delete().where(
                    self._events.c.sender_id == tracker.sender_id)).rowcount
                logger.info("Erased a conversation's tracker events (%d rows).", deleted)
                return
            if new_events:
                conn.execute(self._events.insert(), [_row(tracker.sender_id, e) for e in new_events])
        message = _latest_own_message(new_events)
        if message is not None:
            self._note_message(tracker.sender_id, message)

    @staticmethod
    def _note_message(sender_id: str, message: UserUttered) -> None:
        """Tell the nudges the person wrote (back-off reset, blocked chat reachable again)."""
        from bot.store import default_store

        try:
            at = datetime.fromtimestamp(message.timestamp, tz=timezone.utc).replace(tzinfo=None)
            default_store().note_message(sender_id, message.input_channel, at)
        except Exception as exc:  # noqa: BLE001 - the turn is stored; nudges only lose a hint
            logger.warning("Could not note a message for the nudges: %s", exc.__class__.__name__)


# Rasa's `events` table, read as SQLTrackerStore._event_query does: the events since the latest
# session start, or all of them when there is none; in insertion order. It takes two
# statements (the latest start, then the events from it), each one range of an index: one
# statement with "timestamp >= (latest start) OR (latest start) IS NULL" made the database
# read every event the person ever had (0.6 ms for a year on SQLite, against 0.03 ms new).
_LATEST_START = sa.text("SELECT max(timestamp) FROM events WHERE sender_id = :sender AND type_name = :started")
_SESSION_COUNT = sa.text("SELECT count(*) FROM events WHERE sender_id = :sender AND timestamp >= :start")
_ALL_EVENTS = sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id")
# The same rows with their ids, the data only of rows after :after (the rows kept from the
# last turn are not sent again; bot.rasa_ext.session_events).
_SESSION_ROWS = sa.text("SELECT id, CASE WHEN id > :after THEN data END AS data FROM events "
                        "WHERE sender_id = :sender AND timestamp >= :start ORDER BY id")
_ALL_ROWS = sa.text("SELECT id, CASE WHEN id > :after THEN data END AS data FROM events "
                    "WHERE sender_id = :sender ORDER BY id")
_ALL_COUNT = sa.text("SELECT count(*) FROM events WHERE sender_id = :sender")
_INDEXES = {"ix_events_sender_type_time": ("sender_id", "type_name", "timestamp"),
            "ix_events_sender_id_id": ("sender_id", "id"),
            "ix_events_sender_time": ("sender_id", "timestamp")}


def _in_session(conn, in_session, everything, sender_id: str):
    """(statement, parameters) for the person's latest session: `in_session` from its
    start, or `everything` when no session ever started."""
    start = conn.execute(_LATEST_START, {"sender": sender_id, "started": SessionStarted.type_name}).scalar()
    if start is None:
        return everything, {"sender": sender_id}
    return in_session, {"sender": sender_id, "start": start}


# Any fixed number: the key of the PostgreSQL advisory lock taken while creating _INDEXES.
_INDEX_LOCK_KEY = 0x636F6163  # "coac"


def ensure_indexes(engine: sa.engine.Engine, table: str) -> None:
    """Creates _INDEXES on `table` unless they exist; safe when several servers start at once.

    On PostgreSQL two concurrent `CREATE INDEX IF NOT EXISTS` of one name both pass the check
    and the second fails on pg_class's unique name (seen: a scaled Rasa instance exited at
    start-up). A transaction-scoped advisory lock makes the starts take turns; SQLite already
    lets one writer in at a time.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INDEX_LOCK_KEY})
        for name, columns in _INDEXES.items():
            conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})"))


def _decode(data: str) -> List[Event]:
    """One stored row's event, as SQLTrackerStore reads it (none if Rasa cannot read it)."""
    return deserialise_events([json.loads(data)])


def _row(sender_id: str, event) -> dict:
    """One `events` row, with the columns SQLTrackerStore.save fills."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": (data.get("parse_data", {}).get("intent", {}) or {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": fast_json.dumps(data)}


def _fail_the_turn(self, error: Exception) -> None:
    """Instead of running the turn on an empty in-memory tracker: log (no message text,
    no SQL parameters) and let the error reach the channel."""
    logger.error("The tracker store failed (%s): the turn is refused, not run on an empty "
                 "in-memory conversation.", error.__class__.__name__)
    raise error


FailSafeTrackerStore.on_tracker_store_error = _fail_the_turn
FailSafeTrackerStore.on_tracker_store_retrieve_error = _fail_the_turn


class UrlLockStore(LockStore):
    """Redis lock store when `url:` is a redis:// URL, in-memory when it is empty.

    Rasa instantiates custom lock stores as `cls(endpoint_config=...)`; `__new__`
    returns one of Rasa's own stores so their tested code does the locking.
    """

    def __new__(cls, endpoint_config=None, url: Optional[str] = None):  # type: ignore[misc]
        url = url if url is not None else getattr(endpoint_config, "url", None)
        if not url:
            return InMemoryLockStore()
        parts = urlsplit(url)
        db = int(parts.path.strip("/") or 1)
        from bot.rasa_ext.locks import AtomicRedisLockStore  # Rasa's, atomic across instances (PITFALLS 15)

        return AtomicRedisLockStore(
            host=parts.hostname or "localhost",
            port=parts.port or 6379,
            db=db,
            username=parts.username,
            password=parts.password,
            use_ssl=parts.scheme == "rediss",
            key_prefix="coach",
        )
