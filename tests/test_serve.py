"""How `make run` wires the servers: environment defaults and the guarded HTTP API."""
from __future__ import annotations

import sys

import pytest

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


def _auth_token(command):
    """The token Rasa's own command-line parser reads from a `rasa run` command."""
    from rasa.__main__ import create_argument_parser

    return create_argument_parser().parse_args(command[1:]).auth_token


def test_a_token_starting_with_a_dash_reaches_rasa_whole(monkeypatch, tmp_path):
    """secrets.token_urlsafe starts with "-" one time in 64: Rasa must still get it."""
    from bot import settings

    monkeypatch.setattr(settings, "INTERNAL_TOKEN_FILE", tmp_path / ".run" / "internal-api-token")
    settings.INTERNAL_TOKEN_FILE.parent.mkdir()
    settings.INTERNAL_TOKEN_FILE.write_text("-Gk0internal")
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    assert _auth_token(CoachServers(coach_env()).commands()["rasa"]) == "-Gk0internal"
    assert _auth_token(CoachServers(coach_env({"RASA_AUTH_TOKEN": "--x"})).commands()["rasa"]) == "--x"


def test_http_api_always_behind_a_token(monkeypatch, tmp_path):
    # Without RASA_AUTH_TOKEN the API is on for the nudge scheduler only, behind an internal
    # random token kept in a 0600 file that `make nudge-once` reads too.
    from bot import settings

    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    monkeypatch.setattr(settings, "INTERNAL_TOKEN_FILE", tmp_path / ".run" / "internal-api-token")
    commands = CoachServers(coach_env()).commands()
    rasa = commands["rasa"]
    internal = _auth_token(rasa)
    assert "--enable-api" in rasa and len(internal) >= 32
    assert internal == settings.api_token() == settings.INTERNAL_TOKEN_FILE.read_text()
    assert settings.INTERNAL_TOKEN_FILE.stat().st_mode & 0o777 == 0o600
    assert commands["nudges"][-2:] == ["-m", "bot.nudges.scheduler"]
    guarded = CoachServers(coach_env({"RASA_AUTH_TOKEN": "s3cret"})).commands()["rasa"]
    assert _auth_token(guarded) == "s3cret" and "--enable-api" in guarded
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


class _FailingStart(CoachServers):
    def commands(self):
        return {"actions": [sys.executable, "-c", "import sys; print('port 5055 is already taken'); "
                                                  "sys.exit(3)"]}


def test_a_server_that_exits_while_starting_is_reported_with_the_end_of_its_log(tmp_path):
    from bot.scale import free_port_list

    port, = free_port_list(1)
    servers = _FailingStart(coach_env({"ACTION_PORT": port}), log_dir=tmp_path)
    with pytest.raises(RuntimeError) as failure:
        servers.start(timeout=60)
    assert str(failure.value).splitlines() == [
        "the actions server exited with 3; the end of its log:", "port 5055 is already taken"]
    assert servers.procs == {}


def test_without_a_log_folder_the_report_is_the_exit_code_alone():
    assert CoachServers(coach_env()).exit_report("rasa", 1) == "the rasa server exited with 1"
