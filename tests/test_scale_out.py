"""Scale-out on existing engines (issue 12, item 4): two Rasa instances, one action server and
the web page behind Debian's nginx, on PostgreSQL (tracker store and the coach's tables) and
Redis (lock store), brought up ONCE for this module by `bot.scale.ScaleOut` (`make scale-test`).

Every client request goes to nginx's port. The tests read nginx's access log (each response
carries its X-Request-ID; the log line names the instance that answered) and the database.
The nudge schedulers are the exception by design: each calls its own instance (RASA_PORT).

Skipped with the reason when nginx, PostgreSQL or Redis is missing, unless REQUIRE_SERVICES=1.
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time as clock_time, timedelta
from typing import Dict, List, Tuple

import pytest
import requests
import sqlalchemy as sa

from bot.scale import ScaleOut, find_nginx
from bot.settings import PROJECT_ROOT
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, service_missing
from tests.doubles.telegram_api import FakeTelegramAPI

pytestmark = pytest.mark.e2e

TOKEN = "scale-" + uuid.uuid4().hex
BOT_TOKEN = f"{random.randint(10**8, 10**9)}:AA{uuid.uuid4().hex}"
SCALE_REDIS_DB = int(os.environ.get("SCALE_REDIS_DB", "13"))  # a db of its own (the fixture's is 15)
CONCURRENT = 10
BURSTS = 3  # the lock race of PITFALLS 15 shows in about half of the bursts


# ------------------------------------------------------------------ the deployment, once

@pytest.fixture(scope="module")
def services():
    """A fresh PostgreSQL database and a Redis URL on a db of its own, or a skip saying what is missing."""
    import redis
    from sqlalchemy.engine import make_url

    if find_nginx() is None:
        service_missing("nginx is not installed (`make nginx` installs Debian's package)")
    admin = sa.create_engine(TEST_DATABASE_URL, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "missing"
        admin.dispose()
        service_missing(f"PostgreSQL not reachable at {TEST_DATABASE_URL}: {exc.__class__.__name__}")
    redis_url = TEST_REDIS_URL.rsplit("/", 1)[0] + f"/{SCALE_REDIS_DB}"
    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        service_missing(f"Redis not reachable at {redis_url}: {exc.__class__.__name__}")
    name = f"coach_scale_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield {"database_url": url, "redis_url": redis_url, "redis": client}
    finally:
        client.close()
        with admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="module")
def scale(services, tmp_path_factory):
    logs = tmp_path_factory.mktemp("scale-out") / "logs"
    deployment = ScaleOut.create(services["database_url"], services["redis_url"], nudges=False,
                                 log_dir=logs, extra_env={"RASA_AUTH_TOKEN": TOKEN})
    deployment.start()
    print(f"\n[scale-out] two Rasa instances, actions, web and nginx up in {deployment.started_in:.0f} s")
    deployment.db = sa.create_engine(services["database_url"], future=True)
    deployment.redis = services["redis"]
    try:
        yield deployment
    finally:
        deployment.db.dispose()
        deployment.stop()


@pytest.fixture(scope="module")
def instances(scale) -> List[str]:
    return [f"127.0.0.1:{port}" for port in scale.rasa_ports]


# ------------------------------------------------------------------ helpers

def say(scale, sender: str, text: str, timeout: float = 120) -> requests.Response:
    resp = requests.post(f"{scale.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                         timeout=timeout)
    assert resp.status_code == 200, (resp.status_code, resp.text[:300])
    return resp


def text_of(resp: requests.Response) -> str:
    return "\n".join(m.get("text", "") for m in resp.json())


def access_log(scale) -> Dict[str, Dict[str, str]]:
    """nginx's access log by request id: status, method, uri, upstream, route."""
    lines = {}
    for line in scale.access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) < 6:
            continue
        fields = dict(p.split("=", 1) for p in parts[5:] if "=" in p)
        lines[parts[1]] = {"status": parts[2], "method": parts[3], "uri": parts[4], **fields}
    return lines


