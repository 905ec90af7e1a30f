"""A slow database call in one action does not stall the action server's other requests.

The store is synchronous SQLAlchemy; the actions run their store work in a worker thread
(actions.common.StoreAction), so while one action waits on the database the event loop
serves the next request. Shown without sleeping: a store double blocks one call on a
threading.Event until the test releases it.
"""
from __future__ import annotations

import asyncio
import threading

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.safety import ActionEscalateUrgent
from actions.session import ActionSessionStart
from bot.store import open_store
from bot.triage import EMERGENCY

WAIT = 10  # seconds: only ever reached when the loop is stalled (the test then fails)


class BlockingStore:
    """The real store, except that `record_escalation` waits until `release` is set."""

    def __init__(self, real) -> None:
        self.real = real
        self.entered = threading.Event()
        self.release = threading.Event()
        self.threads = []

    def record_escalation(self, *args, **kwargs):
        self.threads.append(threading.current_thread())
        self.entered.set()
        assert self.release.wait(WAIT), "never released: the event loop was stalled"
        return self.real.record_escalation(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


async def _wait_for(event: threading.Event) -> None:
    assert await asyncio.get_running_loop().run_in_executor(None, event.wait, WAIT)


@pytest.fixture
def store(any_db_url):
    """SQLite (a connection per use, in the calling thread) and PostgreSQL (a pool)."""
    s = open_store(any_db_url)
    yield s
    common.use_store(None)
    s.engine.dispose()


async def test_an_action_blocked_on_the_store_does_not_stall_another_request(store, tracker_factory, domain):
    slow = BlockingStore(store)
    common.use_store(slow)
    loop_thread = threading.current_thread()

    red_flag = tracker_factory("I've wet myself and can't feel my bum", "report_red_flag", sender_id="tester")
    first_dispatcher = CollectingDispatcher()
    first = asyncio.create_task(ActionEscalateUrgent().run(first_dispatcher, red_flag, domain))
    await _wait_for(slow.entered)  # the first request is now inside the database call

    second_dispatcher = CollectingDispatcher()
    second = await asyncio.wait_for(
        ActionSessionStart().run(second_dispatcher, tracker_factory("hi", "greet", sender_id="other"), domain),
        timeout=WAIT)
    assert not first.done()  # still blocked in the store while the second request was served
    assert [e["event"] for e in second] == ["session_started", "slot", "slot", "action"]  # red_flag, returning_person
    assert {e["name"]: e["value"] for e in second if e["event"] == "slot"} == {"red_flag": False, "returning_person": False}

    slow.release.set()
    events = await asyncio.wait_for(first, timeout=WAIT)
    assert slow.threads and loop_thread not in slow.threads  # the store ran off the loop's thread
    assert {e["name"]: e["value"] for e in events if e.get("event") == "slot"} == \
        {"red_flag": True, "requested_slot": None}
    assert "emergency" in first_dispatcher.messages[0]["text"]
    assert store.open_escalation("tester")[0] == EMERGENCY
