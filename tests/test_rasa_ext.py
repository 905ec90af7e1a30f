"""The tracker store (one URL, erasure on the `data_erased` marker) and the lock store."""
from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.stores import _INDEXES, CoachTrackerStore, UrlLockStore, ensure_indexes
from bot.settings import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _events_count(url: str, sender: str) -> int:
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    engine.dispose()
    return n


def _store_from_endpoints(url: str) -> TrackerStore:
    cfg = EndpointConfig(url=url, type="bot.rasa_ext.stores.CoachTrackerStore")
    return TrackerStore.create(cfg, DOMAIN)


def test_endpoint_config_builds_the_coach_store(any_db_url):
    store = _store_from_endpoints(any_db_url)
    inner = getattr(store, "_tracker_store", store)
    assert isinstance(inner, CoachTrackerStore)
    assert inner.engine.url.get_backend_name() == any_db_url.split(":")[0].split("+")[0]


def test_saves_and_reloads_then_erases_on_marker(any_db_url):
    store = CoachTrackerStore(DOMAIN, host=any_db_url)

    async def scenario():
        tracker = DialogueStateTracker("zoe", DOMAIN.slots)
        tracker.update(UserUttered("my calf is worse, about a 6", {"name": "report_symptoms"}))
        tracker.update(ActionExecuted("action_record_checkin"))
        tracker.update(BotUttered("Thanks"))
        await store.save(tracker)
        other = DialogueStateTracker("yan", DOMAIN.slots)
        other.update(UserUttered("hello", {"name": "greet"}))
        await store.save(other)
        assert _events_count(any_db_url, "zoe") == 3

        tracker = await store.retrieve("zoe")
        assert tracker.latest_message.text == "my calf is worse, about a 6"
        tracker.update(UserUttered("yes", {"name": "affirm"}))
        tracker.update(ActionExecuted("action_delete_user_data"))
        tracker.update(SlotSet("data_erased", True))
        await store.save(tracker)
        assert _events_count(any_db_url, "zoe") == 0
        assert _events_count(any_db_url, "yan") == 1
        fresh = await store.retrieve("zoe")
        assert fresh is None or len(fresh.events) == 0

    asyncio.run(scenario())
    store.engine.dispose()


def _two_sessions(sender: str) -> DialogueStateTracker:
    """Yesterday's session and today's, as Rasa records them (timestamps a day apart)."""
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    day = 86_400.0
    for start, text in ((1_700_000_000.0, "back is a 3"), (1_700_000_000.0 + day, "my calf is worse, a 6")):
        tracker.update(ActionExecuted("action_session_start", timestamp=start))
        tracker.update(SessionStarted(timestamp=start + 0.1))
        tracker.update(ActionExecuted("action_listen", timestamp=start + 0.2))
        tracker.update(UserUttered(text, {"name": "report_symptoms", "confidence": 0.9},
                                   timestamp=start + 1))
        tracker.update(SlotSet("pain_score", 6.0, timestamp=start + 2))
        tracker.update(ActionExecuted("action_record_checkin", timestamp=start + 2))
        tracker.update(BotUttered("Thanks", timestamp=start + 3))
    return tracker


def _rows(url: str, sender: str) -> list:
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT type_name, timestamp, intent_name, action_name, data "
                                    "FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_reads_and_writes_rasas_events_table_as_rasas_own_store_does(any_db_url):
    """Same rows as SQLTrackerStore writes, and each store reads the other's: the latest
    session for a turn, every session for the full tracker; a second save adds nothing."""
    ours = CoachTrackerStore(DOMAIN, host=any_db_url)
    rasas = SQLTrackerStore(DOMAIN, host=any_db_url)
    a, b = f"ours-{uuid.uuid4().hex}", f"rasa-{uuid.uuid4().hex}"

    async def turn(store, sender):
        await store.save(_two_sessions(sender))
        tracker = await store.retrieve(sender)  # a turn: the latest session, one message more
        tracker.update(UserUttered("thanks", {"name": "thank"}, timestamp=1_700_086_500.0))
        await store.save(tracker)
        await store.save(tracker)  # nothing new: no duplicate rows

    async def scenario():
        await turn(ours, a)
        await turn(rasas, b)
        assert [r[:4] for r in _rows(any_db_url, a)] == [r[:4] for r in _rows(any_db_url, b)]
        assert len(_rows(any_db_url, a)) == 15
        for sender in (a, b):
            expected = [e.as_dict() for e in (await rasas.retrieve(sender)).events]
            for reader in (ours, rasas):
                latest = await reader.retrieve(sender)
                assert [e.as_dict() for e in latest.events] == expected
                assert len(latest.events) == 7 and latest.latest_message.text == "thanks"
                assert len((await reader.retrieve_full_tracker(sender)).events) == 15
        assert await ours.retrieve(f"nobody-{uuid.uuid4().hex}") is None

    asyncio.run(scenario())
    ours.engine.dispose()
    rasas.engine.dispose()


def test_indexes_for_the_latest_session_exist(any_db_url):
    store = CoachTrackerStore(DOMAIN, host=any_db_url)
    names = {i["name"] for i in sa.inspect(store.engine).get_indexes("events")}
    assert set(_INDEXES) == {"ix_events_sender_type_time", "ix_events_sender_id_id", "ix_events_sender_time"}
    assert set(_INDEXES) <= names
    CoachTrackerStore(DOMAIN, host=any_db_url).engine.dispose()  # a second start is fine
    store.engine.dispose()


def test_servers_starting_together_create_the_indexes_once_without_failing(any_db_url):
    """Two scaled Rasa instances start at once on one database: both create the indexes."""
    store = CoachTrackerStore(DOMAIN, host=any_db_url)
    table = f"events_race_{uuid.uuid4().hex[:8]}"
    with store.engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} (id INTEGER, sender_id VARCHAR(255), "
                             "type_name VARCHAR(255), timestamp FLOAT)"))
    failures = []
    for _ in range(5):
        with store.engine.begin() as conn:
            for name in _INDEXES:
                conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
        barrier = threading.Barrier(3)

        def start():
            barrier.wait()
            try:
                ensure_indexes(store.engine, table)
            except Exception as exc:  # what would stop a server's start
                failures.append(exc)

        threads = [threading.Thread(target=start) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    names = {i["name"] for i in sa.inspect(store.engine).get_indexes(table)}
    assert set(_INDEXES) <= names
    with store.engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {table}"))
    store.engine.dispose()


def test_lock_store_is_in_memory_without_url():
    assert isinstance(LockStore.create(EndpointConfig(url="", type="bot.rasa_ext.stores.UrlLockStore")),
                      InMemoryLockStore)
    assert isinstance(UrlLockStore(url=None), InMemoryLockStore)


def test_lock_store_uses_redis_from_url(redis_url):
    lock_store = LockStore.create(EndpointConfig(url=redis_url, type="bot.rasa_ext.stores.UrlLockStore"))
    assert isinstance(lock_store, RedisLockStore)

    async def scenario():
        async with lock_store.lock("conv-1"):
            held = lock_store.get_lock("conv-1")
            assert held is not None and held.tickets
            assert lock_store.red.exists(lock_store.key_prefix + "conv-1")
        assert lock_store.get_lock("conv-1") is None

    asyncio.run(scenario())


@pytest.mark.parametrize("bad", ["redis://127.0.0.1:1/0"])
def test_lock_store_with_unreachable_redis_fails_clearly(bad):
    store = UrlLockStore(url=bad)
    with pytest.raises(Exception):
        store.get_lock("x")
