"""Supervision (issue 12, item 1): `make run` restarts a crashed server with backoff, and
while the action server is down a person gets a short apology instead of silence.

The supervisor's logic runs on a fake clock with fake children (no real sleeping); the
fail-soft remote action runs against a closed port and a tiny HTTP server; two e2e tests
use the real servers: `python -m bot.serve --no-train` with its action server SIGKILLed,
and `CoachServers` with the action server stopped in the middle of a conversation.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import requests
import sqlalchemy as sa
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

import bot.rasa_ext.stores  # noqa: F401 - what Rasa imports at start; it installs the fail-soft
from bot.rasa_ext import action_fallback
from bot.rasa_ext.action_fallback import UNAVAILABLE_TEXT
from bot.serve import CoachServers, Supervisor, coach_env, describe_exit, ensure_model, free_ports
from bot.settings import PROJECT_ROOT


# ---------------------------------------------------------------- the supervisor's logic

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: List[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:  # time passes, nobody waits
        self.slept.append(seconds)
        self.now += seconds


class FakeChildren:
    """Children that run until `crash(name, code)`; `restart` starts a fresh one."""

    def __init__(self, *names: str) -> None:
        self.code: Dict[str, Optional[int]] = {n: None for n in names}
        self.started: List[str] = []
        self.fail_restart: Dict[str, int] = {}  # name -> how many restarts raise OSError
        self.next_pid = 100

    def names(self) -> List[str]:
        return list(self.code)

    def exit_code(self, name: str) -> Optional[int]:
        return self.code[name]

    def restart(self, name: str) -> int:
        if self.fail_restart.get(name):
            self.fail_restart[name] -= 1
            raise FileNotFoundError("no such executable")
        self.code[name] = None
        self.started.append(name)
        self.next_pid += 1
        return self.next_pid

    def crash(self, name: str, code: int = -9) -> None:
        self.code[name] = code


def _supervisor(children, clock, **kw):
    lines: List[str] = []
    sup = Supervisor(children, clock=clock, sleep=clock.sleep, log=lines.append, **kw)
    return sup, lines


def _advance(sup: Supervisor, clock: FakeClock, seconds: float) -> None:
    end = clock.now + seconds
    while clock.now < end:
        sup.check()
        clock.sleep(sup.tick)
    sup.check()


def test_a_crashed_child_is_restarted_after_a_growing_delay_capped_at_30_s():
    clock, kids = FakeClock(), FakeChildren("actions", "rasa", "web", "nudges")
    sup, lines = _supervisor(kids, clock)
    delays = []
    for _ in range(8):  # crashes again as soon as it is back
        kids.crash("actions", 1)
        crashed_at = clock.now
        sup.check()
        n = len(kids.started)
        while len(kids.started) == n:
            clock.sleep(sup.tick)
            sup.check()
        delays.append(clock.now - crashed_at)
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    assert kids.started == ["actions"] * 8  # the others never touched
    assert lines[0] == "The actions server exited with 1; restarting it in 1 s."
    assert lines[1].startswith("Restarted the actions server (pid ") and lines[1].endswith("restart 1).")
    assert "restarting it in 30 s." in lines[-2]


def test_the_delay_starts_again_at_1_s_once_a_child_stayed_up_a_minute():
    clock, kids = FakeClock(), FakeChildren("actions", "web")
    sup, lines = _supervisor(kids, clock)
    for _ in range(3):
        kids.crash("web", -9)
        _advance(sup, clock, 5)
    assert [l for l in lines if "exited" in l][-1].endswith("restarting it in 4 s.")
    _advance(sup, clock, 61)  # up for over a minute
    kids.crash("web", -9)
    sup.check()
    assert lines[-1] == "The web server exited with -9 (SIGKILL); restarting it in 1 s."


def test_no_restart_before_its_delay_and_each_child_has_its_own_backoff():
    clock, kids = FakeClock(), FakeChildren("actions", "rasa", "web", "nudges")
    sup, lines = _supervisor(kids, clock)
    kids.crash("rasa", -9)
    kids.crash("nudges", 1)
    sup.check()
    assert kids.started == []
    clock.now += 0.99
    sup.check()
    assert kids.started == []
    clock.now += 0.01
    sup.check()
    assert sorted(kids.started) == ["nudges", "rasa"]
    assert sup.restarts == {"actions": 0, "rasa": 1, "web": 0, "nudges": 1}


def test_a_failed_restart_is_logged_and_tried_again_later():
    clock, kids = FakeClock(), FakeChildren("actions")
    kids.fail_restart["actions"] = 2
    sup, lines = _supervisor(kids, clock)
    kids.crash("actions", -9)
    _advance(sup, clock, 10)
    assert kids.started == ["actions"]
    assert lines[:3] == [
        "The actions server exited with -9 (SIGKILL); restarting it in 1 s.",
        "Could not restart the actions server (FileNotFoundError); trying again in 2 s.",
        "Could not restart the actions server (FileNotFoundError); trying again in 4 s.",
    ]


def test_run_returns_when_told_to_stop_and_restarts_nothing_after_that():
    clock, kids = FakeClock(), FakeChildren("actions", "web")
    sup, lines = _supervisor(kids, clock)
    stop = {"flag": False}

    def sleep(seconds):
        clock.sleep(seconds)
        if clock.now >= 1003:
            kids.crash("actions", -15)  # the signal reached a child too
            stop["flag"] = True

    sup.sleep = sleep
    sup.run(lambda: stop["flag"])
    assert kids.started == [] and clock.now == 1003
    assert all(s == 0.5 for s in clock.slept)


def test_restart_lines_hold_names_codes_and_delays_only():
    assert describe_exit(-9) == "-9 (SIGKILL)" and describe_exit(3) == "3"
    clock, kids = FakeClock(), FakeChildren("actions")
    sup, lines = _supervisor(kids, clock)
    kids.crash("actions", 137)
    _advance(sup, clock, 2)
    for line in lines:
        assert re.fullmatch(r"(The actions server exited with 137; restarting it in 1 s\.|"
                            r"Restarted the actions server \(pid \d+, restart 1\)\.)", line), line


def test_coach_servers_reap_a_dead_child_with_its_whole_group_then_restart_it(tmp_path):
    """The real process handling: the leader dies, its group's straggler goes with it."""
    servers = CoachServers(coach_env(), log_dir=tmp_path)
    script = f"cd '{tmp_path}'; sleep 300 & echo $! > straggler; exec sleep 300"
    servers.commands = lambda: {"child": ["sh", "-c", script]}
    first = servers.spawn("child")
    try:
        deadline = time.monotonic() + 10
        while not (tmp_path / "straggler").exists() or not (tmp_path / "straggler").read_text().strip():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        straggler = int((tmp_path / "straggler").read_text())
        assert servers.exit_code("child") is None
        os.kill(first.pid, signal.SIGKILL)  # the leader only
        deadline = time.monotonic() + 10
        while servers.exit_code("child") is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert servers.exit_code("child") == -9
        time.sleep(0.2)
        assert not _alive(straggler)
        second = servers.restart("child")
        assert second != first.pid and servers.exit_code("child") is None
    finally:
        servers.stop()
    assert servers.procs == {}


