"""Telegram's update_id dedup in the coach's database, shared by every instance (issue 12, item 4).

The store (bot.store.updates) on SQLite and PostgreSQL: one claim per id whoever races
for it (threads with their own engines stand for instances), the in-process cache in
front, release, pruning, and a clean failure while the database is down. Then the
webhook (bot.channels.telegram) with two channel objects on one database standing for
two instances, a restart (a fresh channel), the database down (503, nothing processed,
processed once when it is back), the lock store down (503 and the claim given back),
and the database call kept off the event loop. The end-to-end burst and the faults
with real servers are in tests/test_faults.py.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Dict, List

import pytest
import sqlalchemy as sa

from bot.channels.telegram import FAILURE_REPLY, TelegramChannel, TelegramSettings
from bot.store.db import make_engine, migrate
from bot.store.updates import KEEP, TelegramUpdateLog, UpdateLogUnavailable, shared_engine
from tests.doubles.telegram_api import FakeTelegramAPI

BOT_ID = str(random.randint(10**8, 10**9))
TOKEN = f"{BOT_ID}:AA{uuid.uuid4().hex}"
SECRET = "dedup-" + uuid.uuid4().hex
T0 = datetime(2026, 12, 1, 9, 0)


def dead_postgres_url() -> str:
    """A PostgreSQL URL where nothing listens: every connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/coach"


@pytest.fixture
def db_url(any_db_url):
    migrate(any_db_url)
    return any_db_url


@pytest.fixture
def engines(db_url):
    """Engines of their own, as separate instances would have."""
    made: List[sa.engine.Engine] = []

    def make() -> sa.engine.Engine:
        made.append(make_engine(db_url))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()


def rows(engine) -> List[tuple]:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT bot_id, update_id FROM coach_telegram_updates "
                                    "ORDER BY update_id")).all()


# ============================================================== the store

def test_first_claim_wins_and_every_later_copy_is_a_duplicate(engines):
    one, two = TelegramUpdateLog(BOT_ID, engine=engines()), TelegramUpdateLog(BOT_ID, engine=engines())
    assert one.claim(1001) is True
    assert one.claim(1001) is False          # the same process: from its cache
    assert two.claim(1001) is False          # another instance: from the database
    assert two.claim(1002) is True and one.claim(1002) is False
    assert rows(one.engine) == [(BOT_ID, 1001), (BOT_ID, 1002)]


def test_the_key_is_per_bot(engines):
    engine = engines()
    assert TelegramUpdateLog("111", engine=engine).claim(5) is True
    assert TelegramUpdateLog("222", engine=engine).claim(5) is True  # another bot's update 5
    assert TelegramUpdateLog("111", engine=engine).claim(5) is False


def test_a_restart_remembers_what_was_taken(db_url):
    before = TelegramUpdateLog(BOT_ID, engine=make_engine(db_url))
    assert before.claim(77) is True
    before.engine.dispose()
    after = TelegramUpdateLog(BOT_ID, engine=make_engine(db_url))  # empty cache, same database
    assert not after.seen(77) and after.claim(77) is False
    after.engine.dispose()


def test_racing_instances_take_each_id_exactly_once(engines):
    """8 threads, each with its own log and engine (instances), all claim the same 300 ids."""
    ids = list(range(10_000, 10_300))
    logs = [TelegramUpdateLog(BOT_ID, engine=engines()) for _ in range(8)]

    def run(log: TelegramUpdateLog) -> List[int]:
        mine = ids * 2  # each instance also sees every id twice (Telegram re-sent it)
        random.Random(id(log)).shuffle(mine)
        return [i for i in mine if log.claim(i)]

    with ThreadPoolExecutor(len(logs)) as pool:
        won = [i for part in pool.map(run, logs) for i in part]
    assert sorted(won) == ids  # each id processed once, by exactly one instance
    assert len(rows(logs[0].engine)) == len(ids)


