"""One dispatcher run: everything due at an instant is planned, claimed, checked, rendered and delivered once.

The use case behind `make nudge-once NOW=...` and the scheduler's minute tick.
It speaks to the outside only through the adapters it is given (Rasa, Telegram),
and to the database only through `bot.store` (the outbox and the coach's store).

1. Recover rows a dead dispatcher left behind (claimed -> pending, sending -> unknown).
2. Plan: every due slot of everyone with a reminder on becomes an outbox row (once).
3. Claim due rows (only the ones this run wins), and for each, at send time:
   decide (bot.nudges.policy) -> skip / wait / send; commit `sending`; render the
   nudge through Rasa; deliver it (Telegram now; the web chat shows it when the
   person next opens it); record sent / failed / unknown, or put it back for a retry.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Dict, List, Optional, Protocol

from bot.nudges import policy
from bot.nudges.records import (
    FAILED, SENT, UNKNOWN, Decision, NudgeMessage, OutboxItem, Slot,
)
from bot.nudges.rasa_client import Rendered
from bot.store.outbox import NudgeOutbox
from bot.store.repository import NUDGE_CHANNELS, CoachStore
from bot.thresholds import WALK_TARGET_MIN
from bot.usecases.plan import plan_for  # no spaCy, no TensorFlow: the scheduler stays small

logger = logging.getLogger(__name__)

WAIT_RETRY = timedelta(minutes=1)        # "they are typing right now": look again next minute
NO_CHANNEL_RETRY = timedelta(minutes=5)  # a channel that is not configured in this process
MAX_ATTEMPTS = 5                         # failed deliveries before the row is given up as failed


class Renderer(Protocol):
    async def render(self, sender_id: str, message: NudgeMessage) -> Rendered: ...


class Delivery(Protocol):
    async def send(self, chat_id: str, text: str, buttons: Optional[List[dict]] = None): ...


def worker_token() -> str:
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:10]}"


def _backoff(attempts: int, retry_after: Optional[float] = None) -> timedelta:
    if retry_after:
        return timedelta(seconds=max(1.0, float(retry_after)))
    return timedelta(minutes=min(2 ** attempts, 30))


def _owed(slot: Slot, settings) -> bool:
    """A slot before the reminder was set (or switched back on) is not owed: "remind me at
    10am" said at 10:30 starts tomorrow."""
    pref = settings.reminder(slot.kind)
    return pref is not None and (pref.since is None or slot.due_at >= pref.since)


@dataclass
class RunReport:
    """What one run did (counts only: no person, no text)."""

    planned: int = 0
    claimed: int = 0
    outcomes: Counter = field(default_factory=Counter)
    recovered: int = 0
    lost: int = 0

    def summary(self) -> str:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "nothing due"
        return f"planned {self.planned}, claimed {self.claimed}: {parts}"


