"""Shared fixtures: databases (SQLite always, PostgreSQL and Redis when reachable),
a store for actions, and rasa_sdk trackers built like the action server builds them.

Tests that need PostgreSQL or Redis skip with the reason when the service is
missing, except under REQUIRE_SERVICES=1 (set by .ci/run), where they fail.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from datetime import datetime
from typing import Any, Dict, List, Optional

import pytest

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
# A developer's real bot must never be re-pointed by a test run: the servers the tests
# start inherit os.environ, so the Telegram settings go (tests/test_telegram.py sets its own).
for _name in ("TELEGRAM_TOKEN", "TELEGRAM_SECRET", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_API_BASE"):
    os.environ.pop(_name, None)

from rasa_sdk import Tracker  # noqa: E402

from actions import common  # noqa: E402
from bot.store import open_store  # noqa: E402

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Tests never write into the project's own database (data/db/coach.sqlite3): code that opens
# "the" database (DATABASE_URL), e.g. the Telegram channel's update log, gets a throwaway one.
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='coach-tests-')}/coach.sqlite3"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def service_missing(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'coach.sqlite3'}"


@pytest.fixture
def postgres_url():
    """A fresh, uniquely named database on the test server, dropped afterwards."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    admin = sa.create_engine(TEST_DATABASE_URL, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "missing"
        admin.dispose()
        service_missing(f"PostgreSQL not reachable at {TEST_DATABASE_URL}: {exc.__class__.__name__}")
    name = f"coach_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(TEST_DATABASE_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        service_missing(f"Redis not reachable at {TEST_REDIS_URL}: {exc.__class__.__name__}")
    finally:
        client.close()
    return TEST_REDIS_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, tmp_path):
    """Both storage setups: the embedded default and the scaled one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'coach.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(sqlite_url):
    """A migrated store that the actions use for the duration of one test."""
    s = open_store(sqlite_url)
    common.use_store(s)
    yield s
    common.use_store(None)
    s.engine.dispose()


def make_tracker(
    text: str = "",
    intent: str = "",
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "tester",
    active_loop: Optional[str] = None,
) -> Tracker:
    """A tracker whose latest message is `text`, as the action server receives it.

    The parse is the real one's shape: the clinical reader's affirmed entities (unless
    `entities` is given, e.g. a button payload's) and its `clinical` key with the cues.
    """
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}}
    latest.update(clinical_parse(text, intent))
    if entities is not None:
        latest["entities"] = entities
    user_event = {"event": "user", "text": text, "parse_data": latest}
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=latest,
        events=list(events or []) + [user_event],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


MONDAY = datetime(2026, 11, 30, 9, 0)  # the injected clock's first instant


@pytest.fixture
def clock():
    """The actions' clock, injected: tests move `clock["now"]` instead of sleeping."""
    times = {"now": MONDAY}
    common.use_clock(lambda: times["now"])
    yield times
    common.use_clock(None)


@pytest.fixture
def talk(store, domain, clock):
    """A conversation driven through the real actions (tests/conversation.py)."""
    from tests.conversation import Conversation

    return Conversation(domain)


def clinical_parse(text: str, intent: Optional[str] = None, confidence: float = 1.0) -> Dict[str, Any]:
    """What the NLU pipeline's clinical component adds to a parse (bot/nlu/component.py): the
    affirmed entities and the `clinical` key, with the classifier's guess (`intent`, here also
    the final intent) and the red-flag decision it recorded (bot.triage.triage)."""
    if not text or text.startswith("/"):
        return {"entities": []}
    from bot.nlu.clinical import CLINICAL_KEY, analyse
    from bot.triage import triage

    analysis = analyse(text)
    entities = [{"entity": f.entity, "value": f.value, "start": f.start, "end": f.end,
                 "extractor": "ClinicalSafetyExtractor"} for f in analysis.entities(affirmed_only=True)]
    clinical = analysis.as_dict()
    confidence = confidence if intent else 0.0
    decision = triage(analysis, intent, confidence)
    clinical["classifier"] = {"name": intent, "confidence": float(confidence)}
    clinical["triage"] = {"tier": decision.tier, "reasons": list(decision.reasons)}
    return {"entities": entities, CLINICAL_KEY: clinical}


@pytest.fixture
def tracker_factory():
    return make_tracker


DOMAIN: Dict[str, Any] = {}


@pytest.fixture
def domain() -> Dict[str, Any]:
    import yaml
    from bot.settings import PROJECT_ROOT

    if not DOMAIN:
        DOMAIN.update(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text()))
    return DOMAIN
