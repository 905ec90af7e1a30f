"""`make bench`: the coach against the stock Rasa assistant, side by side (issue 11).

What it measures, in one run on this machine, everything on 127.0.0.1:

1. Training from scratch. The stock assistant is `rasa init --no-prompt` (the project
   Rasa 3.6 scaffolds, trained by `rasa init` itself) in a temporary folder, with this
   virtualenv's `rasa`; the coach is `rasa train` on config.yml, domain.yml and data/
   into a temporary folder. Each gets its own empty cache (RASA_CACHE_DIRECTORY), so
   nothing is reused. `--skip-train` serves the existing models/coach.tar.gz instead
   and reports the coach's training as "not run" (the stock one is always trained:
   `rasa init` is how it gets a model).
2. Start-up: from spawning the servers until every one answers its probe and a first
   REST message gets a 200 reply. The stock assistant is one process (`rasa run`, no
   action server: its endpoints.yml has none); the coach is what `make run` starts
   (bot.serve.CoachServers: action server, Rasa server, web page; the nudge scheduler
   is left out as in the tests) on free ports, with a throwaway SQLite database
   (DATABASE_URL) and in-memory locks (REDIS_URL empty).
3. Load over REST (POST {sender, message} to /webhooks/rest/webhook), the SAME texts to
   both: realistic coach conversations (check-ins step by step and in one sentence,
   the form's follow-up questions, today's plan, the onset answer, walks, sleep,
   progress, exercise / medication / lifestyle questions, thanks). The stock assistant
   answers them with its own intents: the point is the same load. Every virtual user is
   one person in a closed loop (the next message only after the reply); each new
   conversation gets a new sender id, so trackers do not grow without bound.
     phase A: one user, N messages one after another;
     phase B: 20 users at once for a fixed time after a warm-up; only requests that
              start and finish inside the measured window count.
   Throughput = counted replies / window length; p50/p95/p99 by linear interpolation.
   Errors = HTTP status other than 200, connection errors and 30 s timeouts, for both
   sides alike. An empty reply list is not an error (the stock assistant legitimately
   says nothing to some texts) but is counted and shown as "empty replies".
4. Memory: the resident set (VmRSS from /proc, no psutil in the venv) of every server
   process and all its descendants, sampled every 0.5 s from spawn to stop; the table
   shows each process's peak and the peak of the simultaneous total.
5. A year of history (coach only): before the servers start, one person per round of
   phase C gets 365 days of check-ins, walks and sleep logs through the coach's store
   (bot.store.CoachStore: save_checkin_day, add_activity, add_sleep, as the actions do)
   and 365 daily sessions of Rasa tracker events (session start, three short
   exchanges), ending yesterday, saved through the coach's tracker store
   (bot.rasa_ext.stores.CoachTrackerStore) in the same database. Phase C then sends
   the same conversation, one user, each round once by a year-old person and once by a
   brand-new person (so both start today's session afresh and only the stored history
   differs), and compares p50 and p95 over 20 rounds (160 replies each).

Targets (printed as PASS / FAIL; the benchmark never fails on them): coach throughput
at 20 users >= 3x stock; coach p95 at 20 users <= 0.5x stock; peak total RSS of all
coach server processes <= the stock Rasa server's; coach training from scratch <= 120 s;
the year-old person's p50 and p95 at most 1.2x a new person's.

The figures also go to results/bench.json. The servers run one side at a time (stock,
then coach), so neither idles on the CPU while the other is measured; the load average
is printed before each phase because other jobs on the machine skew every figure.

    python -m bench.compare                       # the full run (~20 min on 2 cores)
    python -m bench.compare --quick --skip-train  # a short check of the harness (~3 min)
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.serve import (MODELS_DIR, PROJECT_ROOT, VENV_BIN, CoachServers, _answers, _signal_group,
                       coach_env, free_ports)

REQUEST_TIMEOUT = 30.0
USERS = 20
RESULTS = PROJECT_ROOT / "results" / "bench.json"

# Conversations the coach follows (tests/test_stories.yml, tests/test_e2e_rest.py): the
# check-in form asks for the score, the place and the trend one by one unless one
# sentence has them; today's plan asks once for the onset; no red flags, no erasure.
CONVERSATIONS: Tuple[Tuple[str, ...], ...] = (
    ("hi", "let's do my check-in", "6", "my calf", "worse than yesterday",
     "what should I do today?", "about 3 weeks ago", "I walked 25 minutes", "how am I doing?",
     "how do I do a bird dog?", "ice or heat?", "slept 5 hours", "thanks, bye"),
    ("hello", "my back is a 3 today, about the same", "what should I do today?", "not sure",
     "how do I do a bird dog?", "can I take more ibuprofen?", "walked 20 minutes",
     "show my progress", "thanks!"),
    ("hi there", "check in please", "a 5", "lower back", "better",
     "what are the warning signs?", "walked 30 minutes this morning", "slept badly",
     "am I getting better?", "bye"),
    ("my calf is worse, about a 6", "what should I do today?", "about 3 weeks ago",
     "I'm scared to bend", "should I stay in bed?", "ice or heat?", "walked 15 minutes",
     "how am I doing?", "thank you"),
)
# Phase C: the same texts for the year-old person and a new one.
YEAR_SCRIPT = ("hi", "my back is a 4 today, about the same", "what should I do today?",
               "walked 25 minutes", "slept badly, about 6 hours", "how am I doing?",
               "how do I do a bird dog?", "thanks, bye")


@dataclass
class Mode:
    seq_messages: int = 100
    warmup: float = 10.0
    duration: float = 60.0
    # 20 rounds of 8 messages: 160 replies each side, so p95 is not the second-slowest of
    # 40 (with 5 rounds one slow reply moved the year/new p95 ratio by 0.1-0.2).
    year_rounds: int = 20

    @classmethod
    def quick(cls) -> "Mode":
        return cls(seq_messages=30, warmup=5.0, duration=15.0, year_rounds=2)


# ---------------------------------------------------------------- statistics and tables
def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """The q-th percentile (0-100), linear between the closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    if a is None or b is None or b == 0:
        return None
    return a / b


