"""Faults with real servers, each with nothing lost (issue 12, item 5).

One coach for the whole module, as `make run` starts it (action server, Rasa server,
web page; no nudge scheduler) on PostgreSQL (tracker store and the coach's tables) and
Redis (lock store), with the Telegram channel pointing at a fake Bot API; a second
Rasa server on the same database and Redis joins for the burst, so the dedup is
tested across instances.

PostgreSQL and Redis are private instances started here on free ports, from the
machine's own binaries (/usr/lib/postgresql/<version>/bin, redis-server): restarting
or stopping them cuts nobody else's connections, whereas `pg_ctlcluster <version> main
restart` would cut every other test or engineer using the shared cluster. Where the
binaries are missing the module skips with the reason (fails under REQUIRE_SERVICES=1).

1. The Rasa server restarted mid check-in: the check-in resumes at the next slot
   (the SQL tracker store keeps the form); a Telegram update re-sent after the restart
   is still a duplicate.
2. PostgreSQL restarted: right after a restart the next turn works (pool_pre_ping);
   while it is down, turns fail cleanly (the REST apology, Telegram 503) within a
   bound; once it is back, everything works with no manual step and no turn's rows
   are stored twice; Telegram's re-send of the refused update is processed once.
3. Redis down: a turn gets the apology (REST) or 503 (Telegram, the claim given back),
   nothing is processed without the lock; once Redis is back the re-send is processed once.
4. A burst of 1,000 Telegram updates (700 distinct, 300 repeats) sent concurrently,
   half to each Rasa server: each distinct update processed exactly once.

Each test prints what happened and what was lost (run with -s to see it). Two quick
tests first check the tracker store's side of it without servers: a database restart
leaves no dead pooled connection behind, and a tracker store error fails the turn
instead of running it on an empty in-memory conversation.
"""
from __future__ import annotations

import asyncio
import glob
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
import requests
import sqlalchemy as sa

from bot.channels.telegram import SECRET_HEADER, TEXT_ONLY_REPLY
from bot.channels.rest import FAILURE_REPLY as REST_FAILURE_REPLY
from bot.serve import CoachServers
from bot.store import migrate
from tests.conftest import service_missing
from tests.coach_servers import running_coach
from tests.doubles.telegram_api import FakeTelegramAPI

BOT_ID = str(random.randint(10**8, 10**9))
BOT_TOKEN = f"{BOT_ID}:AA{uuid.uuid4().hex}{uuid.uuid4().hex[:9]}"
SECRET = "faults_" + uuid.uuid4().hex
API_TOKEN = "faults-" + uuid.uuid4().hex
MARKER = "wombatfaultmarker"     # in messages: must appear in no log
BOUND_S = 20.0                   # no request may hang longer than this during an outage

_update_ids = iter(range(random.randint(10**6, 10**7), 10**9))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, every: float = 0.2) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(every)
    return time.monotonic() - started


# ============================================================== private services

class PrivatePostgres:
    """A throw-away PostgreSQL cluster on a free loopback port, run as the postgres user when root."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                       key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
        bindir = Path(found[-1]).parent if found else None
        if bindir is None and shutil.which("pg_ctl") and shutil.which("initdb"):
            bindir = Path(shutil.which("pg_ctl")).parent
        if bindir is None:
            service_missing("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="coach-faults-pg-"))
        self.data, self.log = self.root / "data", self.root / "postgres.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8", "--locale=C")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/coach"

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done

    @property
    def _options(self) -> str:
        return (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c max_connections=300 -c shared_buffers=64MB")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self._options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self._options,
                  "-m", "fast", "-w", "restart")

    def create_database(self) -> None:
        admin = sa.create_engine(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", future=True,
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE "coach"'))
        admin.dispose()

    def destroy(self) -> None:
        try:
            self.stop()
        except Exception:  # noqa: BLE001 - already stopped
            pass
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A throw-away redis-server on a free loopback port, nothing persisted."""

    def __init__(self, work: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("redis-server is not installed")
        self.binary, self.work = binary, work
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.work), "--logfile", str(self.work / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, 15, "redis-server answering")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping())
        except Exception:  # noqa: BLE001
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)
        self.proc = None


# ============================================================== the servers

@pytest.fixture(scope="module")
def api():
    fake = FakeTelegramAPI(BOT_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def postgres():
    pg = PrivatePostgres()
    try:
        pg.start()
        pg.create_database()
        yield pg
    finally:
        pg.destroy()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("faults-redis"))
    server.start()
    yield server
    server.stop()