def upstreams_of(scale, request_ids: List[str], wait: float = 5.0) -> List[str]:
    """The instance that answered each request (nginx logs a request as it completes)."""
    deadline = time.monotonic() + wait
    while True:
        log = access_log(scale)
        if all(rid in log for rid in request_ids) or time.monotonic() > deadline:
            return [log.get(rid, {}).get("upstream", "?") for rid in request_ids]
        time.sleep(0.1)


def events_of(scale, sender: str) -> List[dict]:
    with scale.db.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, type_name, timestamp, data FROM events "
                                    "WHERE sender_id = :s ORDER BY id"), {"s": sender}).all()
    return [dict(json.loads(r.data), _id=r.id, _ts=r.timestamp) for r in rows]


def user_rows(scale, table: str, sender: str) -> list:
    with scale.db.connect() as conn:
        return conn.execute(sa.text(f"SELECT t.* FROM {table} t JOIN coach_users u ON u.id = t.user_id "
                                    "WHERE u.sender_id = :s ORDER BY t.id"), {"s": sender}).all()


def turns_of(events: List[dict]) -> List[List[dict]]:
    """The events from each user message up to (not including) the next one."""
    turns: List[List[dict]] = []
    for event in events:
        if event["event"] == "user":
            turns.append([event])
        elif turns:
            turns[-1].append(event)
    return turns


def assert_well_formed(turns: List[List[dict]]) -> None:
    """Each turn: its user message, then at least one bot reply, then the bot listens again."""
    for i, turn in enumerate(turns):
        kinds = [e["event"] for e in turn]
        assert kinds.count("user") == 1, f"turn {i}: {kinds}"
        assert "bot" in kinds, f"turn {i} has no bot reply: {kinds}"
        actions = [e.get("name") for e in turn if e["event"] == "action"]
        assert actions and actions[-1] == "action_listen", f"turn {i} does not end listening: {actions}"


# ------------------------------------------------------------------ 1. one conversation, both instances

def test_a_checkin_alternating_between_instances_keeps_order_slots_and_rows(scale, instances):
    me = "scale-" + uuid.uuid4().hex
    turns = ["let's do my check-in", "6", "my calf", "worse than yesterday"]
    replies, request_ids = [], []
    for text in turns:
        resp = say(scale, me, text)
        replies.append(text_of(resp))
        request_ids.append(resp.headers["X-Request-ID"])
    served = upstreams_of(scale, request_ids)

    # nginx's round-robin sent the turns to one instance, then the other, and so on.
    assert set(served) == set(instances), served
    assert all(a != b for a, b in zip(served, served[1:])), f"not alternating: {served}"
    # Each instance continued the form the other one started.
    assert "0" in replies[0]
    assert "where" in replies[1].lower()
    assert "yesterday" in replies[2].lower()
    checkins = user_rows(scale, "coach_checkins", me)
    assert [(c.pain_score, c.location, c.trend) for c in checkins] == [(6.0, "calf", "worse")]

    # The tracker: the four messages in order, each answered before the next, each slot set
    # in the turn that gave it, timestamps never going back.
    events = events_of(scale, me)
    assert [e["text"] for e in events if e["event"] == "user"] == turns
    assert [e["_ts"] for e in events] == sorted(e["_ts"] for e in events)
    by_turn = turns_of(events)
    assert_well_formed(by_turn)
    slots = [[(e["name"], e["value"]) for e in turn if e["event"] == "slot"] for turn in by_turn]
    assert ("checkin_score", 6) in slots[1], slots[1]
    assert ("checkin_location", "calf") in slots[2], slots[2]
    assert ("checkin_trend", "worse") in slots[3], slots[3]  # (then the form resets its slots)
    # Both instances read the same tracker (the HTTP API on each, with the token).
    seen = []
    for port in scale.rasa_ports:
        tracker = requests.get(f"http://127.0.0.1:{port}/conversations/{me}/tracker",
                               params={"token": TOKEN}, timeout=30).json()
        seen.append([(e["event"], e.get("timestamp")) for e in tracker["events"]])
    assert seen[0] == seen[1] and len(seen[0]) == len(events)


