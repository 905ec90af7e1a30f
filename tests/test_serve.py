"""How `make run` wires the servers: environment defaults and the guarded HTTP API."""
from __future__ import annotations

from bot.serve import CoachServers, coach_env


def test_defaults_fill_every_variable_endpoints_yml_uses(monkeypatch):
    for var in ("RASA_PORT", "ACTION_PORT", "WEB_PORT", "DATABASE_URL", "REDIS_URL", "RASA_AUTH_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    env = coach_env()
    assert (env["RASA_PORT"], env["ACTION_PORT"], env["WEB_PORT"]) == ("5005", "5055", "8080")
    assert env["DATABASE_URL"].startswith("sqlite:///") and env["DATABASE_URL"].endswith("data/db/coach.sqlite3")
    assert env["REDIS_URL"] == ""


def test_environment_overrides_win(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/coach")
    monkeypatch.setenv("RASA_PORT", "6000")
    env = coach_env()
    assert env["DATABASE_URL"] == "postgresql://u@db/coach" and env["RASA_PORT"] == "6000"


def test_http_api_only_with_a_token(monkeypatch):
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    rasa = CoachServers(coach_env()).commands()["rasa"]
    assert "--enable-api" not in rasa and "--auth-token" not in rasa
    guarded = CoachServers(coach_env({"RASA_AUTH_TOKEN": "s3cret"})).commands()["rasa"]
    assert guarded[guarded.index("--auth-token") + 1] == "s3cret" and "--enable-api" in guarded
    assert guarded[guarded.index("--interface") + 1] == "127.0.0.1"


def test_free_ports_are_three_distinct_bindable_ports():
    import socket

    from bot.serve import free_ports

    ports = free_ports()
    assert set(ports) == {"RASA_PORT", "ACTION_PORT", "WEB_PORT"}
    assert len(set(ports.values())) == 3
    for port in ports.values():
        with socket.socket() as s:
            s.bind(("127.0.0.1", int(port)))