# ---------------------------------------------------------------- the fail-soft remote action

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
NLG = TemplatedNaturalLanguageGenerator(DOMAIN.responses)


def _closed_port_endpoint() -> EndpointConfig:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")


def _tracker(text="I walked 25 minutes", intent="report_activity", before=()) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("someone", [
        *before, ActionExecuted("action_listen"),
        UserUttered(text, intent={"name": intent, "confidence": 1.0}),
    ], slots=DOMAIN.slots)


async def test_an_unreachable_action_server_gives_one_short_apology_and_no_other_event():
    action = RemoteAction("action_record_activity", _closed_port_endpoint())
    events = await action.run(CollectingOutputChannel(), NLG, _tracker(), DOMAIN)
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    assert events[0].text == UNAVAILABLE_TEXT
    assert "try again" in UNAVAILABLE_TEXT and len(UNAVAILABLE_TEXT) < 80


async def test_one_apology_per_turn_and_a_new_turn_apologises_again():
    endpoint = _closed_port_endpoint()
    tracker = _tracker()
    first = await RemoteAction("action_record_activity", endpoint).run(
        CollectingOutputChannel(), NLG, tracker, DOMAIN)
    tracker.update_with_events([ActionExecuted("action_record_activity"), *first], DOMAIN)
    again = await RemoteAction("action_progress_summary", endpoint).run(
        CollectingOutputChannel(), NLG, tracker, DOMAIN)
    assert again == []
    tracker.update_with_events([ActionExecuted("action_listen"),
                                UserUttered("how am I doing?", intent={"name": "ask_progress"})], DOMAIN)
    next_turn = await RemoteAction("action_progress_summary", endpoint).run(
        CollectingOutputChannel(), NLG, tracker, DOMAIN)
    assert [e.text for e in next_turn] == [UNAVAILABLE_TEXT]


