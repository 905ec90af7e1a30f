"""End to end over real HTTP: the action, Rasa and web servers as `make run` starts them.

One set of servers per test session (a Rasa server costs ~20 s and ~1.3 GB), on
free ports, with a fresh SQLite database whose rows the tests then inspect.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from bot.serve import CoachServers, coach_env, ensure_model, free_ports
from bot.store import migrate

pytestmark = pytest.mark.e2e
TOKEN = "e2e-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def coach(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e")
    env = coach_env({
        **free_ports(),
        "DATABASE_URL": f"sqlite:///{work / 'coach.sqlite3'}", "REDIS_URL": "",
        "RASA_AUTH_TOKEN": TOKEN,
    })
    ensure_model(env)
    migrate(env["DATABASE_URL"])
    servers = CoachServers(env, log_dir=work / "logs")
    servers.start()
    servers.db = sa.create_engine(env["DATABASE_URL"], future=True)
    servers.logs = work / "logs"
    yield servers
    servers.db.dispose()
    servers.stop()


def say(coach, sender: str, text: str) -> list:
    resp = requests.post(f"{coach.rasa_url}/webhooks/rest/webhook",
                         json={"sender": sender, "message": text}, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()


def text_of(replies: list) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def rows(coach, sql: str, **params) -> list:
    with coach.db.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def user_rows(coach, table: str, sender: str) -> list:
    return rows(coach, f"SELECT t.* FROM {table} t JOIN coach_users u ON u.id = t.user_id "
                       "WHERE u.sender_id = :s ORDER BY t.id", s=sender)


def test_full_conversation_then_erasure(coach):
    me = "e2e-" + uuid.uuid4().hex
    assert "coach" in text_of(say(coach, me, "hi there")).lower()

    assert "0" in text_of(say(coach, me, "let's do my check-in"))
    assert "where" in text_of(say(coach, me, "6")).lower()
    assert "yesterday" in text_of(say(coach, me, "my calf")).lower()
    say(coach, me, "worse than yesterday")
    checkin = user_rows(coach, "coach_checkins", me)
    assert [(c.pain_score, c.location, c.trend) for c in checkin] == [(6.0, "calf", "worse")]

    assert "how long ago" in text_of(say(coach, me, "what should I do today?")).lower()
    plan = text_of(say(coach, me, "about 3 weeks ago"))
    assert "minutes" in plan.lower()
    assert rows(coach, "SELECT onset_date FROM coach_users WHERE sender_id = :s", s=me)[0][0] is not None

    say(coach, me, "I walked 25 minutes")
    assert [(a.kind, a.minutes) for a in user_rows(coach, "coach_activities", me)] == [("walking", 25.0)]

    progress = text_of(say(coach, me, "how am I doing?"))
    assert "25" in progress

    assert "sure" in text_of(say(coach, me, "please delete my data")).lower()
    assert "erased" in text_of(say(coach, me, "yes")).lower()
    assert rows(coach, "SELECT * FROM coach_users WHERE sender_id = :s", s=me) == []
    assert user_rows(coach, "coach_checkins", me) == []
    assert rows(coach, "SELECT * FROM events WHERE sender_id = :s", s=me) == []

    # The tracker via the token-guarded HTTP API agrees: nothing left of the old conversation.
    tracker = requests.get(f"{coach.rasa_url}/conversations/{me}/tracker",
                           params={"token": TOKEN}, timeout=30).json()
    assert all("calf" not in (e.get("text") or "") for e in tracker["events"])


def test_all_in_one_checkin_sentence(coach):
    me = "e2e-" + uuid.uuid4().hex
    say(coach, me, "back is a 3 today, about the same")
    say(coach, me, "my calf is worse, about a 6")
    got = [(c.pain_score, c.location, c.trend, c.direction) for c in user_rows(coach, "coach_checkins", me)]
    assert got == [(3.0, "lower_back", "same", "unknown"), (6.0, "calf", "worse", "peripheralizing")]


def test_red_flag_interrupts_the_checkin_form(coach):
    me = "e2e-" + uuid.uuid4().hex
    say(coach, me, "start my daily check in")
    reply = text_of(say(coach, me, "I can't control my bladder since this morning"))
    assert "emergency" in reply.lower()
    assert [(e.tier, e.reason) for e in user_rows(coach, "coach_escalations", me)] == [(1, "bladder_bowel")]
    plan = text_of(say(coach, me, "what should I do today?"))
    assert "assess" in plan.lower() and "minutes" not in plan.lower()
    assert user_rows(coach, "coach_checkins", me) == []


@pytest.mark.parametrize("text", [
    "", "👍👍👍", "x" * 5000, "'; DROP TABLE events; --", "<script>alert(1)</script>",
    "¿Qué ejercicios puedo hacer hoy?", "{{ 7 * 7 }} ${jndi:ldap://x}",
])
def test_odd_input_gets_a_reply_and_loses_nothing(coach, text):
    me = "e2e-" + uuid.uuid4().hex
    say(coach, me, "walked 10 minutes")
    replies = say(coach, me, text)
    assert isinstance(replies, list)
    if text.strip():
        assert text_of(replies).strip(), "a non-empty message deserves a reply"
    assert [(a.kind, a.minutes) for a in user_rows(coach, "coach_activities", me)] == [("walking", 10.0)]
    assert rows(coach, "SELECT COUNT(*) FROM events")[0][0] > 0


def test_malformed_requests_get_clear_errors(coach):
    bad = requests.post(f"{coach.rasa_url}/webhooks/rest/webhook", data="not json",
                        headers={"Content-Type": "application/json"}, timeout=30)
    assert 400 <= bad.status_code < 500
    for body in ("not json", "[]", '{"sender": "x", "message": "hi"}', '{"sender": "abcdefgh12", "message": ""}'):
        resp = requests.post(f"{coach.web_url}/api/chat", data=body,
                             headers={"Content-Type": "application/json"}, timeout=30)
        assert resp.status_code == 400 and resp.json()["error"]
    assert say(coach, "e2e-" + uuid.uuid4().hex, "hello")  # still serving


def test_web_page_and_relay(coach):
    page = requests.get(coach.web_url + "/", timeout=30)
    assert page.status_code == 200 and "Not medical advice" in page.text
    resp = requests.post(f"{coach.web_url}/api/chat", json={"sender": uuid.uuid4().hex, "message": "hello"},
                         timeout=60)
    assert resp.status_code == 200 and resp.json()[0]["text"]


def test_http_api_requires_the_token(coach):
    url = f"{coach.rasa_url}/model/parse"
    assert requests.post(url, json={"text": "hi"}, timeout=30).status_code == 401
    assert requests.post(url, json={"text": "hi"}, params={"token": "wrong"}, timeout=30).status_code == 401
    ok = requests.post(url, json={"text": "hi"}, params={"token": TOKEN}, timeout=30)
    assert ok.status_code == 200 and ok.json()["intent"]["name"] == "greet"


def test_no_message_text_in_logs(coach):
    me = "e2e-" + uuid.uuid4().hex
    marker = "zebracalfmarker"
    say(coach, me, f"my {marker} calf hurts, a 4")
    for log in Path(coach.logs).glob("*.log"):
        assert marker not in log.read_text(errors="replace"), log.name
