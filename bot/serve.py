"""`make run`: migrate, train if the data changed, then serve the whole coach.

Starts the action server, the Rasa server (REST + socket.io, the HTTP API always
behind a token: RASA_AUTH_TOKEN, else an internal one), the web chat page and the
nudge scheduler, waits until each answers, then supervises them: a child that
exits is restarted with exponential backoff (`Supervisor`: 1 s, 2 s, 4 s ... at most
30 s, back to 1 s once it has stayed up for a minute), each restart logged with the
child's name, exit code and the delay. Only Ctrl-C or SIGTERM stops the coach: every
child's whole process group is stopped so nothing is orphaned.
The end-to-end tests drive the same `CoachServers` class on free ports.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Protocol

import yaml

from bot.settings import PROJECT_ROOT, api_token, database_url

VENV_BIN = Path(sys.executable).parent
MODELS_DIR = PROJECT_ROOT / "models"
RUN_DIR = PROJECT_ROOT / ".run"  # generated files (git-ignored)
TELEGRAM_CHANNEL = "bot.channels.telegram.TelegramChannel"


def coach_env(overrides: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment every child gets: defaults for each variable endpoints.yml uses."""
    env = dict(os.environ)
    env.update(overrides or {})
    env.setdefault("RASA_PORT", "5005")
    env.setdefault("ACTION_PORT", "5055")
    env.setdefault("WEB_PORT", "8080")
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = database_url()
    env.setdefault("REDIS_URL", "")
    env.setdefault("SANIC_HOST", "127.0.0.1")  # where rasa_sdk's action server listens
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def credentials_file(env: Dict[str, str]) -> str:
    """credentials.yml, plus the Telegram channel when TELEGRAM_TOKEN is set.

    The channel reads its token and secret from the environment, so the generated
    file holds no secret; it is named after its content, so concurrent runs never
    overwrite each other's.
    """
    if not env.get("TELEGRAM_TOKEN", "").strip():
        return "credentials.yml"
    channels = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text()) or {}
    channels[TELEGRAM_CHANNEL] = None
    text = yaml.safe_dump(channels, sort_keys=False)
    path = RUN_DIR / f"credentials-{hashlib.sha256(text.encode()).hexdigest()[:12]}.yml"
    if not path.exists():
        RUN_DIR.mkdir(exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    return str(path)


def free_ports() -> Dict[str, str]:
    """RASA_PORT, ACTION_PORT and WEB_PORT on free loopback ports (tests, benchmarks)."""
    names = ("RASA_PORT", "ACTION_PORT", "WEB_PORT")
    sockets = [socket.socket() for _ in names]
    try:  # all three held open at once, so the three ports differ
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return {name: str(s.getsockname()[1]) for name, s in zip(names, sockets)}
    finally:
        for s in sockets:
            s.close()


def ensure_model(env: Dict[str, str]) -> None:
    """Train only if no model exists at all (make test trains before pytest runs)."""
    if not (MODELS_DIR / "coach.tar.gz").exists():
        train_if_needed(env)


def train_if_needed(env: Dict[str, str]) -> None:
    """Rasa's fingerprinting retrains only what changed; its progress goes to the console."""
    cmd = [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
           "--data", "data", "--out", str(MODELS_DIR), "--fixed-model-name", "coach"]
    subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, check=True)