async def test_a_failed_session_start_is_quiet_and_the_turns_action_still_apologises():
    endpoint = _closed_port_endpoint()
    tracker = DialogueStateTracker.from_events("new", [], slots=DOMAIN.slots)
    started = await RemoteAction("action_session_start", endpoint).run(
        CollectingOutputChannel(), NLG, tracker, DOMAIN)
    assert started == [ActionExecuted("action_listen")]  # no reply, and the message is read as usual
    tracker.update_with_events([ActionExecuted("action_session_start"), *started,
                                UserUttered("I walked 25 minutes", intent={"name": "report_activity"})],
                               DOMAIN)
    events = await RemoteAction("action_record_activity", endpoint).run(
        CollectingOutputChannel(), NLG, tracker, DOMAIN)
    assert [e.text for e in events] == [UNAVAILABLE_TEXT]


async def test_a_nudge_turn_fails_as_before_so_the_scheduler_never_sends_an_apology():
    tracker = _tracker("", "EXTERNAL_nudge")
    with pytest.raises(RasaException):
        await RemoteAction("action_nudge", _closed_port_endpoint()).run(
            CollectingOutputChannel(), NLG, tracker, DOMAIN)


async def test_a_form_whose_validation_is_unreachable_apologises_once_and_changes_nothing():
    tracker = _tracker("6", "inform", before=[
        ActionExecuted("checkin_form"), ActiveLoop("checkin_form"),
        SlotSet("requested_slot", "checkin_score")])
    events = await FormAction("checkin_form", _closed_port_endpoint()).run(
        CollectingOutputChannel(), NLG, tracker, DOMAIN)
    assert [type(e) for e in events] == [BotUttered] and events[0].text == UNAVAILABLE_TEXT
    # activation too: no ActiveLoop event, the form is not half started
    events = await FormAction("checkin_form", _closed_port_endpoint()).run(
        CollectingOutputChannel(), NLG, _tracker("my calf is worse, about a 6", "report_symptoms"), DOMAIN)
    assert [type(e) for e in events] == [BotUttered]


async def test_slot_extraction_keeps_rasas_own_handling_of_a_failed_custom_mapping():
    domain = Domain.from_yaml("""
version: "3.1"
intents: [inform]
actions: [action_fill_x]
slots:
  x:
    type: text
    mappings:
      - type: custom
        action: action_fill_x
""")
    tracker = DialogueStateTracker.from_events("someone", [
        ActionExecuted("action_listen"), UserUttered("hello", intent={"name": "inform"})],
        slots=domain.slots)
    events = await ActionExtractSlots(_closed_port_endpoint()).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain)
    assert events == []  # no apology from inside the extraction: the turn's action decides


async def test_other_failures_and_successes_are_rasas_as_before():
    from aiohttp import web

    async def handler(request):
        body = await request.json()
        if body["next_action"] == "action_broken":
            return web.json_response({"error": "boom"}, status=500)
        return web.json_response({"events": [{"event": "slot", "name": "x", "value": 1}],
                                  "responses": [{"text": "done"}]})

    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")
    try:
        with pytest.raises(RasaException):
            await RemoteAction("action_broken", endpoint).run(CollectingOutputChannel(), NLG, _tracker(), DOMAIN)
        events = await RemoteAction("action_fine", endpoint).run(
            CollectingOutputChannel(), NLG, _tracker(), DOMAIN)
        assert [type(e) for e in events] == [BotUttered, SlotSet] and events[0].text == "done"
    finally:
        await runner.cleanup()


