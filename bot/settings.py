"""Where the coach's configuration comes from: environment variables with defaults.

One place computes the defaults so that `make run`, the action server, the Rasa
server's tracker store and the tests all agree on the same database.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "db" / "coach.sqlite3"


def database_url() -> str:
    """The SQLAlchemy URL shared by the tracker store and the coach's tables."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    DEFAULT_DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB_PATH}"


def redis_url() -> str:
    """Empty means: in-memory lock store (one Rasa instance)."""
    return os.environ.get("REDIS_URL", "").strip()
