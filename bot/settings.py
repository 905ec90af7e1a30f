"""Where the coach's configuration comes from: environment variables with defaults.

One place computes the defaults so that `make run`, the action server, the Rasa
server's tracker store and the tests all agree on the same database.
"""
from __future__ import annotations

import os
import secrets
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


INTERNAL_TOKEN_FILE = PROJECT_ROOT / ".run" / "internal-api-token"


def api_token() -> str:
    """The token guarding Rasa's HTTP API: RASA_AUTH_TOKEN, else an internal one.

    The nudge scheduler renders nudges through the HTTP API, so the API is always
    on, and never without a token. With RASA_AUTH_TOKEN unset, a random token is
    made once and kept in `.run/internal-api-token` (mode 0600, git-ignored), so
    `make run` and a separate `make nudge-once` (cron) agree on it.
    """
    token = os.environ.get("RASA_AUTH_TOKEN", "").strip()
    if token:
        return token
    path = INTERNAL_TOKEN_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(32))
    try:
        os.link(tmp, path)  # the first writer wins; a racing one reads the winner's token
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_text().strip()