def test_install_is_idempotent_and_happens_when_rasa_imports_the_stores():
    wrapped = RemoteAction.run
    action_fallback.install()
    assert RemoteAction.run is wrapped and getattr(wrapped, "_coach_fail_soft")
    assert getattr(FormAction.run, "_coach_fail_soft") and getattr(ActionExtractSlots.run, "_coach_fail_soft")
    assert "from bot.rasa_ext import action_fallback" in (PROJECT_ROOT / "bot/rasa_ext/stores.py").read_text()


# ---------------------------------------------------------------- the real servers

def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def _descendants(pid: int) -> set:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    table = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]
    found, frontier = set(), {pid}
    while frontier:
        children = {p for p, pp in table if pp in frontier} - found
        found |= children
        frontier = children
    return found


def _child_running(parent: int, marker: str) -> int:
    for pid in _descendants(parent):
        try:
            cmdline = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
        except OSError:
            continue
        if marker in cmdline and os.getpgid(pid) == pid:  # a group leader: the child itself
            return pid
    raise AssertionError(f"no child running {marker}")


def _port_open(port: str) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", int(port))) == 0


def _say(rasa_url: str, sender: str, text: str) -> str:
    resp = requests.post(f"{rasa_url}/webhooks/rest/webhook",
                         json={"sender": sender, "message": text}, timeout=60)
    assert resp.status_code == 200, resp.text
    return "\n".join(m.get("text") or "" for m in resp.json())


def _user_rows(engine, table: str, sender: str) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            f"SELECT t.* FROM {table} t JOIN coach_users u ON u.id = t.user_id "
            "WHERE u.sender_id = :s ORDER BY t.id"), {"s": sender}).all()