def _rasa_up(url: str) -> bool:
    try:
        return requests.get(url + "/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def coach(api, postgres, redis_server, tmp_path_factory):
    """The coach on the private PostgreSQL and Redis, plus a second Rasa server (started alongside)."""
    work = tmp_path_factory.mktemp("faults")
    env = dict(DATABASE_URL=postgres.url, REDIS_URL=redis_server.url, RASA_AUTH_TOKEN=API_TOKEN,
               TELEGRAM_TOKEN=BOT_TOKEN, TELEGRAM_SECRET=SECRET, TELEGRAM_API_BASE=api.base_url)
    migrate(postgres.url)
    second: Optional[CoachServers] = None
    with running_coach(work, **env) as servers:
        second = CoachServers({**servers.env, "RASA_PORT": str(free_port())}, log_dir=work / "logs-2",
                              nudges=False)
        second.spawn("rasa")
        try:
            wait_until(lambda: _rasa_up(second.rasa_url), 240, "the second Rasa server answering", every=0.5)
            servers.db.dispose()  # the tests' own engine survives restarts too
            servers.db = sa.create_engine(postgres.url, future=True, pool_pre_ping=True)
            servers.second = second
            servers.telegram_urls = [f"{s.rasa_url}/webhooks/telegram/webhook" for s in (servers, second)]
            yield servers
        finally:
            second.stop()
    for log in list(work.glob("logs/*.log")) + list(work.glob("logs-2/*.log")):
        text = log.read_text(errors="replace")
        assert MARKER not in text and BOT_TOKEN not in text and SECRET not in text, log.name


# ============================================================== the tracker store, without servers

def test_the_tracker_store_survives_its_connections_being_killed(postgres_url):
    """What a database restart does to a pool: every server-side connection is gone."""
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_ext.stores import CoachTrackerStore

    store = FailSafeTrackerStore(CoachTrackerStore(Domain.empty(), host=postgres_url))
    tracker = DialogueStateTracker.from_events("pinged", [UserUttered("hello")])
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("pinged")) is not None       # a pooled connection now exists
    admin = sa.create_engine(postgres_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    admin.dispose()
    assert killed >= 1
    again = asyncio.run(store.retrieve("pinged"))                  # pre-ping: a fresh connection
    assert again is not None and [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello"]
    store._tracker_store.engine.dispose()


def test_a_tracker_store_error_fails_the_turn_instead_of_forgetting_the_conversation(caplog):
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    import bot.rasa_ext.stores  # noqa: F401 - installs the change

    class Broken(InMemoryTrackerStore):
        async def retrieve(self, sender_id):
            raise sa.exc.OperationalError("SELECT", {"sender_id": MARKER}, Exception("connection refused"))

        async def save(self, tracker):
            raise sa.exc.OperationalError("INSERT", {"sender_id": MARKER}, Exception("connection refused"))

    fallback = InMemoryTrackerStore(Domain.empty())
    store = FailSafeTrackerStore(Broken(Domain.empty()), fallback_tracker_store=fallback)
    with pytest.raises(sa.exc.OperationalError):
        asyncio.run(store.retrieve("someone"))        # not None: Rasa would start an empty conversation
    with pytest.raises(sa.exc.OperationalError):
        asyncio.run(store.save(DialogueStateTracker.from_events("someone", [])))
    assert list(asyncio.run(fallback.keys())) == []    # nothing went to memory instead
    assert "the turn is refused" in caplog.text and MARKER not in caplog.text


# ============================================================== helpers

def say(url: str, sender: str, text: str, timeout: float = 90) -> Tuple[int, str, float]:
    """(HTTP status, the replies' text, seconds) of one REST turn."""
    started = time.monotonic()
    resp = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                         timeout=timeout)
    took = time.monotonic() - started
    if resp.status_code != 200:
        return resp.status_code, resp.text, took
    return 200, "\n".join(m.get("text") or "" for m in resp.json()), took


def text_update(chat: int, text: Optional[str], **extra: Any) -> Dict[str, Any]:
    update_id = next(_update_ids)
    message: Dict[str, Any] = {"message_id": update_id % 10**6, "date": int(time.time()),
                               "from": {"id": chat, "is_bot": False, "first_name": "Pat"},
                               "chat": {"id": chat, "type": "private", "first_name": "Pat"}}
    if text is not None:
        message["text"] = text
    message.update(extra)
    return {"update_id": update_id, "message": message}


def sticker_update(chat: int) -> Dict[str, Any]:
    return text_update(chat, None, sticker={"file_id": "CAAC" + uuid.uuid4().hex[:8], "emoji": "👍"})


def post(url: str, update: Dict[str, Any], session: Optional[requests.Session] = None,
         timeout: float = 120) -> requests.Response:
    return (session or requests).post(url, data=json.dumps(update).encode(), timeout=timeout,
                                      headers={"Content-Type": "application/json", SECRET_HEADER: SECRET})


def new_chat() -> int:
    return random.randint(10**8, 2 * 10**9)


def rows(coach, sql: str, **params) -> List[Any]:
    with coach.db.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def user_events(coach, sender: Any) -> List[Any]:
    return rows(coach, "SELECT intent_name, data FROM events WHERE sender_id = :s AND type_name = 'user' "
                       "ORDER BY id", s=str(sender))


def user_rows(coach, table: str, sender: str) -> List[Any]:
    return rows(coach, f"SELECT t.* FROM {table} t JOIN coach_users u ON u.id = t.user_id "
                       "WHERE u.sender_id = :s ORDER BY t.id", s=sender)


def log_text(coach, name: str = "rasa") -> str:
    return (coach.logs / f"{name}.log").read_text(errors="replace")


def report(title: str, **facts: Any) -> None:
    print(f"\n[{title}] " + "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in facts.items()))


# ============================================================== 1. Rasa restarted mid check-in

@pytest.mark.e2e
def test_rasa_restarted_mid_checkin_resumes_at_the_next_slot(coach, api):
    me = "fault-rasa-" + uuid.uuid4().hex
    status, reply, _ = say(coach.rasa_url, me, "let's do my check-in")
    assert status == 200 and "0 (no pain)" in reply, reply
    status, reply, _ = say(coach.rasa_url, me, "6")
    assert status == 200 and "where" in reply.lower(), reply
    chat = new_chat()
    update = text_update(chat, "hi there")
    assert post(coach.telegram_urls[0], update).json() == {"ok": True}
    api.wait_for("sendMessage", chat_id=chat, timeout=30)

    rasa = coach.procs["rasa"]
    os.killpg(rasa.pid, signal.SIGTERM)   # the Rasa server process only; actions and web stay up
    rasa.wait(30)
    assert not _rasa_up(coach.rasa_url)
    stopped = time.monotonic()
    coach.restart("rasa")
    wait_until(lambda: _rasa_up(coach.rasa_url), 240, "the restarted Rasa server answering", every=0.5)
    back_in = time.monotonic() - stopped

    status, reply, _ = say(coach.rasa_url, me, "my calf")
    assert status == 200 and "yesterday" in reply.lower(), reply    # the form went on: trend is next
    assert "0 (no pain)" not in reply                                # not asked again from the start
    status, reply, _ = say(coach.rasa_url, me, "worse than yesterday")
    assert status == 200 and reply, reply
    checkins = [(c.pain_score, c.location, c.trend) for c in user_rows(coach, "coach_checkins", me)]
    assert checkins == [(6.0, "calf", "worse")]                       # one row, complete
    assert len(user_events(coach, me)) == 4                           # every turn once

    resent = post(coach.telegram_urls[0], update)                     # Telegram re-sends after the restart
    assert resent.json() == {"ok": True, "duplicate": True}
    assert len(user_events(coach, chat)) == 1
    report("Rasa restarted mid check-in", back_up_in=f"{back_in:.0f} s",
           checkin=checkins[0], user_events=4, telegram_resend="refused as a duplicate", lost="nothing")


# ============================================================== 2. PostgreSQL restarted

@pytest.mark.e2e
def test_postgres_restarted_requests_fail_cleanly_then_recover_with_nothing_stored_twice(coach, api, postgres):
    me = "fault-pg-" + uuid.uuid4().hex
    chat = new_chat()
    status, reply, _ = say(coach.rasa_url, me, "I walked 20 minutes")
    assert status == 200 and reply

    # A restart with no traffic in between: the very next turn works (pre-ping, every engine).
    postgres.restart()
    status, reply, took = say(coach.rasa_url, me, "I walked 15 minutes")
    assert status == 200 and reply != REST_FAILURE_REPLY, reply
    first = post(coach.telegram_urls[0], text_update(chat, "hi there"))
    assert first.status_code == 200 and first.json() == {"ok": True}
    api.wait_for("sendMessage", chat_id=chat, timeout=30)

    # An outage with traffic: clean failures within the bound.
    postgres.stop()
    outage: Dict[str, Tuple[int, str, float]] = {}
    try:
        outage["rest"] = say(coach.rasa_url, me, f"I walked 25 minutes {MARKER}", timeout=BOUND_S + 10)
        lost_update = text_update(chat, f"I walked 30 minutes {MARKER}")
        started = time.monotonic()
        resp = post(coach.telegram_urls[0], lost_update, timeout=BOUND_S + 10)
        outage["telegram"] = (resp.status_code, resp.text, time.monotonic() - started)
        resp = post(coach.telegram_urls[0], lost_update, timeout=BOUND_S + 10)  # Telegram's re-send
        outage["telegram again"] = (resp.status_code, resp.text, time.monotonic() - started)
    finally:
        postgres.start()
    assert outage["rest"][0] == 200 and outage["rest"][1] == REST_FAILURE_REPLY, outage["rest"]
    assert outage["telegram"][0] == 503 and outage["telegram again"][0] == 503, outage
    assert all(took < BOUND_S for _, _, took in outage.values()), outage
    rasa_log = log_text(coach)
    assert "Could not record a Telegram update id (database unreachable" in rasa_log
    assert "Handling a REST message failed" in rasa_log

    # Back: no manual step. The person repeats the REST turn (as the apology asks);
    # Telegram re-sends the refused update on its own.
    status, reply, _ = say(coach.rasa_url, me, "I walked 25 minutes")
    assert status == 200 and reply != REST_FAILURE_REPLY, reply
    resent = post(coach.telegram_urls[0], lost_update)
    assert resent.status_code == 200 and resent.json() == {"ok": True}
    assert post(coach.telegram_urls[1], lost_update).json()["duplicate"]   # and only once

    minutes = [a.minutes for a in user_rows(coach, "coach_activities", me)]
    assert minutes == [20.0, 15.0, 25.0]                         # the failed turn stored nothing
    assert [json.loads(e.data)["text"] for e in user_events(coach, me)] == [
        "I walked 20 minutes", "I walked 15 minutes", "I walked 25 minutes"]
    tg_texts = [json.loads(e.data)["text"] for e in user_events(coach, chat)]
    assert tg_texts == ["hi there", f"I walked 30 minutes {MARKER}"]   # the re-sent update, once
    assert [a.minutes for a in user_rows(coach, "coach_activities", str(chat))] == [30.0]
    report("PostgreSQL restarted",
           after_a_quiet_restart=f"next turn answered in {took:.2f} s",
           during_the_outage=", ".join(f"{k} -> {s} in {t:.2f} s" for k, (s, _, t) in outage.items()),
           after=f"REST retried once, Telegram re-send processed once; activity rows {minutes}",
           lost="nothing")


# ============================================================== 3. Redis down

@pytest.mark.e2e
def test_redis_down_is_a_clear_error_and_nothing_is_processed_twice(coach, api, redis_server):
    me = "fault-redis-" + uuid.uuid4().hex
    chat = new_chat()
    status, reply, _ = say(coach.rasa_url, me, "hi there")
    assert status == 200 and reply

    redis_server.stop()
    try:
        rest = say(coach.rasa_url, me, f"I walked 40 minutes {MARKER}", timeout=BOUND_S + 10)
        update = text_update(chat, f"I walked 35 minutes {MARKER}")
        started = time.monotonic()
        refused = post(coach.telegram_urls[0], update, timeout=BOUND_S + 10)
        tg_took = time.monotonic() - started
        refused_too = post(coach.telegram_urls[1], update, timeout=BOUND_S + 10)   # the re-send, elsewhere
        time.sleep(1)
        during = (len(user_events(coach, me)), len(user_events(coach, chat)))
    finally:
        redis_server.start()
    assert rest[0] == 200 and rest[1] == REST_FAILURE_REPLY and rest[2] < BOUND_S, rest
    assert refused.status_code == 503 and "lock" in refused.json()["error"], refused.text
    assert refused_too.status_code == 503 and tg_took < BOUND_S
    assert during == (1, 0)                       # nothing processed without the lock
    assert api.calls_of("sendMessage", chat_id=chat) == []   # no half-answer either
    assert "LockError" in log_text(coach)
    assert "could not take its conversation lock" in log_text(coach)

    resent = post(coach.telegram_urls[0], update)              # Telegram re-sends; Redis is back
    assert resent.status_code == 200 and resent.json() == {"ok": True}
    assert post(coach.telegram_urls[1], update).json()["duplicate"]
    status, reply, _ = say(coach.rasa_url, me, "I walked 40 minutes")
    assert status == 200 and reply != REST_FAILURE_REPLY
    assert [a.minutes for a in user_rows(coach, "coach_activities", me)] == [40.0]
    assert [a.minutes for a in user_rows(coach, "coach_activities", str(chat))] == [35.0]
    assert len(user_events(coach, chat)) == 1 and len(user_events(coach, me)) == 2
    report("Redis down", rest=f"HTTP {rest[0]} apology in {rest[2]:.2f} s",
           telegram=f"503 in {tg_took:.2f} s on both instances, claim given back",
           after="re-send processed once, REST retry stored once", lost="nothing")


# ============================================================== 4. a burst with repeats

@pytest.mark.e2e
def test_a_burst_of_1000_updates_with_repeats_is_processed_once_each(coach, api):
    rng = random.Random(12)
    chats = [new_chat() for _ in range(150)]
    texts = [text_update(chat, "hi") for chat in chats]                 # 150 Rasa turns, one per chat
    stickers = [sticker_update(rng.choice(chats)) for _ in range(550)]  # 550 cheap ones (no model)
    distinct = texts + stickers
    burst = distinct + [rng.choice(distinct) for _ in range(300)]       # 300 repeats
    rng.shuffle(burst)
    assert len(burst) == 1000 and len({u["update_id"] for u in burst}) == 700

    sessions: Dict[int, requests.Session] = {}

    def send(numbered: Tuple[int, Dict[str, Any]]) -> Tuple[int, int, Dict[str, Any]]:
        i, update = numbered
        session = sessions.setdefault(threading.get_ident(), requests.Session())
        resp = post(coach.telegram_urls[i % 2], update, session=session)    # alternately to both
        return update["update_id"], resp.status_code, resp.json()

    started = time.monotonic()
    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(send, enumerate(burst)))
    took = time.monotonic() - started
    for session in sessions.values():
        session.close()

    assert Counter(status for _, status, _ in answers) == {200: 1000}
    taken = Counter(uid for uid, _, body in answers if not body.get("duplicate"))
    refused = sum(1 for _, _, body in answers if body.get("duplicate"))
    assert len(taken) == 700 and set(taken.values()) == {1}      # each distinct one taken once
    assert refused == 300

    # What was processed, counted where it left its trace.
    for chat, update in zip(chats, texts):
        assert len(user_events(coach, chat)) == 1, chat           # one Rasa turn per text update
    wait_until(lambda: len([c for c in api.calls_of("sendMessage") if c.params.get("text") == TEXT_ONLY_REPLY
                            and int(c.params["chat_id"]) in set(chats)]) >= len(stickers), 30,
               "every sticker's reply")
    time.sleep(1)
    replies = Counter(int(c.params["chat_id"]) for c in api.calls_of("sendMessage")
                      if c.params.get("text") == TEXT_ONLY_REPLY and int(c.params["chat_id"]) in set(chats))
    expected = Counter(u["message"]["chat"]["id"] for u in stickers)
    assert replies == expected                                     # one reply per sticker update
    stored = rows(coach, "SELECT count(*) FROM coach_telegram_updates WHERE bot_id = :b AND update_id IN "
                         "(SELECT unnest(CAST(:ids AS bigint[])))", b=BOT_ID,
                  ids=[u["update_id"] for u in distinct])[0][0]
    assert stored == 700
    per_instance = Counter(i % 2 for i, (_, _, body) in enumerate(answers) if not body.get("duplicate"))
    winner = {uid: i % 2 for i, (uid, _, body) in enumerate(answers) if not body.get("duplicate")}
    across = sum(1 for i, (uid, _, body) in enumerate(answers) if body.get("duplicate") and winner[uid] != i % 2)
    assert across > 0  # copies refused by the instance that did not process them: the shared store
    report("burst", updates=1000, distinct=700, time=f"{took:.1f} s ({1000 / took:.0f} updates/s)",
           distinct_processed=f"{len(taken)} (each once: {len(texts)} Rasa turns, {len(stickers)} "
                              f"text-only replies)",
           duplicates_refused=f"{refused} ({across} of them on the other instance than the one that "
                              "processed the update)",
           processed_per_instance=dict(per_instance), lost="nothing")
