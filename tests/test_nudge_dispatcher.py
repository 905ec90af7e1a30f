"""The dispatcher against a real database (SQLite and PostgreSQL), with the clock injected.

Rasa and Telegram are replaced by recording adapters here (their own adapters are
tested against doubles that speak their protocols: tests/test_telegram_delivery.py,
tests/test_nudge_rasa_client.py; the whole chain runs in tests/test_nudges_e2e.py).
"""
from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from bot.nudges import wording
from bot.nudges.dispatcher import Dispatcher
from bot.nudges.rasa_client import Rendered
from bot.nudges.records import FAILED, PENDING, SENT, SKIPPED, UNKNOWN, NudgeMessage
from bot.nudges.web_inbox import take_unshown
from bot.records import ActivityRecord, CheckinRecord
from bot.store import open_store
from bot.store.outbox import NudgeOutbox
from bot.usecases.plan import plan_for

# 2026-12-01 (a Tuesday): 05:00 UTC is 14:00 in Tokyo, 00:00 in New York, 05:00 in London.
TOKYO_2PM = datetime(2026, 12, 1, 5, 0, 30)


class FakeRasa:
    """Renders like the real action would (bot.nudges.wording), records each call."""

    def __init__(self, status: str = "ok") -> None:
        self.status = status
        self.calls: List[tuple] = []

    async def render(self, sender_id: str, message: NudgeMessage) -> Rendered:
        self.calls.append((sender_id, message))
        if self.status != "ok":
            return Rendered(self.status, detail="scripted")
        return Rendered("ok", messages=[{"recipient_id": sender_id, "text": wording.render(message)}])


@dataclass
class Result:
    status: str
    detail: str = ""
    retry_after: Optional[float] = None


@dataclass
class FakeTelegram:
    results: List[str] = field(default_factory=list)   # scripted statuses, then "sent"
    sent: List[tuple] = field(default_factory=list)

    async def send(self, chat_id: str, text: str, buttons=None) -> Result:
        status = self.results.pop(0) if self.results else "sent"
        self.sent.append((chat_id, text, status))
        return Result(status)


@pytest.fixture
def coach(any_db_url):
    store = open_store(any_db_url)
    yield store
    store.engine.dispose()


def person(store, sender: str, kind: str, at: time, zone: Optional[str], channel: str = "telegram",
           since: datetime = datetime(2026, 12, 1, 0, 0)) -> None:
    store.set_reminder(sender, kind, at, since)
    if zone:
        store.set_zone(sender, zone, datetime(2026, 11, 1))
    store.set_contact(sender, channel)


def dispatcher(store, telegram=None, rasa=None, token="test-worker") -> Dispatcher:
    return Dispatcher(outbox=NudgeOutbox(store.engine), store=store, renderer=rasa or FakeRasa(),
                      telegram=telegram if telegram is not None else FakeTelegram(), token=token)


def run(d: Dispatcher, now: datetime):
    return asyncio.run(d.run_once(now))


def statuses(store) -> Dict[tuple, tuple]:
    return {(r["sender_id"], r["kind"]): (r["status"], r["reason"])
            for r in NudgeOutbox(store.engine).rows()}


def test_each_person_due_gets_one_nudge_in_their_own_zone_and_a_second_run_sends_nothing(coach):
    person(coach, "101", "walk", time(14, 0), "Asia/Tokyo")
    person(coach, "202", "checkin", time(8, 0), "America/New_York")
    person(coach, "303", "sleep", time(22, 0), "Europe/London")
    telegram = FakeTelegram()
    report = run(dispatcher(coach, telegram), TOKYO_2PM)
    assert [chat for chat, _, _ in telegram.sent] == ["101"]
    # Today's walking target comes from the person's own plan (a new person starts small).
    target = plan_for(coach.profile("101"), date(2026, 12, 1)).aerobic_minutes
    assert re.search(rf"(?<!\d){target} minutes", telegram.sent[0][1])
    assert report.outcomes == {"sent": 1}
    assert statuses(coach) == {("101", "walk"): (SENT, None)}

    again = run(dispatcher(coach, telegram, token="another-worker"), TOKYO_2PM + timedelta(seconds=20))
    assert len(telegram.sent) == 1 and again.claimed == 0

    # 13:00 UTC is 08:00 in New York: only that person's check-in.
    run(dispatcher(coach, telegram), datetime(2026, 12, 1, 13, 0, 30))
    assert [chat for chat, _, _ in telegram.sent] == ["101", "202"]


