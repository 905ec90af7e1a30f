"""Engines and migrations for the coach's tables.

SQLite is the embedded default and is shared by two processes (the Rasa server's
tracker store and the action server), so every connection gets WAL journaling and
a busy timeout instead of failing with "database is locked".

Speed (issue 11, measured by bench/profile_load.py): SQLAlchemy 1.4 gives a SQLite
file no connection pool, so every transaction opened a connection, ran the pragmas,
and closed it again; and SQLite's default `synchronous=FULL` waits for the disk on
every commit. `engine_for` keeps a pool of connections (usable from the action
server's worker threads) and sets `synchronous=NORMAL`, the setting SQLite recommends
with WAL: the database can never be corrupted, and a commit is lost only if the
machine itself loses power in the moment after it (a process crash loses nothing).
Servers (PostgreSQL) keep pre-ping, so a restarted database is noticed.
"""
from __future__ import annotations

import threading
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
    """WAL, synchronous=NORMAL, busy timeout and foreign keys (for ON DELETE CASCADE) on SQLite."""
    if engine.dialect.name != "sqlite":
        return engine

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable but for a power cut
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


def pool_options(url: str) -> dict:
    """create_engine options: a pool of connections shared by threads for a SQLite file,
    pre-ping for a database server."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return {"pool_pre_ping": True}
    if not parsed.database or parsed.database == ":memory:":
        return {}
    return {"poolclass": sa.pool.QueuePool, "pool_size": 5, "max_overflow": 10,
            "connect_args": {"check_same_thread": False}}


def engine_for(url: str, **options) -> Engine:
    """The engine every part of the coach uses for `url` (see the module docstring)."""
    ensure_sqlite_dir(url)
    return tune_sqlite(sa.create_engine(url, **{**pool_options(url), **options}))


def make_engine(url: str) -> Engine:
    return engine_for(url, future=True)


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
    """Base of the store classes: each public method runs in one transaction (`_unit`),
    and a use case that makes several calls for one turn wraps them in `transaction()`
    so that they share one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, future=True, expire_on_commit=False)
        self._open = threading.local()  # this thread's transaction, while `transaction()` runs

    @contextmanager
    def _unit(self) -> Iterator[Session]:
        session = getattr(self._open, "session", None)
        if session is not None:  # inside transaction(): join it
            yield session
            return
        with self._sessions() as session:
            with session.begin():
                yield session

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction for every store call made inside it on this thread: one
        connection, one commit, and all or nothing (an exception rolls all of it back).
        Nested use is allowed and joins the outer one. Each thread (the action server
        runs actions in worker threads) has its own."""
        if getattr(self._open, "session", None) is not None:
            yield
            return
        with self._unit() as session:
            self._open.session = session
            try:
                yield
            finally:
                self._open.session = None
