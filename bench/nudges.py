"""Benchmark: one `nudge-once` for N people (default 10,000) all due in the same minute.

For SQLite (a fresh file) and PostgreSQL (TEST_DATABASE_URL, a throwaway
database; skipped with the reason if unreachable), it stores N people with a
check-in reminder, spread over eight time zones so that every one of them is due
at the same UTC instant, then times one dispatcher run (`bot.nudges.scheduler.run_at`,
what `make nudge-once` runs) against loopback doubles of Rasa's trigger_intent and
of the Telegram Bot API. It prints the planning time, the whole run, the
throughput and the rows' final statuses. Telegram's limit (about 25 messages a
second overall) bounds a real run at N / 25 seconds; `--rate` sets the pacing
(default: unpaced, to measure the coach's own cost; `--rate 25` for the real pace).

    python -m bench.nudges [--people 10000] [--rate 25] [--only sqlite|postgresql]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, time as clock_time, timedelta, timezone
from pathlib import Path
from typing import Dict, Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.nudges import scheduler
from bot.nudges.records import ReminderPref  # noqa: F401 - documents what is stored
from bot.store import models as m
from bot.store import open_store
from tests.doubles.rasa_http import FakeRasaAPI
from tests.doubles.telegram_api import FakeTelegramAPI

ZONES = ("Asia/Tokyo", "Europe/London", "America/New_York", "Australia/Sydney", "Europe/Berlin",
         "Asia/Kolkata", "America/Los_Angeles", "UTC")
NOW = datetime(2026, 12, 1, 12, 0, 30)  # naive UTC: the instant every one of them is due
BOT_TOKEN = "123456:bench-token"


def seed(url: str, people: int) -> None:
    """N people, each with a check-in reminder at the local time of NOW in their zone, on Telegram."""
    store = open_store(url)
    created = NOW - timedelta(days=1)
    users, reminders = [], []
    for i in range(people):
        zone = ZONES[i % len(ZONES)]
        local = NOW.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone))
        users.append(dict(id=i + 1, sender_id=str(10**9 + i), created_at=created, time_zone=zone,
                          channel="telegram", chat_id=str(10**9 + i), cautions="",
                          # no quiet hours: some of the zones are in the night at NOW
                          quiet_start=clock_time(0, 0), quiet_end=clock_time(0, 0)))
        reminders.append(dict(user_id=i + 1, kind="checkin", at_time=clock_time(local.hour, local.minute),
                              active=True, updated_at=created))
    with store.engine.begin() as conn:
        for start in range(0, people, 2000):
            conn.execute(m.User.__table__.insert(), users[start:start + 2000])
            conn.execute(m.Reminder.__table__.insert(), reminders[start:start + 2000])
    store.engine.dispose()


def one(url: str, people: int, rate: float) -> Dict[str, object]:
    seed(url, people)
    rasa = FakeRasaAPI("bench-token").start()
    telegram = FakeTelegramAPI(BOT_TOKEN).start()
    env = dict(os.environ, DATABASE_URL=url, RASA_PORT=str(rasa.port), RASA_AUTH_TOKEN="bench-token",
               TELEGRAM_TOKEN=BOT_TOKEN, TELEGRAM_API_BASE=telegram.base_url)
    try:
        dispatcher, clients = scheduler.build_dispatcher(env, telegram_rate=rate)
        started = time.perf_counter()
        planned = dispatcher.plan(NOW)
        plan_s = time.perf_counter() - started

        async def rest():
            try:
                return await dispatcher.run_once(NOW)
            finally:
                for client in clients:
                    await client.close()

        report = asyncio.run(rest())
        total_s = time.perf_counter() - started
        engine = sa.create_engine(url, future=True)
        with engine.connect() as conn:
            statuses = Counter(dict(conn.execute(sa.text(
                "SELECT status, COUNT(*) FROM coach_nudges GROUP BY status")).all()))
        engine.dispose()
        sends = len(telegram.received("sendMessage")) if hasattr(telegram, "received") \
            else len(telegram.calls_of("sendMessage"))
    finally:
        rasa.stop()
        telegram.stop()
    return dict(planned=planned, plan_s=plan_s, total_s=total_s, sends=sends,
                renders=len(rasa.calls), statuses=dict(statuses), outcomes=dict(report.outcomes))


def postgres_url() -> Optional[str]:
    base = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        admin = sa.create_engine(base, future=True, isolation_level="AUTOCOMMIT")
        name = f"coach_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL skipped: not reachable at {base} ({exc.__class__.__name__})")
        return None


def drop_postgres(url: str) -> None:
    base = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(base, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                     {"n": name})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=1e6, help="Telegram sends per second (25 = real)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    print(f"nudge-once for {args.people:,} people due at {NOW.isoformat()}Z, Rasa and Telegram doubles "
          f"on loopback, pacing {'off' if args.rate >= 1e5 else f'{args.rate:g}/s'}")
    print(f"{'database':<11} {'planned':>8} {'plan s':>7} {'total s':>8} {'nudges/s':>9} {'sent':>6}  statuses")
    for engine in ("sqlite", "postgresql"):
        if args.only and engine != args.only:
            continue
        if engine == "sqlite":
            url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='nudge-bench-')) / 'bench.sqlite3'}"
        else:
            url = postgres_url()
            if url is None:
                continue
        try:
            r = one(url, args.people, args.rate)
        finally:
            if engine == "postgresql":
                drop_postgres(url)
        print(f"{engine:<11} {r['planned']:>8,} {r['plan_s']:>7.1f} {r['total_s']:>8.1f} "
              f"{r['sends'] / r['total_s']:>9.0f} {r['sends']:>6,}  {r['statuses']}")
    print(f"At Telegram's ~25 messages/s, {args.people:,} messages need at least {args.people / 25:.0f} s "
          "of sending whatever the database.")


if __name__ == "__main__":
    main()
