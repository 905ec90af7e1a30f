"""The coach scaled out on this machine: several Rasa instances behind nginx, on PostgreSQL and Redis.

    DATABASE_URL=postgresql://... REDIS_URL=redis://127.0.0.1:6379/3 python -m bot.scale [--port 8088]
    python -m bot.scale nginx-site --listen 80 --rasa 127.0.0.1:5005 --rasa 127.0.0.1:5006 --web 127.0.0.1:8080
    python -m bot.scale migrate
    RASA_PORT=5006 python -m bot.scale exec rasa          # or actions, web, nudges

The first brings up, as child process groups on free loopback ports: ONE action server,
two (`--instances`) Rasa servers sharing the tracker store and the coach's tables
(DATABASE_URL) and the lock store (REDIS_URL), the web page, a nudge scheduler per Rasa
instance (`--no-nudges` leaves them out), and Debian's nginx in front of them all on
`--port`: /socket.io/ with sticky sessions and WebSocket upgrade, /webhooks/ round-robin,
everything else to the web page (deploy/nginx/coach-site.conf.template). nginx runs in
the foreground as an unprivileged master (as `nobody` when started by root) with its own
prefix in a temporary directory: no system service, nothing under /etc touched. The
children are supervised as `make run` does (bot.serve.Supervisor) until Ctrl-C/SIGTERM.
Both Rasa instances serve one snapshot of the newest model, so a retrain meanwhile
cannot leave them answering with different models.

The others serve a real deployment (deploy/README.md): `nginx-site` prints the nginx site
for given addresses, `migrate` migrates DATABASE_URL once, `exec NAME` becomes one server
(actions, rasa, web or nudges) with the command `make run` uses, for systemd units.

tests/test_scale_out.py drives the same `ScaleOut` class (`make scale-test`).
"""
from __future__ import annotations

import argparse
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bot.serve import (
    MODELS_DIR, CoachServers, Supervisor, _answers, coach_env, ensure_model,
)
from bot.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
SITE_TEMPLATE = DEPLOY / "nginx" / "coach-site.conf.template"
MAIN_TEMPLATE = DEPLOY / "nginx" / "nginx-local.conf.template"
NGINX_PATHS = ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
UNPRIVILEGED_USER = "nobody"  # who runs nginx when this runs as root
LOCAL_REST_CLIENTS = ("127.0.0.1", "::1")


class ScaleError(RuntimeError):
    """Something the scaled coach needs is missing or wrong (the message says what to do)."""


def find_nginx() -> Optional[str]:
    found = shutil.which("nginx")
    if found:
        return found
    return next((p for p in NGINX_PATHS if os.access(p, os.X_OK)), None)