# ------------------------------------------------------------------ 2. concurrent messages, one person

def _burst(scale, me: str) -> Tuple[float, List[requests.Response]]:
    """CONCURRENT identical messages for `me` at once, through nginx (round-robin: both instances)."""
    started = time.monotonic()
    with ThreadPoolExecutor(CONCURRENT) as pool:
        results = list(pool.map(
            lambda _: requests.post(f"{scale.url}/webhooks/rest/webhook",
                                    json={"sender": me, "message": "walked 10 minutes"}, timeout=180),
            range(CONCURRENT)))
    return time.monotonic() - started, results


@pytest.mark.parametrize("burst", range(BURSTS))
def test_concurrent_messages_for_one_person_are_serialised(scale, instances, burst):
    """Rasa takes a conversation's lock in the lock store (Redis) before each turn, so ten
    messages at once on two instances must still run one after the other. Rasa OSS 3.6's
    RedisLockStore is not atomic across instances (PITFALLS 15): two instances can take the
    same ticket (turns run together: tracker events lost) or delete the lock the other is
    queued on (LockError: the turn dropped, the client gets the apology). Several bursts,
    because that race does not show every time."""
    me = "scale-" + uuid.uuid4().hex
    say(scale, me, "hi")  # the conversation exists; the burst below is ten turns of it
    elapsed, results = _burst(scale, me)
    statuses = [r.status_code for r in results]
    served = upstreams_of(scale, [r.headers.get("X-Request-ID", "?") for r in results])
    activities = user_rows(scale, "coach_activities", me)
    events = events_of(scale, me)
    by_turn = turns_of(events)
    print(f"\n[scale-out] burst {burst + 1}: {CONCURRENT} concurrent turns for one person in {elapsed:.1f} s "
          f"({served.count(instances[0])}+{served.count(instances[1])} per instance): "
          f"{len(activities)} activity rows, {len(by_turn) - 1} of the turns in the tracker")

    assert set(served) == set(instances), served  # the burst really hit both instances
    assert statuses == [200] * CONCURRENT
    assert all(text_of(r).strip() for r in results), "every message deserves a reply"
    assert [(a.kind, a.minutes) for a in activities] == [("walking", 10.0)] * CONCURRENT, \
        "turns were dropped (a LockError? see the Rasa logs and PITFALLS 15)"
    assert [t[0]["text"] for t in by_turn] == ["hi"] + ["walked 10 minutes"] * CONCURRENT, \
        "tracker events were lost: two turns ran at once (PITFALLS 15)"
    assert_well_formed(by_turn)
    assert [e["_ts"] for e in events] == sorted(e["_ts"] for e in events)
    # No lock is left behind in Redis once every turn is done.
    assert scale.redis.exists(f"coach:lock:{me}") == 0


# The same property at the lock store itself, without the servers' timing luck: several processes
# (as several Rasa instances) each run many turns of one conversation at once under the
# configured lock store; a turn reads a counter, waits a little and writes it + 1. Mutual
# exclusion holds iff no turn ever sees another inside and the counter ends at processes x turns.
LOCK_HAMMER = r"""
import asyncio, json, sys, time
import redis
from rasa.core.lock_store import LockError
from bot.rasa_ext.stores import UrlLockStore

url, conversation, processes, turns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
store, r = UrlLockStore(url=url), redis.Redis.from_url(url)
r.incr(f"{conversation}:ready")
while int(r.get(f"{conversation}:ready")) < processes:  # start together
    time.sleep(0.01)
result = {"errors": 0, "overlaps": 0, "hung": 0}

async def turn():
    try:
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            if r.incr(f"{conversation}:inside") != 1:
                result["overlaps"] += 1
            value = int(r.get(f"{conversation}:count") or 0)
            await asyncio.sleep(0.003)
            r.set(f"{conversation}:count", value + 1)
            r.decr(f"{conversation}:inside")
    except LockError:
        result["errors"] += 1

async def main():
    tasks = [asyncio.ensure_future(turn()) for _ in range(turns)]
    _, pending = await asyncio.wait(tasks, timeout=float(sys.argv[5]))
    result["hung"] = len(pending)  # still waiting for the lock: stuck
    for task in pending:
        task.cancel()

asyncio.run(main())
print(json.dumps(result))
"""