@dataclass
class CoachServers:
    """The three servers of one coach, as child process groups."""

    env: Dict[str, str]
    quiet: bool = False
    nudges: bool = True  # the nudge scheduler (every minute); tests drive `nudge-once` instead
    log_dir: Optional[Path] = None  # each server's output to <name>.log there
    procs: Dict[str, subprocess.Popen] = field(default_factory=dict)
    _logs: Dict[str, object] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.env['ACTION_PORT']}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.env['WEB_PORT']}"

    def commands(self) -> Dict[str, List[str]]:
        rasa = [str(VENV_BIN / "rasa"), "run", "--model", str(MODELS_DIR),
                "--endpoints", "endpoints.yml", "--credentials", credentials_file(self.env),
                "--port", self.env["RASA_PORT"], "--interface", "127.0.0.1"]
        # Always on and always guarded: the nudge scheduler renders nudges through it. The
        # token goes as one `--auth-token=...` argument: a random one starts with "-" one time
        # in 64, and as a separate argument Rasa's parser took that for a missing value.
        rasa += ["--enable-api", f"--auth-token={self.env.get('RASA_AUTH_TOKEN') or api_token()}"]
        commands = {
            "actions": [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                        "--port", self.env["ACTION_PORT"]],
            "rasa": rasa,
            "web": [sys.executable, "-m", "bot.web.server"],
        }
        if self.nudges:
            commands["nudges"] = [sys.executable, "-m", "bot.nudges.scheduler"]
        return commands

    def start(self, timeout: float = 240.0) -> None:
        for name in self.commands():
            self.spawn(name)
        probes = {"actions": f"{self.action_url}/health", "rasa": f"{self.rasa_url}/",
                  "web": f"{self.web_url}/healthz"}  # the scheduler has no port: alive = running
        deadline = time.monotonic() + timeout
        for name, url in probes.items():
            while not _answers(url):
                code = self.procs[name].poll()
                if code is not None:
                    report = self.exit_report(name, code)
                    self.stop()
                    raise RuntimeError(report)
                if time.monotonic() > deadline:
                    self.stop()
                    raise TimeoutError(f"the {name} server did not answer {url} in {timeout:.0f} s")
                time.sleep(0.5)

    def spawn(self, name: str) -> subprocess.Popen:
        """Start (or restart) one child in its own process group."""
        out = self._output(name)
        self.procs[name] = subprocess.Popen(
            self.commands()[name], cwd=PROJECT_ROOT, env=self.env, stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,  # its own process group: stop() takes its children too
        )
        return self.procs[name]

    # The supervisor's view of the children (see `Children`).
    def names(self) -> List[str]:
        return list(self.procs)

    def exit_code(self, name: str) -> Optional[int]:
        """None while `name` runs; once its main process has exited, what is left of its
        process group is killed (the exited leader still holds the group id, so no other
        process can have it) and the exit code returned."""
        proc = self.procs[name]
        if proc.returncode is not None:
            return proc.returncode
        try:
            exited = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # already reaped
            return proc.poll()
        if exited is None:
            return None
        _signal_group(proc, signal.SIGKILL)
        return proc.wait()

    def restart(self, name: str) -> int:
        return self.spawn(name).pid

    def _output(self, name: str):
        if self.log_dir is not None:
            if name not in self._logs:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                self._logs[name] = open(self.log_dir / f"{name}.log", "ab")
            return self._logs[name]
        return subprocess.DEVNULL if self.quiet else None

    def exit_report(self, name: str, code: int, lines: int = 15) -> str:
        """A child that exited while starting, with the last lines of its log file when there
        is a log folder: a failed run then says why without its temporary files."""
        report = f"the {name} server exited with {code}"
        path = self.log_dir / f"{name}.log" if self.log_dir is not None else None
        if path is None or not path.exists():
            return report
        if name in self._logs:
            self._logs[name].flush()
        tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return report + ("; the end of its log:\n" + "\n".join(tail) if tail else "")

    def failed(self) -> Optional[str]:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                return f"{name} exited with {proc.returncode}"
        return None

    def stop(self, grace: float = 15.0) -> None:
        running = [p for p in self.procs.values() if p.returncode is None]  # never a reaped pid
        for proc in running:
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in running:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        self.procs.clear()
        for handle in self._logs.values():
            handle.close()
        self._logs.clear()


class Children(Protocol):
    """What the supervisor needs of the children (`CoachServers`, or a fake in tests)."""

    def names(self) -> List[str]: ...

    def exit_code(self, name: str) -> Optional[int]: ...

    def restart(self, name: str) -> int: ...


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"{code} ({signal.Signals(-code).name})"
        except ValueError:
            return str(code)
    return str(code)