def test_the_cache_saves_the_round_trip_for_a_repeat(engines):
    engine = engines()
    statements: List[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    log = TelegramUpdateLog(BOT_ID, engine=engine, prune_every=timedelta(days=1))
    assert log.claim(42) is True
    issued = len(statements)
    assert log.seen(42) and log.claim(42) is False
    assert len(statements) == issued  # the repeat never reached the database


def test_the_cache_is_small_and_the_database_still_decides(engines):
    log = TelegramUpdateLog(BOT_ID, engine=engines(), cache_size=3)
    for i in range(10):
        assert log.claim(i) is True
    assert [log.seen(i) for i in range(10)] == [False] * 7 + [True] * 3
    assert log.claim(0) is False  # evicted from the cache, still taken


def test_a_released_claim_is_taken_again(engines):
    one, two = TelegramUpdateLog(BOT_ID, engine=engines()), TelegramUpdateLog(BOT_ID, engine=engines())
    assert one.claim(9) is True
    one.release(9)
    assert not one.seen(9) and rows(one.engine) == []
    assert two.claim(9) is True and one.claim(9) is False


def test_old_ids_are_pruned(engines):
    clock = {"now": T0}
    engine = engines()
    log = TelegramUpdateLog(BOT_ID, engine=engine, clock=lambda: clock["now"], prune_every=timedelta(minutes=10))
    other_bot = TelegramUpdateLog("999", engine=engine, clock=lambda: clock["now"])
    assert log.claim(1) and other_bot.claim(1)
    clock["now"] = T0 + timedelta(hours=12)
    assert log.claim(2)
    clock["now"] = T0 + KEEP + timedelta(minutes=30)   # update 1 is over a day old
    assert log.claim(3)                                 # a claim prunes (last one was 24 h ago)
    assert [u for b, u in rows(engine) if b == BOT_ID] == [2, 3]
    assert (("999", 1) in rows(engine))                 # another bot's ids are its own to prune
    assert log.prune(T0 + timedelta(days=3)) == 2 and log.count() == 0


def test_a_database_that_is_down_raises_a_clear_error_and_is_retried():
    for url in (dead_postgres_url(), "sqlite:////dev/null/not-a-dir/coach.sqlite3"):
        log = TelegramUpdateLog(BOT_ID, url=url)
        for _ in range(2):  # no half-open state: the next call tries again
            with pytest.raises(UpdateLogUnavailable) as err:
                log.claim(1)
            assert "postgres" not in str(err.value) and "sqlite" not in str(err.value)  # no URL
        assert not log.seen(1)


def test_an_engine_is_shared_per_url_and_migrated(sqlite_url):
    engine = shared_engine(sqlite_url)
    assert shared_engine(sqlite_url) is engine
    assert "coach_telegram_updates" in sa.inspect(engine).get_table_names()
    assert TelegramUpdateLog(BOT_ID, url=sqlite_url).claim(3) is True
    assert TelegramUpdateLog(BOT_ID, url=sqlite_url).claim(3) is False


# ============================================================== the webhook

@pytest.fixture(scope="module")
def api():
    fake = FakeTelegramAPI(TOKEN).start()
    yield fake
    fake.stop()


def settings(api) -> TelegramSettings:
    return TelegramSettings(token=TOKEN, secret=SECRET, webhook_url=None, api_base=api.base_url)


def update(update_id: int, chat: int, text: str = "hello") -> Dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "from": {"id": chat, "is_bot": False, "first_name": "Pat"},
        "chat": {"id": chat, "type": "private", "first_name": "Pat"}}}


class Rasa:
    """Stands in for the agent: counts the messages handed on, optionally failing first."""

    def __init__(self, fail_with: List[BaseException] = ()) -> None:
        self.messages: List[Any] = []
        self.fail_with = list(fail_with)

    async def __call__(self, message) -> None:
        if self.fail_with:
            raise self.fail_with.pop(0)
        await asyncio.sleep(0.01)  # a turn takes a moment: copies overlap with it
        self.messages.append(message)


def answer(resp) -> Dict[str, Any]:
    return json.loads(resp.body)


@pytest.fixture
async def instances(db_url, api):
    """Two webhook channels on one database: two Rasa instances behind a load balancer."""
    made = [TelegramChannel(settings(api), TelegramUpdateLog(BOT_ID, engine=make_engine(db_url)))
            for _ in range(2)]
    yield made
    for channel in made:
        await channel.output.close()
        channel.updates.engine.dispose()


async def test_a_copy_sent_to_the_other_instance_is_refused(instances):
    one, two = instances
    rasa, chat = Rasa(), random.randint(10**6, 10**9)
    first = await one.handle_update(update(500, chat), rasa)
    again = await two.handle_update(update(500, chat), rasa)
    assert first.status == again.status == 200
    assert answer(first) == {"ok": True} and answer(again) == {"ok": True, "duplicate": True}
    assert len(rasa.messages) == 1


async def test_copies_racing_on_both_instances_are_processed_once(instances):
    rasa, chats = Rasa(), [random.randint(10**6, 10**9) for _ in range(5)]
    updates = [update(20_000 + i, chats[i % 5]) for i in range(60)]
    copies = [(instances[k % 2], u) for k, u in enumerate(updates * 3)]  # each update 3 times
    random.shuffle(copies)
    answers = await asyncio.gather(*(ch.handle_update(u, rasa) for ch, u in copies))
    assert all(r.status == 200 for r in answers)
    assert sum(bool(answer(r).get("duplicate")) for r in answers) == 120
    assert sorted(m.metadata["telegram"]["update_id"] for m in rasa.messages) == [u["update_id"] for u in updates]


