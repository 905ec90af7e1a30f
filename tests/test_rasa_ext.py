"""The tracker store (one URL, erasure on the `data_erased` marker) and the lock store."""
from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.stores import CoachTrackerStore, UrlLockStore
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
