"""Engines and migrations for the coach's tables.

SQLite is the embedded default and is shared by two processes (the Rasa server's
tracker store and the action server), so every connection gets WAL journaling and
a busy timeout instead of failing with "database is locked".
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "coach_alembic_version"


def tune_sqlite(engine: Engine) -> Engine:
    """WAL + busy timeout + foreign keys (for ON DELETE CASCADE) on SQLite."""
    if engine.dialect.name != "sqlite":
        return engine

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


def ensure_sqlite_dir(url: str) -> None:
    """A SQLite file's folder is made if missing (a fresh clone has no data/db/)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        try:
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # SQLite then says why it cannot open the file


def make_engine(url: str) -> Engine:
    ensure_sqlite_dir(url)
    return tune_sqlite(sa.create_engine(url, future=True, pool_pre_ping=True))


@lru_cache(maxsize=None)
def _alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """Bring the coach's tables to the newest schema (idempotent)."""
    from alembic import command

    ensure_sqlite_dir(url)
    command.upgrade(_alembic_config(url), "head")


class UnitOfWork:
    """Base of the store classes: each public method runs in one transaction (`_unit`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, future=True, expire_on_commit=False)

    @contextmanager
    def _unit(self) -> Iterator[Session]:
        with self._sessions() as session:
            with session.begin():
                yield session
