"""What a turn's store reads cost for a year-old person against a new one (in process).

Seeds one person with a year of daily history (bench.compare.seed_year_of_history:
365 check-ins, walks, sleep logs, tracker sessions) and one new person in a throwaway
SQLite file, then times, for each person, p50 of many calls:

- the store reads: the whole profile (`store.profile(sender)`, what every turn read
  before) and the turn's windowed profile (`store.profile(sender, today)`), when the
  store has it;
- a check-in turn's use cases: `checkin.note_turn` then `checkin.finish` (one message
  that completes today's check-in; it amends the same day's record on every repeat);
- a "what should I do today" turn: `plan.todays_plan`;
- the actions of the turns that read the history, run in process the way the action
  server runs them (tests/conversation.py builds the trackers, with the real clinical
  parse): the session start ("hi" on a new day), today's plan, and the progress reply
  (text and chart).

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

import asyncio

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


def action_turns(store, sender: str, calls: int) -> Dict[str, float]:
    """p50 ms of the actions that read the person's history, in process."""
    import yaml
    from rasa_sdk.executor import CollectingDispatcher

    from actions import common
    from actions.plan import ActionTodayPlan
    from actions.progress import ActionProgressSummary
    from actions.session import ActionSessionStart
    from bot.settings import PROJECT_ROOT
    from tests.conversation import Conversation

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    common.use_store(store)
    common.use_clock(lambda: AT)
    try:
        talk = Conversation(domain, sender=sender)

        def turn(text: str, intent: str, action) -> Callable[[], object]:
            """The action's run alone, on the tracker the conversation so far gives it (the
            message's parse is the NLU server's work, made once outside the timing)."""
            asyncio.run(talk.say(text, intent, action=action))
            latest = next(e["parse_data"] for e in reversed(talk.events) if e.get("event") == "user")
            tracker = talk._tracker(latest, "action_listen")
            return lambda: asyncio.run(action.run(CollectingDispatcher(), tracker, domain))

        return {
            "action: session start": p50_ms(turn("hi", "greet", ActionSessionStart()), calls),
            "action: today's plan": p50_ms(
                turn("what should I do today?", "ask_plan", ActionTodayPlan()), calls),
            "action: progress (text and chart)": p50_ms(
                turn("how am I doing?", "ask_progress", ActionProgressSummary()), calls),
        }
    finally:
        common.use_store(None)
        common.use_clock(None)


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
        figures.update(action_turns(store, sender, args.calls))
        rows[sender] = figures
    store.engine.dispose()
    print(f"\np50 ms per call ({args.calls} calls each; SQLite file {work})")
    print(f"{'':40} {OLD:>10} {NEW:>10} {'ratio':>7}")
    for name in rows[OLD]:
        old, new = rows[OLD][name], rows[NEW][name]
        print(f"{name:40} {old:10.3f} {new:10.3f} {old / new:7.2f}")


if __name__ == "__main__":
    main()