def free_port_list(count: int) -> List[str]:
    """`count` distinct free loopback ports (all held open at once while chosen)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [str(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def render(template: str, values: Dict[str, str]) -> str:
    """`{{NAME}}` placeholders replaced; any left over is an error (a typo in a template)."""
    for name, value in values.items():
        template = template.replace("{{%s}}" % name, value)
    leftover = sorted(set(re.findall(r"\{\{[A-Z_]+\}\}", template)))
    if leftover:
        raise ScaleError(f"nginx template placeholders without a value: {', '.join(leftover)}")
    return template


def nginx_site(listen: str, rasa: Sequence[str], web: str,
               rest_allow: Sequence[str] = LOCAL_REST_CLIENTS,
               access_log: str = "/var/log/nginx/coach.access.log") -> str:
    """The http{}-context site for nginx: upstreams, sticky socket.io, routes."""
    if not rasa:
        raise ScaleError("at least one Rasa instance (host:port) is needed")
    servers = "\n".join(f"    server {address} max_fails=1 fail_timeout=5s;" for address in rasa)
    allow = "\n".join(f"        allow {address};" for address in rest_allow) or "        # nobody"
    return render(SITE_TEMPLATE.read_text(), {
        "LISTEN": listen, "RASA_SERVERS": servers, "WEB_SERVER": web, "REST_ALLOW": allow,
        "ACCESS_LOG": access_log,
    })


def _is_server_database(url: str) -> bool:
    return bool(url) and not url.startswith("sqlite")


@dataclass
class ScaleOut(CoachServers):
    """One action server, `instances` Rasa servers, the web page, nginx (and nudge schedulers).

    Built with `ScaleOut.create(database_url, redis_url, ...)`; `start()`, then `url` is
    nginx's address, the only one a client needs; `stop()` ends every child and removes
    the temporary directory (nginx's prefix and the model snapshot).
    """

    rasa_ports: List[str] = field(default_factory=list)
    nginx_port: str = ""
    nginx_bin: str = ""
    work: Optional[Path] = None          # temporary: nginx's prefix, the model snapshot

    @classmethod
    def create(cls, database_url: str, redis_url: str, *, instances: int = 2, port: Optional[int] = None,
               nudges: bool = True, log_dir: Optional[Path] = None, quiet: bool = False,
               extra_env: Optional[Dict[str, str]] = None) -> "ScaleOut":
        if not _is_server_database(database_url):
            raise ScaleError("several Rasa instances need one server database: set DATABASE_URL to "
                             "postgresql://... (SQLite is for one instance)")
        if not (redis_url or "").startswith(("redis://", "rediss://")):
            raise ScaleError("several Rasa instances need Redis for the conversation locks: set "
                             "REDIS_URL to redis://host:port/db")
        if instances < 1:
            raise ScaleError("--instances must be at least 1")
        nginx = find_nginx()
        if nginx is None:
            raise ScaleError("nginx is not installed: `make nginx` installs Debian's package")
        ports = free_port_list(instances + 3)
        action_port, web_port, nginx_port = ports[:3]
        nginx_port = str(port) if port else nginx_port
        rasa_ports = ports[3:]
        env = coach_env({**(extra_env or {}), "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                         "RASA_PORT": rasa_ports[0], "ACTION_PORT": action_port, "WEB_PORT": web_port})
        return cls(env=env, quiet=quiet, nudges=nudges, log_dir=log_dir, rasa_ports=rasa_ports,
                   nginx_port=nginx_port, nginx_bin=nginx)

    # ---------------------------------------------------------------- addresses
    @property
    def url(self) -> str:
        """nginx: the one address clients use."""
        return f"http://127.0.0.1:{self.nginx_port}"

    @property
    def rasa_urls(self) -> List[str]:
        return [f"http://127.0.0.1:{p}" for p in self.rasa_ports]

    @property
    def nginx_dir(self) -> Path:
        assert self.work is not None, "not started"
        return self.work / "nginx"

    @property
    def access_log(self) -> Path:
        return self.nginx_dir / "logs" / "access.log"

    @property
    def model_path(self) -> Path:
        assert self.work is not None, "not started"
        return self.work / "model" / "coach.tar.gz"

    # ---------------------------------------------------------------- children
    def env_for(self, name: str) -> Dict[str, str]:
        """A child's environment: RASA_PORT is its own instance (Rasa, scheduler), nginx (web page)."""
        env = dict(self.env)
        kind, _, number = name.partition("-")
        if kind in ("rasa", "nudges") and number:
            env["RASA_PORT"] = self.rasa_ports[int(number) - 1]
        elif name == "web":
            env["RASA_PORT"] = self.nginx_port  # /api/chat and /socket.io/ go through nginx
        return env

    def commands(self) -> Dict[str, List[str]]:
        single = CoachServers(self.env, nudges=False).commands()
        commands: Dict[str, List[str]] = {"actions": single["actions"]}
        for number in range(1, len(self.rasa_ports) + 1):
            rasa = CoachServers(self.env_for(f"rasa-{number}"), nudges=False).commands()["rasa"]
            if self.work is not None:  # every instance serves the same snapshot
                rasa[rasa.index("--model") + 1] = str(self.model_path)
            commands[f"rasa-{number}"] = rasa
        commands["web"] = single["web"]
        commands["nginx"] = self.nginx_command()
        if self.nudges:
            for number in range(1, len(self.rasa_ports) + 1):
                commands[f"nudges-{number}"] = [sys.executable, "-m", "bot.nudges.scheduler"]
        return commands

    def nginx_command(self, *extra: str) -> List[str]:
        prefix = str(self.nginx_dir) if self.work is not None else "<prefix>"
        return [self.nginx_bin, "-p", prefix + "/", "-c", f"{prefix}/nginx.conf",
                "-e", f"{prefix}/logs/error.log", *extra, "-g", "daemon off;"]

    def scheduler_command(self, now: Optional[str] = None) -> List[str]:
        """`make nudge-once` for one instance: run with `env_for("nudges-N")`."""
        return [sys.executable, "-m", "bot.nudges.scheduler", "--once"] + (["--now", now] if now else [])

    def _nginx_identity(self) -> Dict[str, object]:
        """Popen's user/group for nginx: `nobody` when this runs as root, else ourselves."""
        if os.geteuid() != 0:
            return {}
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def spawn(self, name: str) -> subprocess.Popen:
        out = self._output(name)
        self.procs[name] = subprocess.Popen(
            self.commands()[name], cwd=PROJECT_ROOT, env=self.env_for(name), stdout=out,
            stderr=subprocess.STDOUT if out else None, start_new_session=True,
            **(self._nginx_identity() if name == "nginx" else {}),
        )
        return self.procs[name]

    # ---------------------------------------------------------------- life cycle
    def prepare(self) -> None:
        """The database's schema, the model snapshot and nginx's prefix (config checked)."""
        from bot.store import migrate

        migrate(self.env["DATABASE_URL"])
        ensure_model(self.env)
        self.work = Path(tempfile.mkdtemp(prefix="coach-scale-"))
        newest = max(MODELS_DIR.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        self.model_path.parent.mkdir()
        shutil.copy2(newest, self.model_path)

        prefix = self.nginx_dir
        for sub in ("logs", "temp"):
            (prefix / sub).mkdir(parents=True)
        (prefix / "coach-site.conf").write_text(nginx_site(
            f"127.0.0.1:{self.nginx_port}", [f"127.0.0.1:{p}" for p in self.rasa_ports],
            f"127.0.0.1:{self.env['WEB_PORT']}", access_log=str(self.access_log)))
        (prefix / "nginx.conf").write_text(render(MAIN_TEMPLATE.read_text(), {"PREFIX": str(prefix)}))
        identity = self._nginx_identity()
        if identity:  # root: the prefix belongs to the unprivileged user nginx runs as
            os.chmod(self.work, 0o711)  # ...who may pass through the work directory, not list it
            for path in [prefix, *prefix.rglob("*")]:
                os.chown(path, identity["user"], identity["group"])
        check = subprocess.run(self.nginx_command("-t")[:-2], capture_output=True, text=True, **identity)
        if check.returncode != 0:
            raise ScaleError(f"nginx refused its configuration:\n{check.stderr.strip()}")

    def start(self, timeout: float = 300.0) -> None:
        started = time.monotonic()
        try:
            self.prepare()
            for name in self.commands():
                self.spawn(name)
            probes = {"actions": f"{self.action_url}/health", "web": f"{self.web_url}/healthz",
                      "nginx": f"{self.url}/nginx-health"}
            probes.update({f"rasa-{i}": f"{url}/" for i, url in enumerate(self.rasa_urls, 1)})
            deadline = started + timeout
            for name, url in probes.items():
                while not _answers(url):
                    code = self.procs[name].poll()
                    if code is not None:
                        raise ScaleError(self.exit_report(name, code))
                    if time.monotonic() > deadline:
                        raise ScaleError(f"the {name} server did not answer {url} in {timeout:.0f} s")
                    time.sleep(0.5)
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - started

    def stop(self, grace: float = 15.0) -> None:
        super().stop(grace)
        if self.work is not None:
            if self.log_dir is not None and self.nginx_dir.exists():
                self.log_dir.mkdir(parents=True, exist_ok=True)
                for log in (self.nginx_dir / "logs").glob("*.log"):
                    shutil.copy(log, self.log_dir / f"nginx-{log.name}")
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None


# -------------------------------------------------------------------- command line
def _site_main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.scale nginx-site",
                                     description="Print the coach's nginx site for these addresses.")
    parser.add_argument("--listen", default="80", help="nginx's listen argument (default 80)")
    parser.add_argument("--rasa", action="append", required=True, metavar="HOST:PORT",
                        help="a Rasa instance (repeat for each)")
    parser.add_argument("--web", required=True, metavar="HOST:PORT", help="the web page")
    parser.add_argument("--allow-rest", action="append", metavar="ADDRESS",
                        help="who may use /webhooks/rest/ (default: loopback only; repeat)")
    parser.add_argument("--access-log", default="/var/log/nginx/coach.access.log")
    args = parser.parse_args(argv)
    print(f"# Rendered by: python -m bot.scale nginx-site {shlex.join(argv)}")
    print(nginx_site(args.listen, args.rasa, args.web, args.allow_rest or LOCAL_REST_CLIENTS,
                     args.access_log), end="")
    return 0


EXEC_NAMES = ("actions", "rasa", "web", "nudges")


def exec_command(name: str, env: Dict[str, str]) -> List[str]:
    """The command `make run` uses for one server, with this environment (RASA_PORT, ...).

    For a Rasa server, RASA_INTERFACE (default 127.0.0.1) is where it listens (0.0.0.0 when
    nginx reaches it from another host or container) and RASA_ENDPOINTS the endpoints file
    (default endpoints.yml, whose action server is on 127.0.0.1; deploy/compose has another).
    """
    if name not in EXEC_NAMES:
        raise ScaleError(f"unknown server {name!r}: one of {', '.join(EXEC_NAMES)}")
    command = CoachServers(env, nudges=True).commands()[name]
    if name == "rasa":
        for option, variable in (("--interface", "RASA_INTERFACE"), ("--endpoints", "RASA_ENDPOINTS")):
            if env.get(variable, "").strip():
                command[command.index(option) + 1] = env[variable].strip()
    return command


def _exec_main(argv: List[str]) -> int:
    """`python -m bot.scale exec NAME`: become that one server (systemd units, containers)."""
    parser = argparse.ArgumentParser(prog="python -m bot.scale exec",
                                     description="Run one of the coach's servers in the foreground.")
    parser.add_argument("name", choices=EXEC_NAMES)
    args = parser.parse_args(argv)
    env = coach_env()
    command = exec_command(args.name, env)
    os.chdir(PROJECT_ROOT)
    os.execvpe(command[0], command, env)
    return 1  # not reached


def _migrate_main() -> int:
    """`python -m bot.scale migrate`: the schema of DATABASE_URL, once, before any server starts."""
    from bot.store import migrate

    migrate(coach_env()["DATABASE_URL"])
    print("The database is migrated.")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["nginx-site"]:
        return _site_main(argv[1:])
    if argv[:1] == ["exec"]:
        return _exec_main(argv[1:])
    if argv[:1] == ["migrate"]:
        return _migrate_main()
    parser = argparse.ArgumentParser(prog="python -m bot.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=None, help="nginx's port (default: a free one)")
    parser.add_argument("--instances", type=int, default=2, help="Rasa server instances (default 2)")
    parser.add_argument("--no-nudges", action="store_true", help="no nudge scheduler per instance")
    parser.add_argument("--log-dir", type=Path, default=PROJECT_ROOT / ".run" / "scale",
                        help="each child's output to <name>.log there (default .run/scale)")
    args = parser.parse_args(argv)
    try:
        scale = ScaleOut.create(os.environ.get("DATABASE_URL", "").strip(),
                                os.environ.get("REDIS_URL", "").strip(), instances=args.instances,
                                port=args.port, nudges=not args.no_nudges, log_dir=args.log_dir)
    except ScaleError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    stopping = {"flag": False}

    def _stop(_signum, _frame):
        stopping["flag"] = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        scale.start()
    except ScaleError as exc:
        print(f"{exc} (logs: {args.log_dir})", file=sys.stderr)
        return 1
    print(f"\nThe scaled coach is up ({scale.started_in:.0f} s to start), logs in {args.log_dir}.\n"
          f"  Web chat:  {scale.url}/\n"
          f"  REST:      {scale.url}/webhooks/rest/webhook (loopback clients only)\n"
          f"  Rasa:      {', '.join(scale.rasa_urls)} (each with its nudge scheduler)\n"
          f"  Actions:   {scale.action_url}\n"
          "Press Ctrl-C to stop.\n", flush=True)
    try:
        Supervisor(scale).run(lambda: stopping["flag"])
    finally:
        scale.stop()
    print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