async def test_after_a_restart_a_resent_update_is_refused(db_url, api):
    rasa, chat = Rasa(), random.randint(10**6, 10**9)
    before = TelegramChannel(settings(api), TelegramUpdateLog(BOT_ID, url=db_url))
    assert answer(await before.handle_update(update(600, chat), rasa)) == {"ok": True}
    await before.output.close()
    after = TelegramChannel(settings(api), TelegramUpdateLog(BOT_ID, url=db_url))  # a new process
    assert answer(await after.handle_update(update(600, chat), rasa))["duplicate"]
    await after.output.close()
    assert len(rasa.messages) == 1


async def test_the_default_log_is_in_the_coachs_database(monkeypatch, sqlite_url, api):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    channel = TelegramChannel(settings(api))
    assert channel.updates.bot_id == BOT_ID  # the bot's public id, never the token's secret half
    rasa = Rasa()
    await channel.handle_update(update(700, 4242), rasa)
    await channel.output.close()
    assert rows(sa.create_engine(sqlite_url)) == [(BOT_ID, 700)]


async def test_database_down_answers_503_and_nothing_is_lost(db_url, api, caplog):
    """Telegram re-sends what got no 200: the update is processed once the database is back."""
    rasa, chat = Rasa(), random.randint(10**6, 10**9)
    marker = "quokkadedupmarker"
    down = TelegramChannel(settings(api), TelegramUpdateLog(BOT_ID, url=dead_postgres_url()))
    caplog.set_level(logging.DEBUG)
    for _ in range(2):  # Telegram's re-sends while the database is down
        resp = await down.handle_update(update(800, chat, f"my {marker} back"), rasa)
        assert resp.status == 503 and "again later" in answer(resp)["error"]
    await down.output.close()
    assert rasa.messages == [] and api.calls_of("sendMessage", chat_id=chat) == []
    assert "database unreachable" in caplog.text and "answered 503" in caplog.text
    assert marker not in caplog.text and "postgres@" not in caplog.text

    up = TelegramChannel(settings(api), TelegramUpdateLog(BOT_ID, url=db_url))  # it is back
    assert answer(await up.handle_update(update(800, chat, f"my {marker} back"), rasa)) == {"ok": True}
    assert answer(await up.handle_update(update(800, chat, f"my {marker} back"), rasa))["duplicate"]
    await up.output.close()
    assert len(rasa.messages) == 1


async def test_lock_store_down_gives_the_claim_back_and_answers_503(instances, api, caplog):
    """Rasa could not take the conversation lock (Redis down): nothing ran, Telegram re-sends."""
    from rasa.core.lock_store import LockError

    one, two = instances
    chat = random.randint(10**6, 10**9)
    rasa = Rasa(fail_with=[LockError("Error while acquiring lock. Error:\nConnection refused")])
    resp = await one.handle_update(update(900, chat), rasa)
    assert resp.status == 503 and "lock" in answer(resp)["error"]
    assert "answered 503 so Telegram sends it again" in caplog.text
    assert api.calls_of("sendMessage", chat_id=chat) == []  # no apology: the re-send answers
    assert answer(await two.handle_update(update(900, chat), rasa)) == {"ok": True}  # the re-send
    assert answer(await one.handle_update(update(900, chat), rasa))["duplicate"]
    assert len(rasa.messages) == 1


async def test_other_failures_still_answer_200_with_the_apology(instances, api):
    """A failure inside the turn may come after some of it ran: never processed twice."""
    one, two = instances
    chat = random.randint(10**6, 10**9)
    rasa = Rasa(fail_with=[RuntimeError("the tracker store failed")])
    assert answer(await one.handle_update(update(950, chat), rasa)) == {"ok": True}
    assert api.wait_for("sendMessage", chat_id=chat).params["text"] == FAILURE_REPLY
    assert answer(await two.handle_update(update(950, chat), rasa))["duplicate"]
    assert rasa.messages == []


async def test_ids_the_key_cannot_hold_are_refused(instances):
    for bad in (2 ** 63, -(2 ** 63) - 1, 10 ** 30):
        resp = await instances[0].handle_update(update(bad, 1), Rasa())
        assert resp.status == 400 and "out of range" in answer(resp)["error"]


class SlowLog(TelegramUpdateLog):
    """A database that takes 300 ms to answer."""

    def claim(self, update_id: int) -> bool:
        time.sleep(0.3)
        return super().claim(update_id)


async def test_the_database_call_does_not_block_the_event_loop(db_url, api):
    channel = TelegramChannel(settings(api), SlowLog(BOT_ID, engine=make_engine(db_url)))
    ticks: List[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    task = asyncio.ensure_future(ticker())
    started = time.monotonic()
    await asyncio.gather(*(channel.handle_update(update(1000 + i, 7), Rasa()) for i in range(3)))
    elapsed = time.monotonic() - started
    done.set()
    await task
    await channel.output.close()
    channel.updates.engine.dispose()
    assert len(ticks) >= 15  # the loop kept running while the three claims waited
    assert max(b - a for a, b in zip(ticks, ticks[1:])) < 0.2
    assert elapsed < 0.8     # and the three waited side by side, not one after another
