"""The real servers for end-to-end tests (REST, Telegram, browser), started one way."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from bot.serve import CoachServers, coach_env, ensure_model, free_ports
from bot.store import migrate


@contextmanager
def running_coach(work: Path, **env_overrides: str) -> Iterator[CoachServers]:
    """The real action, Rasa and web servers on free ports with a fresh SQLite database
    in `work`, as `make run` starts them. Used once per module or session: a Rasa server
    costs ~20 s and ~1.3 GB. The nudge scheduler is left out (tests run `make nudge-once`). Yields the servers with `.db` (an engine) and `.logs`."""
    env = coach_env({**free_ports(), "DATABASE_URL": f"sqlite:///{work / 'coach.sqlite3'}",
                     "REDIS_URL": "", **env_overrides})
    if not env.get("RASA_AUTH_TOKEN"):
        env.pop("RASA_AUTH_TOKEN", None)
    ensure_model(env)
    migrate(env["DATABASE_URL"])
    # No minute-by-minute scheduler here: the tests run `make nudge-once` at chosen instants,
    # so a real-time run can never send a nudge a test did not ask for.
    servers = CoachServers(env, log_dir=work / "logs", nudges=False)
    servers.start()
    servers.db = sa.create_engine(env["DATABASE_URL"], future=True)
    servers.logs = work / "logs"
    try:
        yield servers
    finally:
        servers.db.dispose()
        servers.stop()