@pytest.mark.e2e
def test_make_run_restarts_a_killed_server_and_still_stops_cleanly(tmp_path):
    ensure_model(coach_env())
    ports = free_ports()
    env = coach_env({**ports, "DATABASE_URL": f"sqlite:///{tmp_path / 'coach.sqlite3'}", "REDIS_URL": ""})
    env.pop("RASA_AUTH_TOKEN", None)
    log_path = tmp_path / "serve.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "bot.serve", "--no-train"], cwd=PROJECT_ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    rasa_url = f"http://127.0.0.1:{ports['RASA_PORT']}"
    try:
        deadline = time.monotonic() + 240
        while b"The coach is up" not in log_path.read_bytes():
            assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "make run did not come up in 240 s"
            time.sleep(0.5)
        assert "Restarts:" in log_path.read_text()
        assert _say(rasa_url, "sup-" + uuid.uuid4().hex, "hi there")

        # SIGKILL the action server's whole process group.
        actions = _child_running(proc.pid, "rasa_sdk")
        os.killpg(actions, signal.SIGKILL)
        killed = time.monotonic()
        replies, answered, healthy = [], None, None
        while answered is None:
            assert time.monotonic() - killed < 60, log_path.read_text(errors="replace")[-3000:]
            if healthy is None and _answers(f"http://127.0.0.1:{ports['ACTION_PORT']}/health"):
                healthy = time.monotonic() - killed
            text = _say(rasa_url, "sup-" + uuid.uuid4().hex, "I walked 20 minutes")
            replies.append(text)
            if text and text != UNAVAILABLE_TEXT:
                answered = time.monotonic() - killed
            else:
                time.sleep(0.2)
        assert all(r in (UNAVAILABLE_TEXT, replies[-1]) for r in replies)  # an apology or an answer, never silence
        assert proc.poll() is None  # the coach did not stop
        out = log_path.read_text(errors="replace")
        assert "The actions server exited with -9 (SIGKILL); restarting it in 1 s." in out
        assert re.search(r"Restarted the actions server \(pid \d+, restart 1\)\.", out)
        assert _child_running(proc.pid, "rasa_sdk") != actions

        # The web page twice in a row: the second restart waits twice as long.
        for _ in range(2):
            web = _child_running(proc.pid, "bot.web.server")
            os.killpg(web, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while not _answers(f"http://127.0.0.1:{ports['WEB_PORT']}/healthz") or \
                    _child_running(proc.pid, "bot.web.server") == web:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        out = log_path.read_text(errors="replace")
        assert "The web server exited with -9 (SIGKILL); restarting it in 1 s." in out
        assert "The web server exited with -9 (SIGKILL); restarting it in 2 s." in out
        print(f"\nmake run: after SIGKILL of the action server, its /health answered again in "
              f"{healthy or answered:.1f} s and the coach's actions in {answered:.1f} s "
              f"({len(replies) - 1} apology replies meanwhile, no silence)")
        children = _descendants(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        log.close()
    assert code == 0
    time.sleep(1)
    assert [p for p in children if _alive(p)] == []
    assert not any(_port_open(p) for p in ports.values())
    assert log_path.read_text().rstrip().endswith("Stopped.")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


@pytest.mark.e2e
def test_while_the_action_server_is_down_a_person_gets_an_apology_and_nothing_is_stored_twice(tmp_path):
    from tests.coach_servers import running_coach

    with running_coach(tmp_path) as coach:
        me = "down-" + uuid.uuid4().hex
        assert _say(coach.rasa_url, me, "hi there")
        assert "0" in _say(coach.rasa_url, me, "let's do my check-in")  # the form asks the score

        actions = coach.procs["actions"]
        os.killpg(actions.pid, signal.SIGKILL)
        actions.wait()
        assert not _port_open(coach.env["ACTION_PORT"])

        down = {}
        for text in ("6", "I walked 25 minutes", "I slept badly, about 5 hours"):
            started = time.monotonic()
            down[text] = _say(coach.rasa_url, me, text)
            down[text + " (s)"] = time.monotonic() - started
        assert down["6"] == UNAVAILABLE_TEXT
        assert down["I walked 25 minutes"] == UNAVAILABLE_TEXT
        assert down["I slept badly, about 5 hours"] == UNAVAILABLE_TEXT
        assert _user_rows(coach.db, "coach_activities", me) == []
        assert _user_rows(coach.db, "coach_sleep_logs", me) == []
        newcomer = "down-" + uuid.uuid4().hex  # a first message: the session start fails quietly
        assert _say(coach.rasa_url, newcomer, "I walked 10 minutes") == UNAVAILABLE_TEXT
        greeted = "down-" + uuid.uuid4().hex  # a turn that needs no action is answered as usual
        greeting = _say(coach.rasa_url, greeted, "hi there")
        assert greeting and UNAVAILABLE_TEXT not in greeting

        coach.restart("actions")
        deadline = time.monotonic() + 60
        while not _answers(f"{coach.action_url}/health"):
            assert time.monotonic() < deadline
            time.sleep(0.2)

        # The next turns work: the check-in goes on where it was, the logs are taken.
        assert "where" in _say(coach.rasa_url, me, "6").lower()
        assert "yesterday" in _say(coach.rasa_url, me, "my calf").lower()
        _say(coach.rasa_url, me, "worse than yesterday")
        assert _say(coach.rasa_url, me, "I walked 25 minutes") != UNAVAILABLE_TEXT
        assert _say(coach.rasa_url, me, "I slept badly, about 5 hours") != UNAVAILABLE_TEXT
        assert _say(coach.rasa_url, newcomer, "I walked 10 minutes") != UNAVAILABLE_TEXT

        checkins = _user_rows(coach.db, "coach_checkins", me)
        assert [(c.pain_score, c.location, c.trend) for c in checkins] == [(6.0, "calf", "worse")]
        assert [(a.kind, a.minutes) for a in _user_rows(coach.db, "coach_activities", me)] == [("walking", 25.0)]
        assert len(_user_rows(coach.db, "coach_sleep_logs", me)) == 1
        assert [(a.kind, a.minutes) for a in _user_rows(coach.db, "coach_activities", newcomer)] == [("walking", 10.0)]
        # The tracker holds each apology once, as a bot message, and no slot from the failed turns.
        with coach.db.connect() as conn:
            apologies = conn.execute(sa.text(
                "SELECT COUNT(*) FROM events WHERE sender_id = :s AND type_name = 'bot' "
                "AND data LIKE :t"), {"s": me, "t": f"%{UNAVAILABLE_TEXT[:30]}%"}).scalar()
        assert apologies == 3
        print(f"\nwhile down: {', '.join(f'{k} {v:.2f}' for k, v in down.items() if k.endswith('(s)'))}")
