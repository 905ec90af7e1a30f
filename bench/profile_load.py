"""`make profile-load`: where the servers spend their time under bench.compare's 20-user load.

Starts the coach as `make bench` does (throwaway SQLite, no nudges), runs the 20-user
closed-loop load, and meanwhile samples the Rasa server and the action server with
py-spy (a sampling profiler that attaches from outside, so the servers run unchanged).
Each server's samples are summed into the parts of a turn: which share of its time
goes to the NLU pipeline, the policies, the tracker store, the call to the action
server, the action code and the database; and how busy each server's Python was
(samples holding the GIL, out of all possible).

py-spy is not one of the coach's dependencies: `make profile-load` installs it into
.venv/tools (PY_SPY may name another binary). It needs permission to read another
process's memory (root, or ptrace allowed).

    python -m bench.profile_load [--seconds 30] [--users 20] [--model models/coach.tar.gz]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from bench.compare import BenchCoach, _concurrent, _first_reply, child_env, summarize
from bot.serve import MODELS_DIR, PROJECT_ROOT, free_ports

# Parts of a turn, first match wins: (label, pattern on a frame "function (file)").
PARTS: Dict[str, Sequence[Tuple[str, str]]] = {
    "rasa": (
        ("NLU: clinical reader (spaCy rules)", r"bot/nlu/(clinical|context)\.py"),
        ("NLU: intent classifier", r"intent_classifier|logistic|sklearn/linear_model"),
        ("NLU: featurizers and tokenizer", r"rasa/nlu/(featurizers|tokenizers)/"),
        ("policies (rules)", r"rasa/core/policies/"),
        ("tracker store (SQL)", r"rasa/core/tracker_store\.py|bot/rasa_ext/stores\.py"),
        ("call to the action server (JSON, HTTP, check)", r"rasa/core/actions/action\.py\)|aiohttp|action_validation"),
        ("REST channel and Sanic", r"sanic/|rasa/core/channels/"),
        ("Rasa's turn bookkeeping (processor, tracker, events)", r"rasa/core/processor\.py|rasa/shared/core/"),
    ),
    "actions": (
        ("progress chart (Pillow)", r"bot/charts\.py"),
        ("database (SQLAlchemy)", r"sqlalchemy/"),
        ("action code (bot/, actions/)", r"/(bot|actions)/"),
        ("rasa_sdk and Sanic (JSON, HTTP)", r"rasa_sdk/|sanic/|json"),
    ),
}


def py_spy() -> str:
    found = os.environ.get("PY_SPY") or shutil.which("py-spy") or str(
        PROJECT_ROOT / ".venv" / "tools" / "bin" / "py-spy")
    if not Path(found).exists():
        raise SystemExit("py-spy not found: `make profile-load` installs it into .venv/tools")
    return found


def record(binary: str, pid: int, seconds: int, out: Path) -> subprocess.Popen:
    return subprocess.Popen([binary, "record", "-p", str(pid), "-d", str(seconds), "-r", str(RATE),
                             "--gil", "-f", "raw", "-o", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


RATE = 250  # samples per second


def breakdown(raw: Path, parts: Sequence[Tuple[str, str]], seconds: float) -> Tuple[float, List[Tuple[str, float]]]:
    """How busy the process's Python was (GIL-holding samples / possible samples), and the
    share of those samples per part. A sample belongs to the first part one of its frames
    matches, innermost frame first."""
    counts: Counter = Counter()
    total = 0
    patterns = [(label, re.compile(p)) for label, p in parts]
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        total += int(n)
        label = "other"
        for frame in reversed(frames):
            hit = next((lbl for lbl, rx in patterns if rx.search(frame)), None)
            if hit:
                label = hit
                break
        counts[label] += int(n)
    shares = [(label, 100.0 * c / total) for label, c in counts.most_common()] if total else []
    return 100.0 * total / (RATE * seconds), shares


def top_functions(raw: Path, n: int) -> List[Tuple[str, float]]:
    """The functions most often on the stack (inclusive share of samples), for digging in."""
    inclusive: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        total += int(count)
        for frame in set(re.sub(r":\d+\)$", ")", f) for f in stack.split(";")):
            inclusive[frame] += int(count)
    return [(f, 100.0 * c / total) for f, c in inclusive.most_common(n)] if total else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--model", default=str(MODELS_DIR / "coach.tar.gz"))
    parser.add_argument("--top", type=int, default=0, help="also list the N functions most on the stack")
    parser.add_argument("--keep", type=Path, help="copy py-spy's raw stacks into this folder")
    args = parser.parse_args()
    binary = py_spy()

    from bot.store import migrate

    work = Path(tempfile.mkdtemp(prefix="coach-profile-load-"))
    db = f"sqlite:///{work / 'coach.sqlite3'}"
    env = child_env({**free_ports(), "DATABASE_URL": db, "REDIS_URL": "",
                     "RASA_AUTH_TOKEN": "bench-" + uuid.uuid4().hex})
    migrate(db)
    servers = BenchCoach(env, log_dir=work / "logs", nudges=False, model=args.model)
    try:
        servers.start()
        url = f"{servers.rasa_url}/webhooks/rest/webhook"
        _first_reply(url, time.monotonic() + 120)
        warmup = 5.0
        recorders: Dict[str, Tuple[subprocess.Popen, Path]] = {}

        def start_recording() -> None:
            time.sleep(warmup)
            for name in ("rasa", "actions"):
                out = work / f"{name}.raw"
                recorders[name] = (record(binary, servers.procs[name].pid, args.seconds, out), out)

        threading.Thread(target=start_recording, daemon=True).start()
        samples, start, end = asyncio.run(_concurrent(url, args.users, warmup, args.seconds, "profile"))
        for proc, _ in recorders.values():
            proc.wait(timeout=60)
        figures = summarize(samples, end - start)
        print(f"\n{args.users} users for {args.seconds} s: {figures['throughput']:.1f} replies/s, "
              f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, "
              f"errors {figures['errors']}/{figures['requests']}\n")
        for name, (_, out) in recorders.items():
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(out, args.keep / out.name)
            busy, shares = breakdown(out, PARTS[name], args.seconds)
            print(f"{name} server: Python busy (holding the GIL) {busy:.0f}% of the time; of that:")
            for label, share in shares:
                print(f"  {share:5.1f}%  {label}")
            for frame, share in top_functions(out, args.top):
                print(f"      {share:5.1f}%  {frame[:110]}")
            print()
    finally:
        servers.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
