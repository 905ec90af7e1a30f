"""Which Telegram updates have been taken: the webhook's dedup, shared by every instance.

Telegram re-sends an update it got no 200 for (a slow answer, a restart, a network
blip), possibly to another instance behind the load balancer, so a per-process memory
of update ids is not enough. Here the claim is a row in the coach's database:

- `claim(update_id)` inserts (bot id, update id) under the table's primary key, "insert,
  ignore on conflict": the one insert that lands processes the update; every other copy
  (concurrent, on another instance, after a restart) finds it taken -> a duplicate;
- a small in-process cache of ids already settled answers most repeats without a round
  trip (`seen`); it is only ever a shortcut, the database decides;
- `release(update_id)` gives a claim back when nothing of the update ran (the conversation
  lock could not be taken), so Telegram's next copy is processed instead of refused;
- rows older than `keep` (a day: Telegram gives up re-sending long before) are pruned,
  at most every `prune_every` per process, after a claim.

Database failures are raised as `UpdateLogUnavailable`, so the webhook answers 5xx and
Telegram sends the update again later: nothing is lost while the database is down.
Every method is blocking: the webhook runs them in a thread (`asyncio.to_thread`).

Nothing of the message is stored: the bot's numeric id (the public half of its token),
the update's number and when it arrived.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Callable, Dict, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.store import models as m
from bot.store.db import engine_for, migrate

logger = logging.getLogger(__name__)

KEEP = timedelta(hours=24)
PRUNE_EVERY = timedelta(minutes=10)
CACHE_SIZE = 4096
CONNECT_TIMEOUT_S = 5          # a database that does not answer fails the claim, never hangs the webhook
MIN_UPDATE_ID, MAX_UPDATE_ID = -(2 ** 63), 2 ** 63 - 1   # what the BIGINT key holds


class UpdateLogUnavailable(RuntimeError):
    """The shared store could not be asked (database down or unreachable)."""


def storable(update_id: int) -> bool:
    return MIN_UPDATE_ID <= update_id <= MAX_UPDATE_ID


def _utcnow() -> datetime:
    return datetime.utcnow()


_engines: Dict[str, Engine] = {}
_engines_lock = threading.Lock()


def shared_engine(url: str) -> Engine:
    """One engine per database URL and process, migrated when first opened.

    pool_pre_ping replaces connections a database restart killed; on PostgreSQL a
    connection attempt gives up after CONNECT_TIMEOUT_S seconds.
    """
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            kwargs = {}
            if make_url(url).get_backend_name() == "postgresql":
                kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
            migrate(url)  # raises while the database is down: tried again on the next claim
            engine = engine_for(url, future=True, **kwargs)
            _engines[url] = engine
        return engine


class TelegramUpdateLog:
    """The update ids one bot has taken, in the coach's database (see the module doc)."""

    def __init__(self, bot_id: str, *, url: Optional[str] = None, engine: Optional[Engine] = None,
                 keep: timedelta = KEEP, prune_every: timedelta = PRUNE_EVERY,
                 cache_size: int = CACHE_SIZE, clock: Callable[[], datetime] = _utcnow) -> None:
        if (url is None) == (engine is None):
            raise ValueError("give the database as exactly one of url= or engine=")
        self.bot_id = str(bot_id)[:32]
        self._url, self._engine = url, engine
        self.keep, self.prune_every, self.clock = keep, prune_every, clock
        self._cache: "OrderedDict[int, None]" = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._pruned_at: Optional[datetime] = None

    def __repr__(self) -> str:
        return f"TelegramUpdateLog(bot_id={self.bot_id!r})"

    # ---- the in-process shortcut ----------------------------------------------------

    def seen(self, update_id: int) -> bool:
        """Whether this process already knows `update_id` is taken (no database call)."""
        with self._lock:
            if update_id in self._cache:
                self._cache.move_to_end(update_id)
                return True
            return False

    def _remember(self, update_id: int) -> None:
        with self._lock:
            self._cache[update_id] = None
            self._cache.move_to_end(update_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _forget(self, update_id: int) -> None:
        with self._lock:
            self._cache.pop(update_id, None)

    # ---- the shared store ------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The engine, opened (and the tables migrated) on first use; UpdateLogUnavailable
        while that cannot happen, tried again on the next call."""
        if self._engine is None:
            try:
                self._engine = shared_engine(self._url)
            except Exception as exc:  # noqa: BLE001 - alembic and the driver raise their own types
                raise UpdateLogUnavailable(exc.__class__.__name__) from exc
        return self._engine

    def _insert(self, engine: Engine, row: Dict[str, object]) -> bool:
        table = m.TelegramUpdate.__table__
        dialect = engine.dialect.name
        if dialect in ("postgresql", "sqlite"):
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            stmt = insert(table).values(**row).on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
            with engine.begin() as conn:
                return conn.execute(stmt).rowcount == 1
        try:  # pragma: no cover - other engines: the unique key still decides
            with engine.begin() as conn:
                conn.execute(table.insert().values(**row))
            return True
        except IntegrityError:  # pragma: no cover
            return False

    def claim(self, update_id: int) -> bool:
        """True: this caller took `update_id` and processes it. False: already taken.

        Raises UpdateLogUnavailable when the database cannot be asked.
        """
        if self.seen(update_id):
            return False
        now = self.clock()
        engine = self.engine
        try:
            fresh = self._insert(engine, {"bot_id": self.bot_id, "update_id": update_id,
                                          "received_at": now})
        except SQLAlchemyError as exc:
            raise UpdateLogUnavailable(exc.__class__.__name__) from exc
        self._remember(update_id)
        if self._pruned_at is None or now - self._pruned_at >= self.prune_every:
            self._pruned_at = now
            try:
                self.prune(now)
            except SQLAlchemyError as exc:  # the claim stands; pruning waits for the next round
                logger.warning("Could not prune old Telegram update ids: %s", exc.__class__.__name__)
        return fresh

    def release(self, update_id: int) -> None:
        """Give a claim back (nothing of the update ran): the next copy will be processed.

        Raises UpdateLogUnavailable when the database cannot be asked.
        """
        self._forget(update_id)
        table = m.TelegramUpdate.__table__
        engine = self.engine
        try:
            with engine.begin() as conn:
                conn.execute(table.delete().where(table.c.bot_id == self.bot_id,
                                                  table.c.update_id == update_id))
        except SQLAlchemyError as exc:
            raise UpdateLogUnavailable(exc.__class__.__name__) from exc

    def prune(self, now: Optional[datetime] = None) -> int:
        """Delete this bot's ids older than `keep`; how many went."""
        table = m.TelegramUpdate.__table__
        cutoff = (now or self.clock()) - self.keep
        with self.engine.begin() as conn:
            result = conn.execute(table.delete().where(table.c.bot_id == self.bot_id,
                                                       table.c.received_at < cutoff))
        return max(result.rowcount or 0, 0)

    def count(self) -> int:
        """How many ids of this bot are stored (tests, diagnostics)."""
        table = m.TelegramUpdate.__table__
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(table)
                                .where(table.c.bot_id == self.bot_id)).scalar_one()
