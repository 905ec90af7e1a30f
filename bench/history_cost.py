"""What a turn's store reads cost for a year-old person against a new one (in process).

Seeds one person with a year of daily history (bench.compare.seed_year_of_history:
365 check-ins, walks, sleep logs, tracker sessions) and one new person in a throwaway
SQLite file, then times, for each person, p50 of many calls:

- the store reads: the whole profile (`store.profile(sender)`, what every turn read
  before) and the turn's windowed profile (`store.profile(sender, today)`), when the
  store has it;
- a check-in turn's use cases: `checkin.note_turn` then `checkin.finish` (one message
  that completes today's check-in; it amends the same day's record on every repeat);
- a "what should I do today" turn: `plan.todays_plan`.

Figures only; not a test and no pass/fail. Timings are wall-clock p50 in ms per call.

    python -m bench.history_cost [--calls 200]
"""
from __future__ import annotations

import argparse
import inspect
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Dict

from bench.compare import seed_year_of_history
from bot.store import open_store
from bot.usecases import checkin, plan

OLD, NEW = "year-old", "new"
TODAY = date(2026, 11, 30)
AT = datetime(2026, 11, 30, 9, 0)


def p50_ms(call: Callable[[], object], calls: int) -> float:
    call()  # warm: first-use imports and statement caches
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="history-cost-"))
    url = f"sqlite:///{work / 'coach.sqlite3'}"
    seeded = seed_year_of_history(url, OLD, TODAY)
    print(f"seeded {OLD}: {seeded}")
    store = open_store(url)
    windowed = "today" in inspect.signature(store.profile).parameters
    turn = checkin.CheckinTurn(score=3.0, locations=("lower_back",), trend="better")

    def checkin_turn(sender: str) -> None:
        checkin.note_turn(store, sender, turn, AT, TODAY)
        checkin.finish(store, sender, AT, TODAY)

    rows: Dict[str, Dict[str, float]] = {}
    for sender in (OLD, NEW):
        checkin_turn(sender)  # today's check-in exists for both before timing
        figures = {"profile (whole history)": p50_ms(lambda: store.profile(sender), args.calls)}
        if windowed:
            figures["profile (turn's window)"] = p50_ms(lambda: store.profile(sender, TODAY), args.calls)
        figures["check-in turn (note_turn + finish)"] = p50_ms(lambda: checkin_turn(sender), args.calls)
        figures["plan turn (todays_plan)"] = p50_ms(
            lambda: plan.todays_plan(store, sender, AT, TODAY), args.calls)
        rows[sender] = figures
    store.engine.dispose()
    print(f"\np50 ms per call ({args.calls} calls each; SQLite file {work})")
    print(f"{'':40} {OLD:>10} {NEW:>10} {'ratio':>7}")
    for name in rows[OLD]:
        old, new = rows[OLD][name], rows[NEW][name]
        print(f"{name:40} {old:10.3f} {new:10.3f} {old / new:7.2f}")


if __name__ == "__main__":
    main()