@dataclass
class Dispatcher:
    outbox: NudgeOutbox
    store: CoachStore
    renderer: Renderer
    telegram: Optional[Delivery] = None      # None: Telegram is not configured here
    token: str = field(default_factory=worker_token)
    batch: int = 500
    concurrency: int = 32

    async def run_once(self, now: datetime) -> RunReport:
        """Everything due at the naive-UTC instant `now`, sent once."""
        report = RunReport()
        report.recovered, report.lost = self.outbox.recover(now)
        report.planned = self.plan(now)
        limit = asyncio.Semaphore(self.concurrency)

        async def one(item: OutboxItem) -> None:
            async with limit:
                outcome = await self.handle(item, now)
                report.outcomes[outcome] += 1

        while True:
            items = self.outbox.claim(self.token, now, limit=self.batch)
            if not items:
                break
            report.claimed += len(items)
            await asyncio.gather(*(one(item) for item in items))
        logger.info("Nudges at %s: %s", now.isoformat(timespec="seconds"), report.summary())
        return report

    def plan(self, now: datetime) -> int:
        slots = [(user_id, slot)
                 for user_id, _sender, settings in self.outbox.people_with_reminders()
                 for slot in policy.due_slots(settings, now) if _owed(slot, settings)]
        return self.outbox.add_slots(slots, now)

    def decide(self, item: OutboxItem, now: datetime) -> Decision:
        settings = item.settings
        facts = self.outbox.facts(item.sender_id, item.local_date, settings.zone, now)
        if item.kind == "walk":
            facts = replace(facts, walk_target=self.walk_target(item))
        slot = Slot(kind=item.kind, local_date=item.local_date, due_at=item.due_at)
        return policy.decide(slot, settings, facts, now)

    def walk_target(self, item: OutboxItem) -> int:
        """Today's continuous-walk minutes from the person's own plan."""
        plan = plan_for(self.store.profile(item.sender_id, item.local_date), item.local_date)
        minutes = plan.aerobic_minutes if plan.aerobic_kind == "walking" else WALK_TARGET_MIN
        return int(minutes)

    async def handle(self, item: OutboxItem, now: datetime) -> str:
        """One claimed row to its next state; the outcome's name for the report."""
        decision = self.decide(item, now)
        if not decision.send:
            if decision.reason == "wait":
                self.outbox.release(item.id, self.token, now, now + WAIT_RETRY)
                return "waiting"
            self.outbox.skip(item.id, self.token, decision.reason, now)
            return f"skipped:{decision.reason}"
        channel = item.settings.channel
        if channel not in NUDGE_CHANNELS:
            self.outbox.skip(item.id, self.token, "no_channel", now)
            return "skipped:no_channel"
        if channel == "telegram" and self.telegram is None:  # configured in another process, maybe
            self.outbox.release(item.id, self.token, now, now + NO_CHANNEL_RETRY, reason="telegram_off")
            return "waiting"
        message = decision.message
        if not self.outbox.start_sending(item.id, self.token, message, now):
            return "lost_claim"
        rendered = await self.renderer.render(item.sender_id, message)
        if rendered.status == "retry":
            return self._retry(item, now, rendered.detail)
        if rendered.status != "ok" or not rendered.text:
            reason = "render_unknown" if rendered.status != "ok" else "render_empty"
            self.outbox.finish_sending(item.id, self.token, UNKNOWN if rendered.status != "ok" else FAILED,
                                       now, reason=reason)
            return reason
        if channel == "socketio":  # in the tracker now; shown when they next open the chat
            self.outbox.finish_sending(item.id, self.token, SENT, now, reason="web_pending")
            return "sent"
        result = await self.telegram.send(item.settings.chat_id or item.sender_id, rendered.text,
                                          rendered.buttons or None)
        if result.status == "sent":
            self.outbox.finish_sending(item.id, self.token, SENT, now)
            return "sent"
        if result.status == "blocked":
            self.outbox.mark_unreachable(item.sender_id, now)
            self.outbox.finish_sending(item.id, self.token, FAILED, now, reason="blocked")
            return "blocked"
        if result.status == "unknown":
            self.outbox.finish_sending(item.id, self.token, UNKNOWN, now, reason="timeout")
            return "unknown"
        if result.status == "retry":
            return self._retry(item, now, result.detail, getattr(result, "retry_after", None))
        self.outbox.finish_sending(item.id, self.token, FAILED, now, reason="refused")
        return "failed"

    def _retry(self, item: OutboxItem, now: datetime, detail: str,
               retry_after: Optional[float] = None) -> str:
        logger.warning("A nudge could not be delivered yet (%s); will retry", detail)
        if item.attempts + 1 >= MAX_ATTEMPTS:
            self.outbox.finish_sending(item.id, self.token, FAILED, now, reason="gave_up")
            return "failed"
        self.outbox.release(item.id, self.token, now, now + _backoff(item.attempts, retry_after),
                            reason="retry", attempted=True)
        return "retrying"
