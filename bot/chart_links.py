"""Where a progress chart is found: the short URL a bot message carries instead of the picture.

`/charts/<token>.png`, relative to the web page's origin (bot/web/server.py serves it; the
Telegram channel reads the token and uploads the picture itself). The token is random and
long enough not to be guessed (144 bits), so the URL is the only key to one person's chart.
"""
from __future__ import annotations

import re
import secrets
from typing import Optional

PREFIX = "/charts/"
SUFFIX = ".png"
_TOKEN_BYTES = 18  # 24 URL-safe characters
_URL_RE = re.compile(r"^/charts/([A-Za-z0-9_-]{24})\.png$")


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def chart_url(token: str) -> str:
    return f"{PREFIX}{token}{SUFFIX}"


def chart_token(url: str) -> Optional[str]:
    """The token of a chart URL made by `chart_url`, None for anything else."""
    match = _URL_RE.match(url or "")
    return match.group(1) if match else None