def test_a_nudge_already_done_that_local_day_is_skipped_and_recorded(coach):
    person(coach, "101", "walk", time(14, 0), "Asia/Tokyo")
    person(coach, "202", "checkin", time(14, 0), "Asia/Tokyo")
    # A 30-minute walk at 10:00 Tokyo time (01:00 UTC), a check-in at 09:00 Tokyo time.
    coach.add_activity("101", ActivityRecord(at=datetime(2026, 12, 1, 1, 0), kind="walking", minutes=30))
    coach.save_checkin_day("202", date(2026, 12, 1), CheckinRecord(at=datetime(2026, 12, 1, 0, 0),
                                                                   pain_score=3), datetime(2026, 12, 1))
    telegram = FakeTelegram()
    run(dispatcher(coach, telegram), TOKYO_2PM)
    assert telegram.sent == []
    assert statuses(coach) == {("101", "walk"): (SKIPPED, "done"), ("202", "checkin"): (SKIPPED, "done")}


def test_after_downtime_up_to_two_hours_late_is_sent_and_older_is_skipped(coach):
    person(coach, "101", "walk", time(12, 0), "Asia/Tokyo")     # 03:00 UTC: 2 h 00 m 30 s late
    person(coach, "202", "checkin", time(12, 30), "Asia/Tokyo")  # 03:30 UTC: 1 h 30 m 30 s late
    telegram = FakeTelegram()
    run(dispatcher(coach, telegram), TOKYO_2PM)
    assert [chat for chat, _, _ in telegram.sent] == ["202"]
    assert statuses(coach)[("101", "walk")] == (SKIPPED, "late")


def test_a_dispatcher_that_died_mid_send_is_never_repeated_and_one_that_died_after_claiming_is(coach):
    person(coach, "101", "walk", time(14, 0), "Asia/Tokyo")
    person(coach, "202", "checkin", time(14, 0), "Asia/Tokyo")
    outbox = NudgeOutbox(coach.engine)
    dead = dispatcher(coach, token="dead-worker")
    dead.plan(TOKYO_2PM)
    walk, checkin = sorted(outbox.claim("dead-worker", TOKYO_2PM, lease=timedelta(minutes=2)),
                           key=lambda item: item.kind)[::-1]
    assert outbox.start_sending(walk.id, "dead-worker", NudgeMessage("walk", 0, 20), TOKYO_2PM,
                                lease=timedelta(minutes=2))
    # ...and the process was killed: one row 'sending', one 'claimed'. Three minutes later:
    telegram = FakeTelegram()
    report = run(dispatcher(coach, telegram), TOKYO_2PM + timedelta(minutes=3))
    assert (report.recovered, report.lost) == (1, 1)
    assert [chat for chat, _, _ in telegram.sent] == ["202"]
    assert statuses(coach) == {("101", "walk"): (UNKNOWN, "dispatcher_died"), ("202", "checkin"): (SENT, None)}


def test_blocked_marks_the_person_unreachable_until_they_write_again(coach):
    person(coach, "101", "checkin", time(14, 0), "Asia/Tokyo")
    telegram = FakeTelegram(results=["blocked"])
    run(dispatcher(coach, telegram), TOKYO_2PM)
    assert statuses(coach)[("101", "checkin")] == (FAILED, "blocked")
    assert coach.nudge_settings("101").unreachable

    next_day = TOKYO_2PM + timedelta(days=1)
    run(dispatcher(coach, telegram), next_day)
    rows = NudgeOutbox(coach.engine).rows("101")
    assert [(r["local_date"], r["status"], r["reason"]) for r in rows][-1] == \
        (date(2026, 12, 2), SKIPPED, "unreachable")

    coach.note_message("101", "telegram", next_day + timedelta(hours=1))  # they unblocked and wrote
    assert not coach.nudge_settings("101").unreachable
    run(dispatcher(coach, telegram), TOKYO_2PM + timedelta(days=2))
    assert [s for _, _, s in telegram.sent] == ["blocked", "sent"]


def test_a_failed_send_is_retried_with_backoff_and_an_unknown_one_is_not(coach):
    person(coach, "101", "checkin", time(14, 0), "Asia/Tokyo")
    person(coach, "202", "walk", time(14, 0), "Asia/Tokyo")
    telegram = FakeTelegram(results=["retry", "unknown"])
    run(dispatcher(coach, telegram), TOKYO_2PM)
    rows = {r["sender_id"]: r for r in NudgeOutbox(coach.engine).rows()}
    assert (rows["101"]["status"], rows["101"]["attempts"]) == (PENDING, 1)
    assert (rows["202"]["status"], rows["202"]["reason"]) == (UNKNOWN, "timeout")

    run(dispatcher(coach, telegram), TOKYO_2PM + timedelta(seconds=30))  # before the backoff ends
    assert len(telegram.sent) == 2
    run(dispatcher(coach, telegram), TOKYO_2PM + timedelta(minutes=2))
    assert [(chat, status) for chat, _, status in telegram.sent] == \
        [("101", "retry"), ("202", "unknown"), ("101", "sent")]
    assert statuses(coach) == {("101", "checkin"): (SENT, None), ("202", "walk"): (UNKNOWN, "timeout")}


