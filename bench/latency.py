"""`make bench`: how long the coach takes to start and to answer over REST.

Starts the real servers on free ports with a throwaway SQLite database, sends a
fixed, bounded script of messages to 127.0.0.1 only, and prints the figures.
"""
from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bot.serve import CoachServers, coach_env, free_ports
from bot.store import migrate

SCRIPT = ["hi", "my calf is worse, about a 6", "what should I do today?", "3 weeks ago",
          "walked 20 minutes", "how am I doing?", "how do I do a bird dog?", "ice or heat?"]
ROUNDS = 5


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    env = coach_env({**free_ports(),
                     "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}", "REDIS_URL": ""})
    migrate(env["DATABASE_URL"])
    servers = CoachServers(env, log_dir=work / "logs")
    started = time.monotonic()
    servers.start()
    startup = time.monotonic() - started
    latencies = []
    try:
        for _ in range(ROUNDS):
            sender = uuid.uuid4().hex
            for text in SCRIPT:
                t0 = time.perf_counter()
                resp = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": text}, timeout=60)
                resp.raise_for_status()
                latencies.append((time.perf_counter() - t0) * 1000)
    finally:
        servers.stop()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"start-up (all three servers answering): {startup:.1f} s")
    print(f"REST replies: n={len(latencies)}  median={statistics.median(latencies):.0f} ms  "
          f"p95={p95:.0f} ms  max={latencies[-1]:.0f} ms")


if __name__ == "__main__":
    main()
