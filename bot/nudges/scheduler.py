"""The nudge scheduler: `make run` supervises it (a run every minute); `make nudge-once` runs it once.

    python -m bot.nudges.scheduler                 # every minute, until SIGTERM / Ctrl-C
    python -m bot.nudges.scheduler --once [--now 2026-12-01T14:00:30Z]

`--now` is ISO 8601 with `Z` or an offset; a time without an offset is UTC; no
`--now` is the current time. It reads the environment `make run` reads:
DATABASE_URL, RASA_PORT (Rasa renders each nudge), RASA_AUTH_TOKEN (else the
internal token), TELEGRAM_TOKEN and TELEGRAM_API_BASE. Several schedulers at once
(two instances, a cron job beside `make run`) still send each nudge once: the
outbox claim decides (bot.store.outbox).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from datetime import datetime, timezone
from typing import List, Optional

from bot.nudges.dispatcher import Dispatcher, RunReport
from bot.nudges.rasa_client import RasaClient
from bot.settings import api_token, database_url

logger = logging.getLogger("bot.nudges.scheduler")


class BadInstant(ValueError):
    pass


def parse_now(text: Optional[str], clock=None) -> datetime:
    """The naive-UTC instant of an ISO 8601 text (no offset = UTC); now when empty."""
    if text is None or not str(text).strip():
        current = clock() if clock else datetime.now(timezone.utc)
        return current.astimezone(timezone.utc).replace(tzinfo=None) if current.tzinfo else current
    raw = str(text).strip()
    if raw[-1:] in "zZ":
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BadInstant(f"NOW={text!r} is not an ISO 8601 date and time, "
                         "e.g. 2026-12-01T14:00:30Z or 2026-12-01T15:00:30+01:00") from None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def build_dispatcher(env: Optional[dict] = None, telegram_rate: float = 25.0):
    """A dispatcher wired to this environment's database, Rasa server and Telegram."""
    from bot.store import open_store
    from bot.store.outbox import NudgeOutbox

    env = dict(os.environ if env is None else env)
    store = open_store(env.get("DATABASE_URL") or database_url())
    rasa = RasaClient(f"http://127.0.0.1:{env.get('RASA_PORT') or '5005'}",
                      env.get("RASA_AUTH_TOKEN") or api_token())
    telegram = None
    if (env.get("TELEGRAM_TOKEN") or "").strip():
        from bot.nudges.telegram_delivery import TelegramDelivery

        telegram = TelegramDelivery(env["TELEGRAM_TOKEN"].strip(),
                                    (env.get("TELEGRAM_API_BASE") or "").strip() or "https://api.telegram.org",
                                    overall_per_second=telegram_rate)
    dispatcher = Dispatcher(outbox=NudgeOutbox(store.engine), store=store, renderer=rasa, telegram=telegram)
    return dispatcher, [rasa] + ([telegram] if telegram else [])


async def run_at(now: datetime, env: Optional[dict] = None) -> RunReport:
    dispatcher, clients = build_dispatcher(env)
    try:
        return await dispatcher.run_once(now)
    finally:
        for client in clients:
            await client.close()


async def every_minute(stop: asyncio.Event, env: Optional[dict] = None) -> None:
    """A run at the start of every minute (30 s in), until `stop` is set."""
    dispatcher, clients = build_dispatcher(env)
    try:
        while not stop.is_set():
            now = datetime.now(timezone.utc).replace(tzinfo=None)
            try:
                await dispatcher.run_once(now)
            except Exception as exc:  # noqa: BLE001 - the next minute tries again
                logger.error("A nudge run failed: %s", exc.__class__.__name__)
                logger.debug("nudge run failure", exc_info=True)
            wait = 60.0 - (datetime.now(timezone.utc).second + 30) % 60
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(1.0, wait))
            except asyncio.TimeoutError:
                pass
    finally:
        for client in clients:
            await client.close()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--once", action="store_true", help="send what is due at --now, then exit")
    parser.add_argument("--now", default=None, help="ISO 8601 instant (default: the current time)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("NUDGE_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    from bot import log_privacy

    log_privacy.install()
    if args.once:
        try:
            now = parse_now(args.now)
        except BadInstant as exc:
            print(str(exc), file=sys.stderr)
            return 2
        report = asyncio.run(run_at(now))
        print(f"nudge-once at {now.isoformat(timespec='seconds')}Z: {report.summary()}")
        return 0

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await every_minute(stop)

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