def test_the_lock_store_excludes_across_processes(services):
    processes, turns, patience = 4, 10, 45
    conversation = "scale-hammer-" + uuid.uuid4().hex
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TICKET_LOCK_LIFETIME": "10",
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    client = services["redis"]
    procs = []
    try:
        procs = [subprocess.Popen([sys.executable, "-c", LOCK_HAMMER, services["redis_url"], conversation,
                                   str(processes), str(turns), str(patience)], cwd=PROJECT_ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(processes)]
        outputs = [p.communicate(timeout=patience + 120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [err[-1500:] for _, err in outputs]
        results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
        total = {key: sum(r[key] for r in results) for key in ("overlaps", "errors", "hung")}
        count = int(client.get(f"{conversation}:count") or 0)
        print(f"\n[scale-out] lock store, {processes} processes x {turns} turns of one conversation at once: "
              f"{count} done in turn, {total['overlaps']} overlapping, {total['errors']} LockErrors, "
              f"{total['hung']} still waiting after {patience} s")
        assert total == {"overlaps": 0, "errors": 0, "hung": 0}, f"not serialised (PITFALLS 15): {total}"
        assert count == processes * turns
        assert client.exists(f"coach:lock:{conversation}") == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        client.delete(*(f"{conversation}:{k}" for k in ("ready", "inside", "count")),
                      f"coach:lock:{conversation}")


# ------------------------------------------------------------------ 3. the web widget, sticky

async def _widget_turn(url: str, text: str) -> Tuple[str, str]:
    """One widget-like client over long-polling: session, a message, the reply."""
    import aiohttp
    import socketio

    # The cookie jar keeps nginx's route cookie; unsafe=True: the host is an IP address.
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    sio = socketio.AsyncClient(http_session=http, reconnection=False)
    confirmed, replied = asyncio.get_running_loop().create_future(), asyncio.get_running_loop().create_future()

    @sio.on("session_confirm")
    async def _confirm(session_id):
        if not confirmed.done():
            confirmed.set_result(session_id)

    @sio.on("bot_uttered")
    async def _reply(message):
        if not replied.done():
            replied.set_result(message.get("text") or "")

    try:
        await sio.connect(url, socketio_path="/socket.io/", transports=["polling"], wait_timeout=30)
        session_id = uuid.uuid4().hex
        await sio.emit("session_request", {"session_id": session_id})
        assert await asyncio.wait_for(confirmed, 30) == session_id
        await sio.emit("user_uttered", {"message": text, "session_id": session_id})
        return session_id, await asyncio.wait_for(replied, 60)
    finally:
        await sio.disconnect()
        await http.close()


def test_web_widget_sessions_stick_to_one_instance_and_get_replies(scale, instances):
    """Long-polling needs every request of a session on the instance that made it: nginx's
    route cookie does that, while different sessions spread over both instances."""
    before = set(access_log(scale))
    replies: List[Tuple[str, str]] = []
    routes: Dict[str, set] = {}
    for attempt in range(16):  # sessions until both instances have served some (or 16)
        replies.append(asyncio.run(_widget_turn(scale.url, "walked 10 minutes")))
        time.sleep(0.2)  # nginx logs a request as it completes
        routes = {}
        for rid, line in access_log(scale).items():
            if rid not in before and line["uri"].startswith("/socket.io"):
                routes.setdefault(line["route"], set()).add(line["upstream"])
        if len(set().union(*routes.values())) == len(instances) and attempt >= 3:
            break
    print(f"\n[scale-out] {len(replies)} widget sessions over {len(routes)} routes: "
          f"{sorted(sorted(u) for u in routes.values())}")

    assert all(reply.strip() for _, reply in replies), replies
    assert all(len(upstream) == 1 for upstream in routes.values()), routes  # sticky
    assert set().union(*routes.values()) == set(instances), routes       # and spread
    for session_id, _ in replies:
        assert [(a.kind, a.minutes) for a in user_rows(scale, "coach_activities", session_id)] == [("walking", 10.0)]


def test_nginx_routes_only_the_coach(scale):
    assert requests.get(f"{scale.url}/nginx-health", timeout=10).text == "ok\n"
    page = requests.get(f"{scale.url}/", timeout=10)
    assert page.status_code == 200 and "Not medical advice" in page.text
    # The web page's relay goes through nginx to either instance.
    resp = requests.post(f"{scale.url}/api/chat", json={"sender": uuid.uuid4().hex, "message": "hello"}, timeout=60)
    assert resp.status_code == 200 and resp.json()[0]["text"]
    # Rasa's HTTP API is not reachable through nginx, token or not.
    assert requests.get(f"{scale.url}/conversations/x/tracker", params={"token": TOKEN},
                        timeout=10).status_code == 404
    assert requests.get(f"{scale.url}/status", params={"token": TOKEN}, timeout=10).status_code == 404


# ------------------------------------------------------------------ 4. nudges: a scheduler per instance

def test_schedulers_on_both_instances_send_each_due_nudge_once(scale):
    from bot.store import open_store

    api = FakeTelegramAPI(BOT_TOKEN).start()
    try:
        now = datetime.utcnow().replace(second=30, microsecond=0) + timedelta(days=1)
        now = now.replace(hour=12, minute=0)
        store = open_store(scale.env["DATABASE_URL"], run_migrations=False)
        people = [str(random.randint(10**8, 2 * 10**9)) for _ in range(12)]
        for person in people:  # a daily check-in reminder at 12:00 UTC, on Telegram
            store.set_reminder(person, "checkin", clock_time(12, 0), at=now - timedelta(hours=1))
            store.set_zone(person, "UTC", now - timedelta(hours=1))
            store.set_contact(person, "telegram")
        store.engine.dispose()

        procs = []
        started = time.monotonic()
        for number in (1, 2):  # both at the same instant, each rendering through its own instance
            env = {**scale.env_for(f"nudges-{number}"), "TELEGRAM_TOKEN": BOT_TOKEN,
                   "TELEGRAM_API_BASE": api.base_url}
            procs.append(subprocess.Popen(scale.scheduler_command(f"{now.isoformat()}Z"), cwd=PROJECT_ROOT,
                                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        outputs = [p.communicate(timeout=300) for p in procs]
        elapsed = time.monotonic() - started
        for proc, (out, err) in zip(procs, outputs):
            assert proc.returncode == 0, err[-2000:]
        summaries = [out.strip().splitlines()[-1] for out, _ in outputs]
        print(f"\n[scale-out] two schedulers at once, {elapsed:.1f} s: {summaries}")

        sends = api.received("sendMessage")
        assert sorted(str(c.params["chat_id"]) for c in sends) == sorted(people)  # each once
        with scale.db.connect() as conn:
            outbox = conn.execute(sa.text(
                "SELECT u.sender_id, n.kind, n.status FROM coach_nudges n JOIN coach_users u "
                "ON u.id = n.user_id WHERE u.sender_id IN :p").bindparams(
                    sa.bindparam("p", expanding=True)), {"p": people}).all()
        assert sorted(tuple(r) for r in outbox) == sorted((p, "checkin", "sent") for p in people)
        # Each nudge is in its person's tracker exactly once, whichever instance rendered it.
        for person in people:
            nudges = [e for e in events_of(scale, person)
                      if e["event"] == "user" and (e.get("parse_data") or {}).get("intent", {}).get("name") == "EXTERNAL_nudge"]
            assert len(nudges) == 1, person
        # A second pair of runs a little later sends nothing more.
        again = [subprocess.run(scale.scheduler_command(f"{(now + timedelta(seconds=20)).isoformat()}Z"),
                                cwd=PROJECT_ROOT, env={**scale.env_for(f"nudges-{n}"), "TELEGRAM_TOKEN": BOT_TOKEN,
                                                       "TELEGRAM_API_BASE": api.base_url},
                                capture_output=True, text=True, timeout=300) for n in (1, 2)]
        assert all(r.returncode == 0 for r in again)
        assert len(api.received("sendMessage")) == len(people)
    finally:
        api.stop()


# ------------------------------------------------------------------ the deployment files (no services)

def test_compose_nginx_conf_is_the_rendered_template(capsys):
    """deploy/compose/nginx.conf is what `nginx-site` renders today (its first line says how)."""
    import shlex

    from bot.scale import main

    committed = (PROJECT_ROOT / "deploy" / "compose" / "nginx.conf").read_text()
    command = committed.splitlines()[0].removeprefix("# Rendered by: python -m bot.scale ")
    assert main(shlex.split(command)) == 0
    assert capsys.readouterr().out == committed, "re-render deploy/compose/nginx.conf (its first line)"


def test_site_routes_and_sticky_sessions():
    from bot.scale import nginx_site

    site = nginx_site("8088", ["10.0.0.1:5005", "10.0.0.2:5005"], "127.0.0.1:8080", ["10.0.0.0/8"])
    assert "{{" not in site
    assert site.count("server 10.0.0.1:5005") == 2  # in the round-robin and the sticky upstream
    assert "hash $coach_io_key consistent;" in site and "Set-Cookie \"coach_io=$coach_io_key" in site
    assert "proxy_set_header Upgrade $http_upgrade;" in site
    assert "allow 10.0.0.0/8;" in site and "deny all;" in site


def test_exec_commands_are_make_runs_with_the_deployments_overrides():
    from bot.scale import exec_command
    from bot.serve import coach_env

    env = coach_env({"RASA_PORT": "5006", "RASA_AUTH_TOKEN": "t", "RASA_INTERFACE": "0.0.0.0",
                     "RASA_ENDPOINTS": "deploy/compose/endpoints.yml", "TELEGRAM_TOKEN": ""})
    rasa = exec_command("rasa", env)
    assert rasa[rasa.index("--port") + 1] == "5006" and rasa[rasa.index("--interface") + 1] == "0.0.0.0"
    assert rasa[rasa.index("--endpoints") + 1] == "deploy/compose/endpoints.yml"
    assert "--auth-token=t" in rasa
    assert exec_command("nudges", env)[-1] == "bot.nudges.scheduler"
    with pytest.raises(Exception):
        exec_command("everything", env)


def test_scale_out_refuses_what_cannot_be_shared():
    from bot.scale import ScaleError

    with pytest.raises(ScaleError, match="server database"):
        ScaleOut.create("sqlite:////tmp/x.sqlite3", "redis://127.0.0.1:6379/13")
    with pytest.raises(ScaleError, match="Redis"):
        ScaleOut.create("postgresql://u@h/db", "")


def test_helm_values_carry_the_rendered_site(capsys):
    """deploy/helm/rasa-values.yaml embeds the site for the chart's nginx sidecar, rendered today."""
    import shlex

    import yaml

    from bot.scale import main

    values = yaml.safe_load((PROJECT_ROOT / "deploy" / "helm" / "rasa-values.yaml").read_text())
    site = values["nginx"]["customConfiguration"]["rasa.nginx.conf"]
    command = site.splitlines()[0].removeprefix("# Rendered by: python -m bot.scale ")
    assert main(shlex.split(command)) == 0
    assert capsys.readouterr().out == site
    # The chart's default store keys are nulled, so only the coach's url reaches the stores.
    stores = values["applicationSettings"]["endpoints"]
    assert {k for k, v in stores["trackerStore"].items() if v is not None} == {"enabled", "type", "url"}
    assert {k for k, v in stores["lockStore"].items() if v is not None} == {"enabled", "type", "url"}
