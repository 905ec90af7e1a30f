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

import logging
from datetime import datetime, timezone
from typing import Any, Optional
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SlotSet, UserUttered

from bot.rasa_ext import action_fallback  # noqa: F401 - an apology, not silence, while the action server is down
from bot.rasa_ext import action_validation  # noqa: F401 - the answer's schema compiled once, not per action
from bot import log_privacy
from bot.settings import database_url
from bot.store.db import tune_sqlite

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
    """SQL tracker store taking a full SQLAlchemy URL (`url:` in endpoints.yml)."""

    def __init__(self, domain=None, host: Optional[str] = None, event_broker=None,
                 **kwargs: Any) -> None:
        super().__init__(domain, host=host or database_url(), event_broker=event_broker,
                         **kwargs)
        # Rasa's engine has no pre-ping: after a database restart its pooled connections
        # are dead and the first turn would fail. The same engine, with the ping.
        url = self.engine.url
        self.engine.dispose()
        self.engine = tune_sqlite(sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url)))
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def save(self, tracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            if _erasure_requested(new_events):
                deleted = (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == tracker.sender_id)
                    .delete(synchronize_session=False)
                )
                session.commit()
                logger.info("Erased a conversation's tracker events (%d rows).", deleted)
                return
        await super().save(tracker)
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
