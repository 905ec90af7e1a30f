"""Persistence: SQLAlchemy models, Alembic migrations and the `CoachStore` facade."""
from __future__ import annotations

import threading
from typing import Optional
from functools import lru_cache

from bot.settings import database_url
from bot.store.db import make_engine, migrate
from bot.store.repository import CoachStore

__all__ = ["CoachStore", "open_store", "default_store"]


def open_store(url: str, run_migrations: bool = True) -> CoachStore:
    if run_migrations:
        migrate(url)
    return CoachStore(make_engine(url))


_default_lock = threading.Lock()


def default_store() -> CoachStore:
    """The store for `DATABASE_URL` (migrated on first use), shared per process.

    Thread-safe: the actions call it from worker threads (actions.common.StoreAction), and two
    first requests at once must not both migrate and build an engine.
    """
    with _default_lock:
        return _default_store()


@lru_cache(maxsize=None)
def _default_store() -> CoachStore:
    return open_store(database_url())


def stored_chart(token: str) -> Optional[bytes]:
    """A kept progress chart's PNG from the `DATABASE_URL` store (None if not kept): what the
    web page's server and the Telegram channel hand out for a chart link (bot.chart_links)."""
    return default_store().chart_png(token)
