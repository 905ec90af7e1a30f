"""`make run`'s own process (bot.serve) on the scaled setup: PostgreSQL + Redis.

Starts `python -m bot.serve --no-train` as `make run` does, chats over REST, checks
the rows landed in PostgreSQL, then sends SIGTERM and checks that every server
process is gone (no orphans) and the ports are free again.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from bot.serve import coach_env, ensure_model, free_ports
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def _port_open(port: str) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", int(port))) == 0


def _descendants(pid: int) -> set:
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,pgid="], capture_output=True, text=True).stdout
    table = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]
    found, frontier = set(), {pid}
    while frontier:
        children = {p for p, pp, _ in table if pp in frontier} - found
        found |= children
        frontier = children
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def test_make_run_serves_on_postgres_and_redis_then_stops_cleanly(postgres_url, redis_url, tmp_path):
    ensure_model(coach_env())
    ports = free_ports()
    env = coach_env({**ports, "DATABASE_URL": postgres_url, "REDIS_URL": redis_url})
    env.pop("RASA_AUTH_TOKEN", None)
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "bot.serve", "--no-train"], cwd=PROJECT_ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while b"The coach is up" not in (tmp_path / "serve.log").read_bytes():
            assert proc.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "make run did not come up in 240 s"
            time.sleep(0.5)
        banner = (tmp_path / "serve.log").read_text(errors="replace")
        assert f"http://localhost:{ports['WEB_PORT']}/" in banner

        me = "run-" + uuid.uuid4().hex
        url = f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook"
        reply = requests.post(url, json={"sender": me, "message": "my calf is worse, about a 6"}, timeout=60)
        assert reply.status_code == 200 and reply.json()
        # Without RASA_AUTH_TOKEN the HTTP API serves only the nudge scheduler's internal token.
        assert requests.post(f"http://127.0.0.1:{ports['RASA_PORT']}/model/parse",
                             json={"text": "hi"}, timeout=30).status_code == 401

        engine = sa.create_engine(postgres_url, future=True)
        with engine.connect() as conn:
            events = conn.execute(sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": me}).scalar()
            checkins = conn.execute(sa.text(
                "SELECT c.pain_score, c.location FROM coach_checkins c JOIN coach_users u "
                "ON u.id = c.user_id WHERE u.sender_id = :s"), {"s": me}).all()
        engine.dispose()
        assert events > 0
        assert [tuple(r) for r in checkins] == [(6.0, "calf")]

        children = _descendants(proc.pid)
        commands = {" ".join(open(f"/proc/{p}/cmdline").read().split("\0")) for p in children if _alive(p)}
        assert len(children) >= 4
        assert any("bot.nudges.scheduler" in c for c in commands)  # the nudge scheduler runs too
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        log.close()
    assert code == 0
    time.sleep(1)
    assert [p for p in children if _alive(p)] == []
    assert not any(_port_open(p) for p in ports.values())
