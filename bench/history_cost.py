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

Figures only; not a test and no pass/fail. Timings are wall-clock p50 in ms per call, the
two people's calls taking turns.

    python -m bench.history_cost [--calls 200]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Dict

from bench.compare import seed_year_of_history
from bot.store import open_store
from bot.usecases import checkin, plan

OLD, NEW = "year-old", "new"
TODAY = date(2026, 11, 30)
AT = datetime(2026, 11, 30, 9, 0)


def interleaved_p50_ms(calls_by_sender: Dict[str, Callable[[], object]], calls: int) -> Dict[str, float]:
    """p50 ms of each sender's call, the senders taking turns call by call, so that a
    slower spell of the machine falls on both alike."""
    for call in calls_by_sender.values():
        call()  # warm: first-use imports and statement caches
    times: Dict[str, list] = {sender: [] for sender in calls_by_sender}
    for _ in range(calls):
        for sender, call in calls_by_sender.items():
            start = time.perf_counter()
            call()
            times[sender].append(time.perf_counter() - start)
    return {sender: statistics.median(t) * 1000 for sender, t in times.items()}


def action_turns(store, sender: str) -> Dict[str, Callable[[], object]]:
    """The actions that read the person's history, ready to run in process on the trackers
    a conversation so far gives them (tests/conversation.py: the real clinical parse)."""
    import yaml
    from rasa_sdk.executor import CollectingDispatcher

    from actions.plan import ActionTodayPlan
    from actions.progress import ActionProgressSummary
    from actions.session import ActionSessionStart
    from bot.settings import PROJECT_ROOT
    from tests.conversation import Conversation

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    talk = Conversation(domain, sender=sender)

    def turn(text: str, intent: str, action) -> Callable[[], object]:
        """The action's run alone (the message's parse is the NLU server's work, made once
        outside the timing)."""
        asyncio.run(talk.say(text, intent, action=action))
        latest = next(e["parse_data"] for e in reversed(talk.events) if e.get("event") == "user")
        tracker = talk._tracker(latest, "action_listen")
        return lambda: asyncio.run(action.run(CollectingDispatcher(), tracker, domain))

    def checkin_turn() -> object:
        """The form's validation and the check-in's reply, as the first check-in message of a
        conversation (a fresh one each time; today's record is amended in the store)."""
        fresh = Conversation(domain, sender=sender)
        fresh.events = list(talk.events)
        return asyncio.run(fresh.say("my back is a 4 today, about the same", "report_symptoms"))

    return {
        "action: session start": turn("hi", "greet", ActionSessionStart()),
        "action: check-in (form and reply)": checkin_turn,
        "action: today's plan": turn("what should I do today?", "ask_plan", ActionTodayPlan()),
        "action: progress (text and chart)": turn("how am I doing?", "ask_progress", ActionProgressSummary()),
    }


def main() -> None:
    from actions import common

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="history-cost-"))
    url = f"sqlite:///{work / 'coach.sqlite3'}"
    seeded = seed_year_of_history(url, OLD, TODAY)
    print(f"seeded {OLD}: {seeded}")
    store = open_store(url)
    common.use_store(store)
    common.use_clock(lambda: AT)
    turn = checkin.CheckinTurn(score=3.0, locations=("lower_back",), trend="better")

    def checkin_turn(sender: str) -> None:
        checkin.note_turn(store, sender, turn, AT, TODAY)
        checkin.finish(store, sender, AT, TODAY)

    figures: Dict[str, Dict[str, Callable[[], object]]] = {}
    for sender in (OLD, NEW):
        checkin_turn(sender)  # today's check-in exists for both before timing
        calls = {
            "profile (whole history)": lambda sender=sender: store.profile(sender),
            "profile (turn's window)": lambda sender=sender: store.profile(sender, TODAY),
            "check-in turn (note_turn + finish)": lambda sender=sender: checkin_turn(sender),
            "plan turn (todays_plan)": lambda sender=sender: plan.todays_plan(store, sender, AT, TODAY),
            **action_turns(store, sender),
        }
        for name, call in calls.items():
            figures.setdefault(name, {})[sender] = call
    rows = {name: interleaved_p50_ms(by_sender, args.calls) for name, by_sender in figures.items()}
    common.use_store(None)
    common.use_clock(None)
    store.engine.dispose()
    print(f"\np50 ms per call ({args.calls} calls each, the two people taking turns; SQLite file {work})")
    print(f"{'':40} {OLD:>10} {NEW:>10} {'ratio':>7}")
    for name, row in rows.items():
        print(f"{name:40} {row[OLD]:10.3f} {row[NEW]:10.3f} {row[OLD] / row[NEW]:7.2f}")


if __name__ == "__main__":
    main()