def verdict(ok: Optional[bool]) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    rows = [list(map(str, r)) for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(header)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(list(map(str, header))), "-+-".join("-" * w for w in widths)]
                     + [line(r) for r in rows])


# ---------------------------------------------------------------- processes and memory
def _children_map() -> Dict[int, List[int]]:
    kids: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _descendants(pid: int, kids: Dict[int, List[int]]) -> List[int]:
    out, todo = [], list(kids.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _rss_kb(pid: int) -> Optional[int]:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return 0


def cpu_seconds(pid: int) -> Optional[float]:
    """User + system CPU time of a process and its reaped children so far (/proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


class MemorySampler:
    """Peak RSS per process (each named server and every descendant) and of their total."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.roots: Dict[str, int] = {}
        self.peaks: Dict[str, float] = {}  # label -> MB
        self.peak_total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self, roots: Dict[str, int]) -> None:
        self.roots = dict(roots)
        self._thread.start()

    def sample(self) -> None:
        kids = _children_map()
        total = 0.0
        for name, root in self.roots.items():
            for pid in [root] + _descendants(root, kids):
                kb = _rss_kb(pid)
                if kb is None:
                    continue
                label = name if pid == root else f"{name} > {_comm(pid)} ({pid})"
                mb = kb / 1024
                total += mb
                self.peaks[label] = max(self.peaks.get(label, 0.0), mb)
        self.peak_total = max(self.peak_total, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def _stop_group(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM the child's process group, SIGKILL it if it is still there after `grace` s."""
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGKILL)
        proc.wait()


def timed_run(cmd: List[str], cwd: Path, env: Dict[str, str], log: Path) -> float:
    """Run `cmd` to completion (its output to `log`) and return the wall time; raise on failure.
    On any interruption its whole process group is stopped."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            code = proc.wait()
        except BaseException:
            _stop_group(proc, 10)
            raise
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} exited with {code} (its log: {log.name})")
    return time.monotonic() - t0


def _first_reply(url: str, deadline: float) -> None:
    import urllib.request
    body = json.dumps({"sender": "startup-" + uuid.uuid4().hex, "message": "hi"}).encode()
    while True:
        try:
            req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as resp:
                if resp.status == 200:
                    return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"no reply from {url}")
        time.sleep(0.5)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# ---------------------------------------------------------------- the two sides
class StockServer:
    """`rasa run` of the `rasa init` project: REST (its credentials.yml), no action server."""

    def __init__(self, project: Path, env: Dict[str, str], port: str, log: Path) -> None:
        self.project, self.env, self.port, self.log = project, env, port, log
        self.procs: Dict[str, subprocess.Popen] = {}
        self._out = None

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> int:
        self._out = open(self.log, "ab")
        self.procs["rasa"] = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--model", "models", "--port", self.port,
             "--interface", "127.0.0.1"],
            cwd=self.project, env=self.env, stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True)
        return self.procs["rasa"].pid

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while not _answers(f"{self.rasa_url}/"):
            if self.procs["rasa"].poll() is not None:
                raise RuntimeError(f"the stock Rasa server exited with {self.procs['rasa'].returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError("the stock Rasa server did not answer")
            time.sleep(0.5)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                _stop_group(proc, 15)
        self.procs.clear()
        if self._out:
            self._out.close()
            self._out = None


@dataclass
class BenchCoach(CoachServers):
    """CoachServers serving a given model file (the one just trained, or models/coach.tar.gz)."""

    model: str = str(MODELS_DIR)

    def commands(self) -> Dict[str, List[str]]:
        commands = super().commands()
        rasa = commands["rasa"]
        rasa[rasa.index("--model") + 1] = self.model
        return commands


# ---------------------------------------------------------------- load generator
@dataclass
class Sample:
    start: float
    end: float
    ms: float
    error: Optional[str]  # None, "http <code>", "timeout", or the exception's class
    empty: bool = False


async def _send(session, url: str, sender: str, text: str) -> Sample:
    import aiohttp

    t0 = time.monotonic()
    error, empty = None, False
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as resp:
            body = await resp.read()
            if resp.status != 200:
                error = f"http {resp.status}"
            else:
                try:
                    empty = not json.loads(body)
                except ValueError:
                    error = "bad json"
    except asyncio.TimeoutError:
        error = "timeout"
    except aiohttp.ClientError as exc:
        error = exc.__class__.__name__
    t1 = time.monotonic()
    return Sample(t0, t1, (t1 - t0) * 1000, error, empty)


def _session():
    import aiohttp

    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(limit=0, force_close=False))


def _conversation_texts(offset: int) -> Iterable[Tuple[bool, str]]:
    """(new conversation?, text) forever, cycling through CONVERSATIONS from `offset`."""
    for i in itertools.count(offset):
        for j, text in enumerate(CONVERSATIONS[i % len(CONVERSATIONS)]):
            yield j == 0, text


async def _sequential(url: str, n: int, tag: str) -> List[Sample]:
    samples: List[Sample] = []
    async with _session() as session:
        sender = ""
        for new, text in itertools.islice(_conversation_texts(0), n):
            if new:
                sender = f"{tag}-{uuid.uuid4().hex}"
            samples.append(await _send(session, url, sender, text))
    return samples


async def _concurrent(url: str, users: int, warmup: float, duration: float,
                      tag: str) -> Tuple[List[Sample], float, float]:
    t0 = time.monotonic()
    window = (t0 + warmup, t0 + warmup + duration)
    samples: List[Sample] = []

    async def user(k: int, session) -> None:
        sender = ""
        for new, text in _conversation_texts(k):
            if time.monotonic() >= window[1]:
                return
            if new:
                sender = f"{tag}-{uuid.uuid4().hex}"
            sample = await _send(session, url, sender, text)
            if sample.start >= window[0] and sample.end <= window[1]:
                samples.append(sample)

    async with _session() as session:
        await asyncio.gather(*(user(k, session) for k in range(users)))
    return samples, window[0], window[1]


async def _alternating(url: str, year_senders: Sequence[str]) -> Tuple[List[Sample], List[Sample]]:
    """One round per year-old person, each followed by a brand-new person: both start the
    day's conversation afresh, so only the stored history differs between them."""
    year, new = [], []
    async with _session() as session:
        for year_sender in year_senders:
            for target in ("year", "new"):
                sender = year_sender if target == "year" else f"new-{uuid.uuid4().hex}"
                for text in YEAR_SCRIPT:
                    (year if target == "year" else new).append(await _send(session, url, sender, text))
    return year, new


def summarize(samples: List[Sample], seconds: Optional[float] = None) -> Dict[str, object]:
    ok = [s.ms for s in samples if s.error is None]
    errors: Dict[str, int] = {}
    for s in samples:
        if s.error:
            errors[s.error] = errors.get(s.error, 0) + 1
    if seconds is None and samples:
        seconds = max(s.end for s in samples) - min(s.start for s in samples)
    return {
        "requests": len(samples), "ok": len(ok), "errors": sum(errors.values()),
        "error_kinds": errors, "empty_replies": sum(1 for s in samples if s.empty and not s.error),
        "seconds": seconds,
        "throughput": len(ok) / seconds if seconds else None,
        "p50_ms": percentile(ok, 50), "p95_ms": percentile(ok, 95), "p99_ms": percentile(ok, 99),
        "max_ms": max(ok) if ok else None,
    }


def run_load(url: str, mode: Mode, tag: str, pids: Optional[Dict[str, int]] = None) -> Dict[str, object]:
    """Phases A and B; with `pids` (server name -> pid) also each server's CPU time per
    counted reply in phase B's window: a figure other load on the machine hardly moves."""
    print(f"  [{tag}] phase A: 1 user, {mode.seq_messages} messages (load average {load_average()})",
          flush=True)
    seq = summarize(asyncio.run(_sequential(url, mode.seq_messages, tag)))
    print(f"  [{tag}] phase B: {USERS} users, {mode.warmup:g} s warm-up + {mode.duration:g} s "
          f"(load average {load_average()})", flush=True)
    cpu: Dict[str, List[Optional[float]]] = {name: [] for name in (pids or {})}

    def read_cpu() -> None:
        for name, pid in (pids or {}).items():
            cpu[name].append(cpu_seconds(pid))

    marks = [threading.Timer(mode.warmup, read_cpu), threading.Timer(mode.warmup + mode.duration, read_cpu)]
    for mark in marks:
        mark.start()
    samples, w0, w1 = asyncio.run(_concurrent(url, USERS, mode.warmup, mode.duration, tag))
    for mark in marks:
        mark.join()
    busy = summarize(samples, w1 - w0)
    busy["cpu_ms_per_reply"] = {
        name: (1000 * (v[1] - v[0]) / busy["ok"]) if len(v) == 2 and None not in v and busy["ok"] else None
        for name, v in cpu.items()}
    return {"users_1": seq, f"users_{USERS}": busy}


# ---------------------------------------------------------------- a year of history
def seed_year_of_history(database_url: str, sender: str, today: date) -> Dict[str, int]:
    """365 days of check-ins, walks and sleep in the coach's tables, and 365 daily sessions
    of tracker events, for `sender`, ending yesterday."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted,
                                         UserUttered)
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.records import ActivityRecord, CheckinRecord, SleepRecord
    from bot.store import open_store

    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url  # the tracker store notes messages in default_store()
    try:
        store = open_store(database_url)
        first = today - timedelta(days=365)
        store.set_onset(sender, first - timedelta(days=20))
        store.mark_onset_asked(sender, datetime.combine(first, datetime.min.time()))
        events = []
        places = ("lower_back", "buttock", "thigh", "calf", "lower_back", "lower_back")
        trends = ("better", "same", "worse")
        for i in range(365):
            day = first + timedelta(days=i)
            morning = datetime.combine(day, datetime.min.time()) + timedelta(hours=8)
            score = float(7 - i // 90 + (i % 3) - 1)  # 6 to 8 a year ago, 2 to 4 lately; 3 yesterday
            record = CheckinRecord(at=morning, pain_score=score, location=places[i % len(places)],
                                   trend=trends[i % 3], day=day,
                                   direction=("stable", "centralizing", "peripheralizing")[i % 3])
            store.save_checkin_day(sender, day, record, morning)
            store.add_activity(sender, ActivityRecord(at=morning + timedelta(hours=3), kind="walking",
                                                      minutes=float(15 + i % 30)))
            if i % 4 == 0:
                store.add_activity(sender, ActivityRecord(at=morning + timedelta(hours=10),
                                                          kind="stretching", minutes=10.0))
            store.add_sleep(sender, SleepRecord(at=morning - timedelta(hours=1),
                                                quality=("good", "ok", "bad")[i % 3],
                                                hours=float(5 + i % 4)))
            ts = morning.replace(tzinfo=timezone.utc).timestamp()
            events += [ActionExecuted("action_session_start", timestamp=ts),
                       SessionStarted(timestamp=ts),
                       ActionExecuted("action_listen", timestamp=ts)]
            for k, (text, intent, action, reply) in enumerate((
                    (f"my back is a {int(score)} today", "report_symptoms", "action_record_checkin",
                     "Thanks, today's check-in is saved."),
                    (f"walked {15 + i % 30} minutes", "report_activity", "action_record_activity",
                     "Nice work! That walk is logged."),
                    ("how am I doing?", "ask_progress", "action_progress_summary",
                     "Here is your week so far."))):
                t = ts + 60 * (k + 1)
                events += [UserUttered(text, intent={"name": intent, "confidence": 1.0},
                                       timestamp=t, input_channel="rest"),
                           ActionExecuted(action, timestamp=t + 0.1),
                           BotUttered(reply, timestamp=t + 0.2),
                           ActionExecuted("action_listen", timestamp=t + 0.3)]
        from bot.rasa_ext.stores import CoachTrackerStore

        domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
        tracker_store = CoachTrackerStore(domain, host=database_url)
        tracker = DialogueStateTracker.from_events(sender, events, slots=domain.slots)
        asyncio.run(tracker_store.save(tracker))
        tracker_store.engine.dispose()
        profile = store.profile(sender)
        store.engine.dispose()
        return {"checkins": len(profile.checkins), "activities": len(profile.activities),
                "sleeps": len(profile.sleeps), "tracker_events": len(events)}
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


# ---------------------------------------------------------------- the run
def child_env(extra: Dict[str, str]) -> Dict[str, str]:
    env = coach_env(extra)
    env.pop("TELEGRAM_TOKEN", None)  # REST only; no generated credentials file
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def bench_stock(work: Path, mode: Mode, report: Dict[str, object]) -> None:
    env = child_env({"RASA_CACHE_DIRECTORY": str(work / "cache-stock")})
    print(f"stock: rasa init --no-prompt (trains its model; load average {load_average()})", flush=True)
    (work / "stock").mkdir()
    report["stock"]["training_s"] = timed_run(
        [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(work / "stock")],
        work, env, work / "logs" / "stock-init.log")
    port = free_ports()["RASA_PORT"]
    server = StockServer(work / "stock", env, port, work / "logs" / "stock-rasa.log")
    sampler = MemorySampler()
    try:
        t0 = time.monotonic()
        sampler.start({"rasa server": server.spawn()})
        server.wait_ready()
        report["stock"]["probes_s"] = time.monotonic() - t0
        _first_reply(f"{server.rasa_url}/webhooks/rest/webhook", time.monotonic() + 120)
        report["stock"]["startup_s"] = time.monotonic() - t0
        print(f"stock: up in {report['stock']['startup_s']:.1f} s", flush=True)
        report["stock"].update(run_load(f"{server.rasa_url}/webhooks/rest/webhook", mode, "stock",
                                        {"rasa server": server.procs["rasa"].pid}))
    finally:
        sampler.stop()
        server.stop()
    report["stock"]["rss_mb"] = sampler.peaks
    report["stock"]["rss_total_mb"] = sampler.peak_total


def bench_coach(work: Path, mode: Mode, skip_train: bool, report: Dict[str, object]) -> None:
    from bot.store import migrate

    coach = report["coach"]
    if skip_train:
        model = MODELS_DIR / "coach.tar.gz"
        if not model.exists():
            raise SystemExit(f"--skip-train needs {model} (make train)")
        coach["training_s"] = None
    else:
        out = work / "coach-models"
        env = child_env({"RASA_CACHE_DIRECTORY": str(work / "cache-coach")})
        print(f"coach: rasa train from scratch (load average {load_average()})", flush=True)
        coach["training_s"] = timed_run(
            [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
             "--data", "data", "--out", str(out), "--fixed-model-name", "coach"],
            PROJECT_ROOT, env, work / "logs" / "coach-train.log")
        print(f"coach: trained in {coach['training_s']:.0f} s", flush=True)
        model = out / "coach.tar.gz"
    coach["model"] = str(model)

    db = f"sqlite:///{work / 'coach.sqlite3'}"
    env = child_env({**free_ports(), "DATABASE_URL": db, "REDIS_URL": "",
                     "RASA_AUTH_TOKEN": "bench-" + uuid.uuid4().hex})
    migrate(db)
    # One year-old person per round: a person's second round would continue the same session,
    # which a new person never does.
    year_senders = [f"year-{uuid.uuid4().hex}" for _ in range(mode.year_rounds)]
    t0 = time.monotonic()
    for year_sender in year_senders:
        coach["year_seeded"] = seed_year_of_history(db, year_sender, datetime.utcnow().date())
    print(f"coach: {len(year_senders)} people with a year of history seeded in "
          f"{time.monotonic() - t0:.1f} s, each {coach['year_seeded']}", flush=True)

    servers = BenchCoach(env, log_dir=work / "logs" / "coach", nudges=False, model=str(model))
    sampler = MemorySampler()
    try:
        t0 = time.monotonic()
        started = threading.Thread(target=servers.start, daemon=True)
        started.start()
        while not all(n in servers.procs for n in ("actions", "rasa", "web")):
            if not started.is_alive():
                break
            time.sleep(0.05)
        sampler.start({f"{n} server": p.pid for n, p in servers.procs.items()})
        started.join()
        if servers.failed() or not servers.procs:
            raise RuntimeError(f"the coach did not start: {servers.failed()}")
        coach["probes_s"] = time.monotonic() - t0
        url = f"{servers.rasa_url}/webhooks/rest/webhook"
        _first_reply(url, time.monotonic() + 120)
        coach["startup_s"] = time.monotonic() - t0
        print(f"coach: up in {coach['startup_s']:.1f} s", flush=True)
        coach.update(run_load(url, mode, "coach", {f"{n} server": p.pid for n, p in servers.procs.items()}))
        print(f"  [coach] phase C: a year of history vs new, {mode.year_rounds} rounds each "
              f"(load average {load_average()})", flush=True)
        year, new = asyncio.run(_alternating(url, year_senders))
        coach["year_of_history"] = summarize(year)
        coach["new_person"] = summarize(new)
    finally:
        sampler.stop()
        servers.stop()
    coach["rss_mb"] = sampler.peaks
    coach["rss_total_mb"] = sampler.peak_total


def render(report: Dict[str, object]) -> str:
    c, s = report["coach"], report["stock"]
    c1, s1 = c.get("users_1", {}), s.get("users_1", {})
    cn, sn = c.get(f"users_{USERS}", {}), s.get(f"users_{USERS}", {})
    rows = []

    def row(measure, cv, sv, target="", ok=None, digits=1, show_ratio=True):
        r = ratio(cv, sv) if show_ratio and not isinstance(cv, str) else None
        rows.append([measure, fmt(cv, digits), fmt(sv, digits),
                     f"{r:.2f}x" if r is not None else "-", target,
                     verdict(ok) if target else ""])

    ct = c.get("training_s")
    row("training from scratch (s)", ct if ct is not None else "not run", s.get("training_s"),
        "coach <= 120 s", None if ct is None else ct <= 120, digits=0)
    row("start-up to first reply (s)", c.get("startup_s"), s.get("startup_s"))
    row("1 user: throughput (req/s)", c1.get("throughput"), s1.get("throughput"), digits=2)
    for p in ("p50", "p95", "p99"):
        row(f"1 user: {p} (ms)", c1.get(f"{p}_ms"), s1.get(f"{p}_ms"), digits=0)
    row("1 user: errors / requests", f"{c1.get('errors')}/{c1.get('requests')}",
        f"{s1.get('errors')}/{s1.get('requests')}")
    tr = ratio(cn.get("throughput"), sn.get("throughput"))
    row(f"{USERS} users: throughput (req/s)", cn.get("throughput"), sn.get("throughput"),
        ">= 3x stock", None if tr is None else tr >= 3, digits=2)
    row(f"{USERS} users: p50 (ms)", cn.get("p50_ms"), sn.get("p50_ms"), digits=0)
    pr = ratio(cn.get("p95_ms"), sn.get("p95_ms"))
    row(f"{USERS} users: p95 (ms)", cn.get("p95_ms"), sn.get("p95_ms"), "<= 0.5x stock",
        None if pr is None else pr <= 0.5, digits=0)
    row(f"{USERS} users: p99 (ms)", cn.get("p99_ms"), sn.get("p99_ms"), digits=0)
    row(f"{USERS} users: errors / requests", f"{cn.get('errors')}/{cn.get('requests')}",
        f"{sn.get('errors')}/{sn.get('requests')}")
    row("empty replies (1 user + 20 users)",
        (c1.get("empty_replies") or 0) + (cn.get("empty_replies") or 0),
        (s1.get("empty_replies") or 0) + (sn.get("empty_replies") or 0), show_ratio=False)
    ccpu, scpu = cn.get("cpu_ms_per_reply") or {}, sn.get("cpu_ms_per_reply") or {}
    for name in sorted(set(ccpu) | set(scpu)):
        row(f"{USERS} users: {name} CPU per reply (ms)", ccpu.get(name), scpu.get(name), digits=1)
    mr = ratio(c.get("rss_total_mb"), s.get("rss_total_mb"))
    row("peak RSS, all server processes (MB)", c.get("rss_total_mb"), s.get("rss_total_mb"),
        "coach <= stock", None if mr is None else mr <= 1, digits=0)
    out = ["", table(["measure", "coach", "stock", "ratio", "target", "verdict"], rows)]

    mem = [[side, label, f"{mb:.0f}"] for side, d in (("coach", c), ("stock", s))
           for label, mb in sorted((d.get("rss_mb") or {}).items())]
    out += ["", "Peak resident memory per server process (MB; descendants listed under their server)",
            table(["side", "process", "peak RSS MB"], mem)]

    y, n = c.get("year_of_history"), c.get("new_person")
    if y and n:
        yrows = []
        for p in ("p50", "p95"):
            r = ratio(y.get(f"{p}_ms"), n.get(f"{p}_ms"))
            yrows.append([f"{p} (ms)", fmt(y.get(f"{p}_ms"), 0), fmt(n.get(f"{p}_ms"), 0),
                          f"{r:.2f}x" if r is not None else "-", "year <= 1.2x new",
                          verdict(None if r is None else r <= 1.2)])
        yrows.append(["errors / requests", f"{y['errors']}/{y['requests']}",
                      f"{n['errors']}/{n['requests']}", "-", "", ""])
        seeded = c.get("year_seeded", {})
        out += ["", f"Coach, one user: people with a year of daily history ({seeded.get('checkins')} "
                    f"check-ins, {seeded.get('activities')} activities, {seeded.get('sleeps')} sleep "
                    f"logs, {seeded.get('tracker_events')} tracker events each) vs new people",
                table(["measure", "year of history", "new person", "ratio", "target", "verdict"], yrows)]
    errs = {side: {k: v for k, v in (report[side].get(f"users_{USERS}", {}) or {}).get("error_kinds", {}).items()}
            for side in ("coach", "stock")}
    if any(errs.values()):
        out += ["", f"error kinds at {USERS} users: {errs}"]
    out += ["", f"mode: {report['mode']}; load average at start {report['load_start']}, "
                f"at end {report.get('load_end')}; wall time {fmt(report.get('wall_s'), 0)} s"]
    return "\n".join(out)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short load phases (development)")
    parser.add_argument("--skip-train", action="store_true",
                        help="serve models/coach.tar.gz; the coach's training time is 'not run'")
    parser.add_argument("--coach-only", action="store_true",
                        help="leave the stock assistant out (development; no ratios)")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"where to write (default {RESULTS})")
    args = parser.parse_args(argv)
    mode = Mode.quick() if args.quick else Mode()

    def _term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    started = time.monotonic()
    report: Dict[str, object] = {
        "mode": ("quick" if args.quick else "full") + (", skip-train" if args.skip_train else "")
        + (", coach only" if args.coach_only else ""),
        "settings": mode.__dict__ | {"users": USERS, "timeout_s": REQUEST_TIMEOUT},
        "started_utc": datetime.utcnow().isoformat(timespec="seconds") + "Z",
        "cpus": os.cpu_count(), "load_start": load_average(), "coach": {}, "stock": {},
    }
    work = Path(tempfile.mkdtemp(prefix="coach-compare-"))
    try:
        if not args.coach_only:
            bench_stock(work, mode, report)
        bench_coach(work, mode, args.skip_train, report)
    except KeyboardInterrupt:
        print("interrupted: servers stopped, temporary files removed", file=sys.stderr)
        return 130
    except Exception:
        logs = work / "logs"
        print(f"the benchmark failed; logs were in {logs} (removed):", file=sys.stderr)
        for log in sorted(logs.rglob("*.log")) if logs.exists() else []:
            print(f"--- {log.name} (tail)\n{log.read_text(errors='replace')[-1500:]}", file=sys.stderr)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["load_end"] = load_average()
    report["wall_s"] = time.monotonic() - started
    print(render(report))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
