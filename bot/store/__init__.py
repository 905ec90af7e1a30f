"""Persistence: SQLAlchemy models, Alembic migrations and the `CoachStore` facade."""
from __future__ import annotations

from functools import lru_cache

from bot.settings import database_url
from bot.store.db import make_engine, migrate
from bot.store.repository import CoachStore

__all__ = ["CoachStore", "open_store", "default_store"]


def open_store(url: str, run_migrations: bool = True) -> CoachStore:
    if run_migrations:
        migrate(url)
    return CoachStore(make_engine(url))


@lru_cache(maxsize=None)
def default_store() -> CoachStore:
    """The store for `DATABASE_URL` (migrated on first use), shared per process."""
    return open_store(database_url())