def _log_line(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@dataclass
class _Watch:
    started: float
    failures: int = 0  # consecutive quick exits: the backoff's exponent
    due: Optional[float] = None  # when a restart is due; None while the child runs


class Supervisor:
    """Restarts any child that exits, with exponential backoff, until told to stop.

    A child that exits is restarted after `base`, then 2x, 4x ... that, at most `cap`
    seconds; once a child has stayed up for `stable` seconds, its next crash waits
    `base` again. Each exit and restart is one log line: the child's name, its exit
    code, the delay (never anything a person wrote). Clock, sleep and log are injected
    so the logic is tested without real time passing.
    """

    def __init__(self, children: Children, *, base: float = 1.0, cap: float = 30.0,
                 stable: float = 60.0, tick: float = 0.5,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 log: Callable[[str], None] = _log_line) -> None:
        self.children, self.base, self.cap, self.stable, self.tick = children, base, cap, stable, tick
        self.clock, self.sleep, self.log = clock, sleep, log
        now = clock()
        self._watch: Dict[str, _Watch] = {name: _Watch(now) for name in children.names()}
        self.restarts: Dict[str, int] = {name: 0 for name in self._watch}
        self._should_stop: Callable[[], bool] = lambda: False

    def delay(self, failures: int) -> float:
        return min(self.cap, self.base * 2 ** max(0, failures - 1))

    def check(self) -> None:
        """One pass: note the children that exited, restart those whose delay is over."""
        for name, watch in self._watch.items():
            now = self.clock()
            if watch.due is None:
                code = self.children.exit_code(name)
                if code is None:
                    if now - watch.started >= self.stable:
                        watch.failures = 0
                    continue
                if now - watch.started >= self.stable:
                    watch.failures = 0
                watch.failures += 1
                wait = self.delay(watch.failures)
                watch.due = now + wait
                self.log(f"The {name} server exited with {describe_exit(code)}; "
                         f"restarting it in {wait:g} s.")
            if now >= watch.due and not self._should_stop():
                try:
                    pid = self.children.restart(name)
                except OSError as exc:
                    watch.failures += 1
                    wait = self.delay(watch.failures)
                    watch.due = now + wait
                    self.log(f"Could not restart the {name} server ({exc.__class__.__name__}); "
                             f"trying again in {wait:g} s.")
                    continue
                watch.started, watch.due = now, None
                self.restarts[name] += 1
                self.log(f"Restarted the {name} server (pid {pid}, restart {self.restarts[name]}).")

    def run(self, should_stop: Callable[[], bool]) -> None:
        self._should_stop = should_stop
        while not should_stop():
            self.check()
            if should_stop():
                break
            self.sleep(self.tick)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status < 500
    except Exception:
        return False


def shell(env: Dict[str, str]) -> int:
    """The action server in the background, `rasa shell` in the foreground."""
    from bot.store import migrate
    migrate(env["DATABASE_URL"])
    actions = CoachServers(env, quiet=True)
    actions.procs["actions"] = subprocess.Popen(
        actions.commands()["actions"], cwd=PROJECT_ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not _answers(f"{actions.action_url}/health"):
            if actions.failed():
                print(f"The {actions.failed()}.", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return subprocess.call(
            [str(VENV_BIN / "rasa"), "shell", "--model", str(MODELS_DIR),
             "--endpoints", "endpoints.yml"], cwd=PROJECT_ROOT, env=env)
    finally:
        actions.stop()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-train", action="store_true", help="serve the newest model as it is")
    parser.add_argument("--shell", action="store_true", help="chat in this terminal instead")
    args = parser.parse_args(argv)
    env = coach_env()
    if args.shell:
        return shell(env)

    from bot.store import migrate
    migrate(env["DATABASE_URL"])
    if not args.no_train:
        train_if_needed(env)

    servers = CoachServers(env)
    stopping = {"flag": False}

    def _stop(signum, _frame):
        stopping["flag"] = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    started = time.monotonic()
    servers.start()
    print(
        f"\nThe coach is up ({time.monotonic() - started:.0f} s to start).\n"
        f"  Web chat:  http://localhost:{env['WEB_PORT']}/\n"
        f"  REST:      curl -s -X POST {servers.rasa_url}/webhooks/rest/webhook "
        "-H 'Content-Type: application/json' -d '{\"sender\": \"me\", \"message\": \"hi\"}'\n"
        f"  HTTP API:  {'on, RASA_AUTH_TOKEN required' if env.get('RASA_AUTH_TOKEN') else 'internal token only (set RASA_AUTH_TOKEN to call it)'}\n"
        "  Nudges:    the scheduler sends due reminders every minute\n"
        f"  Telegram:  {'on (POST /webhooks/telegram/webhook)' if env.get('TELEGRAM_TOKEN') else 'off (set TELEGRAM_TOKEN)'}\n"
        "  Restarts:  a server that stops is restarted (after 1 s, 2 s, 4 s ... at most 30 s)\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    try:
        Supervisor(servers).run(lambda: stopping["flag"])
    finally:
        servers.stop()
    print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