def test_rasa_down_leaves_the_nudge_pending_for_the_next_minute(coach):
    person(coach, "101", "checkin", time(14, 0), "Asia/Tokyo")
    telegram = FakeTelegram()
    run(dispatcher(coach, telegram, rasa=FakeRasa("retry")), TOKYO_2PM)
    assert telegram.sent == [] and statuses(coach)[("101", "checkin")] == (PENDING, "retry")
    run(dispatcher(coach, telegram), TOKYO_2PM + timedelta(minutes=1, seconds=1))
    assert [chat for chat, _, _ in telegram.sent] == ["101"]


def test_a_person_typing_right_now_gets_the_nudge_a_minute_later(coach):
    person(coach, "101", "checkin", time(14, 0), "Asia/Tokyo")
    coach.note_message("101", "telegram", TOKYO_2PM - timedelta(minutes=2))
    telegram = FakeTelegram()
    assert run(dispatcher(coach, telegram), TOKYO_2PM).outcomes == {"waiting": 1}
    run(dispatcher(coach, telegram), TOKYO_2PM + timedelta(minutes=4))
    assert [chat for chat, _, _ in telegram.sent] == ["101"]


def test_web_chat_people_see_the_days_nudge_when_they_next_open_the_chat(coach):
    web = "a" * 32
    person(coach, web, "checkin", time(14, 0), "Asia/Tokyo", channel="socketio")
    telegram, rasa = FakeTelegram(), FakeRasa()
    run(dispatcher(coach, telegram, rasa=rasa), TOKYO_2PM)
    assert telegram.sent == [] and [sender for sender, _ in rasa.calls] == [web]
    assert statuses(coach)[(web, "checkin")] == (SENT, "web_pending")
    shown = take_unshown(coach, web, TOKYO_2PM + timedelta(hours=1))
    assert shown == [wording.render(rasa.calls[0][1])]
    assert take_unshown(coach, web, TOKYO_2PM + timedelta(hours=2)) == []


def test_no_telegram_configured_keeps_telegram_nudges_waiting_and_no_channel_skips(coach):
    person(coach, "101", "checkin", time(14, 0), "Asia/Tokyo")
    coach.set_reminder("rest-user", "checkin", time(14, 0), datetime(2026, 12, 1, 0, 0))
    coach.set_zone("rest-user", "Asia/Tokyo", TOKYO_2PM)
    d = Dispatcher(outbox=NudgeOutbox(coach.engine), store=coach, renderer=FakeRasa(), telegram=None)
    run(d, TOKYO_2PM)
    assert statuses(coach) == {("101", "checkin"): (PENDING, "telegram_off"),
                               ("rest-user", "checkin"): (SKIPPED, "no_channel")}


# ---------------------------------------------------------------- racing dispatchers

def _race_worker(url: str, now_iso: str, log_path: str, barrier) -> None:
    """One dispatcher process: its Telegram appends one line per send to a shared log."""
    class LoggingTelegram:
        async def send(self, chat_id, text, buttons=None):
            with open(log_path, "a") as log:
                log.write(json.dumps([os.getpid(), chat_id]) + "\n")
            return Result("sent")

    store = open_store(url)
    d = Dispatcher(outbox=NudgeOutbox(store.engine), store=store, renderer=FakeRasa(),
                   telegram=LoggingTelegram(), batch=7, concurrency=4)
    barrier.wait(30)
    asyncio.run(d.run_once(datetime.fromisoformat(now_iso)))
    store.engine.dispose()


def test_three_dispatchers_racing_send_each_nudge_exactly_once(coach, tmp_path):
    due = [f"{1000 + i}" for i in range(60)]
    for chat in due:
        person(coach, chat, "checkin", time(14, 0), "Asia/Tokyo")
    for i in range(20):  # not due yet at that instant
        person(coach, f"{5000 + i}", "checkin", time(15, 0), "Asia/Tokyo")
    log = tmp_path / "sends.log"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(3)
    url = coach.engine.url.render_as_string(hide_password=False)
    workers = [ctx.Process(target=_race_worker, args=(url, TOKYO_2PM.isoformat(), str(log), barrier))
               for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    sends = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(chat for _, chat in sends) == sorted(due)
    rows = NudgeOutbox(coach.engine).rows()
    assert len(rows) == 60 and {r["status"] for r in rows} == {SENT}
