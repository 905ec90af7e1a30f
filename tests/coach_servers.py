"""The real servers for end-to-end tests (REST, Telegram, browser), started one way."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from bot.nudges.policy import DEFER_WINDOW
from bot.serve import CoachServers, coach_env, ensure_model, free_ports
from bot.store import migrate

# The UTC hours a real-time nudge test may pick: 17:00-20:00 in Tokyo, 08:00-12:00 in
# London, outside both places' default quiet hours (21:00-08:00) all year.
NUDGE_HOURS_UTC = (8, 9, 10, 11)
# Time for the conversation that sets the reminders; with DEFER_WINDOW well under the hour
# between two of NUDGE_HOURS_UTC.
CONVERSATION = timedelta(minutes=10)


def nudge_instant(after: datetime) -> datetime:
    """When a test's `make nudge-once` runs, for reminders set in a conversation that starts at
    the real instant `after` (naive UTC): the first hh:00:30 UTC, hh in NUDGE_HOURS_UTC, at
    least DEFER_WINDOW + CONVERSATION later.

    The servers read the real clock, so the instant is relative to it. Later than the
    conversation by more than DEFER_WINDOW, the nudge is not held back because the person
    just wrote; and the same hour a day earlier is before `after`, so that slot is not owed
    (a reminder starts when it is set), whatever the real time of day. A fixed hour ("the
    next 11:00:30 at least 2 minutes on") failed from 10:55 to 11:00 UTC every day.
    """
    earliest = after + DEFER_WINDOW + CONVERSATION
    day = earliest.replace(minute=0, second=30, microsecond=0)
    candidates = [day.replace(hour=h) + timedelta(days=d) for d in (0, 1) for h in NUDGE_HOURS_UTC]
    return min(c for c in candidates if c >= earliest)


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

