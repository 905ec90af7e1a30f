"""`make profile`: where one turn's time goes, inside the Rasa server (issue 11).

Loads the trained model in this process with the real endpoints (the coach's tracker
store on a throwaway SQLite database, in-memory locks, the real action server started
as a child on a free port) and plays bench.compare's conversations one message at a
time through `Agent.handle_message`, as the REST channel does. Hooks time:

- every graph node of the NLU pipeline and of the dialogue prediction (tokenizer,
  featurizers, classifier, clinical reader, each policy, the ensemble ...);
- the tracker store's retrieve and save (database round trips);
- each call of a custom action over HTTP to the action server (its whole round trip).

Then prints each part's total, its share of the turns' wall time and its mean per turn,
and, with --cprofile, the top functions by cumulative time. The figures are the sums
over one sequential run, so they show cost per turn, not behaviour under load; under
load the same parts queue on the one event loop.

    python -m bench.profile_turns [--model models/coach.tar.gz] [--rounds 3] [--cprofile]
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import tempfile
import time
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

from bot.serve import MODELS_DIR, PROJECT_ROOT, CoachServers, coach_env, free_ports

TIMES: Dict[str, List[float]] = defaultdict(list)


def _timed_sync(cls, name: str, label) -> None:
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            TIMES[label(self)].append(time.perf_counter() - t0)

    setattr(cls, name, wrapper)


def _timed_async(cls, name: str, label) -> None:
    original = getattr(cls, name)

    async def wrapper(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return await original(self, *args, **kwargs)
        finally:
            TIMES[label(self)].append(time.perf_counter() - t0)

    setattr(cls, name, wrapper)


def install_hooks() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.graph import GraphNode

    from bot.rasa_ext.stores import CoachTrackerStore

    _timed_sync(GraphNode, "__call__", lambda node: f"graph: {node._node_name}")
    _timed_async(CoachTrackerStore, "retrieve", lambda _: "tracker store: retrieve")
    _timed_async(CoachTrackerStore, "save", lambda _: "tracker store: save")
    _timed_async(RemoteAction, "run", lambda a: "action server round trip")


async def play(agent, texts_by_person: List[List[str]]) -> float:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    wall = 0.0
    turns = 0
    for texts in texts_by_person:
        sender = uuid.uuid4().hex
        for text in texts:
            t0 = time.perf_counter()
            await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))
            wall += time.perf_counter() - t0
            turns += 1
    TIMES["whole turn (handle_message)"] = [wall]
    return turns


def report(turns: int) -> None:
    wall = TIMES["whole turn (handle_message)"][0]
    print(f"\n{turns} turns, {1000 * wall / turns:.1f} ms per turn on average\n")
    print(f"{'part':<58} {'calls':>6} {'total ms':>9} {'share':>6} {'ms/turn':>8}")
    rows = sorted(((sum(v), len(v), k) for k, v in TIMES.items() if not k.startswith("whole")),
                  reverse=True)
    for total, calls, name in rows:
        print(f"{name[:58]:<58} {calls:>6} {1000 * total:>9.0f} {100 * total / wall:>5.1f}% "
              f"{1000 * total / turns:>8.2f}")
    print("(the rest of a turn: Rasa's own bookkeeping, the lock, the output channel)")


def main() -> None:
    from bench.compare import CONVERSATIONS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODELS_DIR / "coach.tar.gz"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="coach-profile-"))
    env = coach_env({**free_ports(), "DATABASE_URL": f"sqlite:///{work / 'p.sqlite3'}",
                     "REDIS_URL": ""})
    import os

    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "ACTION_PORT", "RASA_PORT")})
    from bot.store import migrate

    migrate(env["DATABASE_URL"])
    servers = CoachServers(env, quiet=True, nudges=False)
    servers.spawn("actions")
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{servers.action_url}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        asyncio.run(_run(args))
    finally:
        servers.stop()


async def _run(args) -> None:
    import logging

    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.log_utils import configure_structlog

    from bench.compare import CONVERSATIONS

    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)
    endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))
    agent = await load_agent(model_path=args.model, endpoints=endpoints)
    install_hooks()
    people = [list(c) for _ in range(args.rounds) for c in CONVERSATIONS]
    await play(agent, people[:2])  # warm-up: first calls build caches
    TIMES.clear()
    profiler = cProfile.Profile() if args.cprofile else None
    if profiler:
        profiler.enable()
    turns = await play(agent, people)
    if profiler:
        profiler.disable()
    report(turns)
    if profiler:
        print()
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("PROFILE_TOP", "35")))


if __name__ == "__main__":
    main()
