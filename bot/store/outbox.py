"""The nudge outbox: planned rows, the claim one dispatcher wins, and the facts checked at send time.

Exactly once, persistently:
- one row per (person, reminder kind, local date) under a unique key, inserted only
  when missing, so planning twice (or by two dispatchers at once) is harmless;
- a claim is a compare-and-set `UPDATE ... WHERE status='pending'` stamped with the
  claimer's token; only the rows carrying that token afterwards are its own. On
  PostgreSQL the candidates are picked with `FOR UPDATE SKIP LOCKED`, so racing
  dispatchers take different rows instead of queueing on the same ones;
- `sending` is committed before the outside call; a `sending` row whose lease ran
  out (its dispatcher died mid-send) becomes `unknown`, never sent again;
- a `claimed` row whose lease ran out goes back to `pending` (nothing left yet).
"""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.localtime import day_bounds
from bot.nudges.records import (
    CLAIMED, DEFAULT_QUIET_END, DEFAULT_QUIET_START, PENDING, SENDING, SENT, SKIPPED, UNKNOWN,
    NudgeFacts, NudgeMessage, NudgeSettings, OutboxItem, ReminderPref, SentNudge, Slot,
)
from bot.store import models as m
from bot.store.db import UnitOfWork
from bot.thresholds import SHORT_SLEEP_HOURS, WEEK_DAYS

POOR_SLEEP = ("bad",)


def settings_of(user: m.User, reminders: Iterable[m.Reminder]) -> NudgeSettings:
    return NudgeSettings(
        zone=user.time_zone,
        reminders=tuple(ReminderPref(kind=r.kind, at=r.at_time, on=bool(r.active), since=r.updated_at)
                        for r in sorted(reminders, key=lambda r: r.kind)),
        quiet_start=user.quiet_start or DEFAULT_QUIET_START,
        quiet_end=user.quiet_end or DEFAULT_QUIET_END,
        paused_until=user.paused_until,
        channel=user.channel,
        chat_id=user.chat_id,
        unreachable=user.unreachable_at is not None,
    )


class NudgeOutbox(UnitOfWork):
    """All queries of the nudge dispatcher."""

    # ---- planning ----------------------------------------------------------
    def people_with_reminders(self) -> List[Tuple[int, str, NudgeSettings]]:
        """(user id, sender id, settings) of everyone with at least one reminder switched on."""
        with self._unit() as s:
            rows = s.execute(
                sa.select(m.Reminder).join(m.User).where(
                    m.User.id.in_(sa.select(m.Reminder.user_id).where(m.Reminder.active.is_(True))))
            ).scalars().all()
            by_user: Dict[int, List[m.Reminder]] = {}
            for r in rows:
                by_user.setdefault(r.user_id, []).append(r)
            users = s.execute(sa.select(m.User).where(m.User.id.in_(list(by_user)))).scalars().all() \
                if by_user else []
            return [(u.id, u.sender_id, settings_of(u, by_user[u.id])) for u in users]

    def add_slots(self, slots: Sequence[Tuple[int, Slot]], now: datetime) -> int:
        """Insert the (user id, slot) rows not planned yet, as pending; how many were new.

        Rows already there (planned by an earlier run or another dispatcher) are left
        alone. A concurrent insert of the same key loses on the unique constraint and
        is ignored.
        """
        if not slots:
            return 0
        earliest = min(slot.local_date for _, slot in slots)
        with self._unit() as s:
            existing = set(s.execute(
                sa.select(m.Nudge.user_id, m.Nudge.kind, m.Nudge.local_date)
                .where(m.Nudge.local_date >= earliest)).all())
        missing = [(uid, slot) for uid, slot in slots
                   if (uid, slot.kind, slot.local_date) not in existing]
        if not missing:
            return 0
        rows = [dict(user_id=uid, kind=slot.kind, local_date=slot.local_date, due_at=slot.due_at,
                     status=PENDING, attempts=0, created_at=now) for uid, slot in missing]
        table = m.Nudge.__table__
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert
            stmt = pg_insert(table).on_conflict_do_nothing(constraint="uq_nudge_user_kind_day")
        elif self.engine.dialect.name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert
            stmt = sqlite_insert(table).on_conflict_do_nothing(
                index_elements=["user_id", "kind", "local_date"])
        else:  # pragma: no cover - other engines: one row at a time
            added = 0
            for row in rows:
                try:
                    with self._unit() as s:
                        s.execute(table.insert().values(**row))
                    added += 1
                except IntegrityError:
                    pass
            return added
        added = 0
        with self._unit() as s:  # one multi-row INSERT per chunk, so each rowcount is exact
            for start in range(0, len(rows), 500):
                added += max(s.execute(stmt.values(rows[start:start + 500])).rowcount or 0, 0)
        return added

    # ---- claiming ----------------------------------------------------------
    def recover(self, now: datetime) -> Tuple[int, int]:
        """Rows whose dispatcher died: claimed -> pending again; sending -> unknown (not repeated)."""
        with self._unit() as s:
            back = s.execute(
                sa.update(m.Nudge).where(m.Nudge.status == CLAIMED, m.Nudge.lease_until < now)
                .values(status=PENDING, claimed_by=None, lease_until=None, updated_at=now)).rowcount
            lost = s.execute(
                sa.update(m.Nudge).where(m.Nudge.status == SENDING, m.Nudge.lease_until < now)
                .values(status=UNKNOWN, reason="dispatcher_died", updated_at=now)).rowcount
            return back or 0, lost or 0

    def claim(self, token: str, now: datetime, limit: int = 500,
              lease: timedelta = timedelta(minutes=10)) -> List[OutboxItem]:
        """Take up to `limit` due pending rows for `token`; only rows this call won come back."""
        ready = sa.and_(m.Nudge.status == PENDING, m.Nudge.due_at <= now,
                        sa.or_(m.Nudge.next_attempt_at.is_(None), m.Nudge.next_attempt_at <= now))
        with self._unit() as s:
            pick = sa.select(m.Nudge.id).where(ready).order_by(m.Nudge.due_at, m.Nudge.id).limit(limit)
            if self.engine.dialect.name == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            ids = list(s.execute(pick).scalars())
            if not ids:
                return []
            s.execute(
                sa.update(m.Nudge).where(m.Nudge.id.in_(ids), m.Nudge.status == PENDING)
                .values(status=CLAIMED, claimed_by=token, lease_until=now + lease, updated_at=now)
                .execution_options(synchronize_session=False))
        with self._unit() as s:
            rows = s.execute(
                sa.select(m.Nudge, m.User).join(m.User)
                .where(m.Nudge.claimed_by == token, m.Nudge.status == CLAIMED)
                .order_by(m.Nudge.due_at, m.Nudge.id)).all()
            user_ids = {u.id for _, u in rows}
            reminders: Dict[int, List[m.Reminder]] = {}
            if user_ids:
                for r in s.execute(sa.select(m.Reminder).where(m.Reminder.user_id.in_(user_ids))).scalars():
                    reminders.setdefault(r.user_id, []).append(r)
            return [OutboxItem(id=n.id, sender_id=u.sender_id, kind=n.kind, local_date=n.local_date,
                               due_at=n.due_at, attempts=n.attempts,
                               settings=settings_of(u, reminders.get(u.id, [])))
                    for n, u in rows]

    def _finish(self, item_id: int, token: str, now: datetime, from_status: str, **values) -> bool:
        with self._unit() as s:
            done = s.execute(
                sa.update(m.Nudge).where(m.Nudge.id == item_id, m.Nudge.claimed_by == token,
                                         m.Nudge.status == from_status)
                .values(updated_at=now, **values)).rowcount
            return bool(done)

    def skip(self, item_id: int, token: str, reason: str, now: datetime) -> bool:
        return self._finish(item_id, token, now, CLAIMED, status=SKIPPED, reason=reason,
                            lease_until=None)

    def release(self, item_id: int, token: str, now: datetime, retry_at: datetime,
                reason: str = "wait", attempted: bool = False) -> bool:
        """Back to pending, to be tried again from `retry_at` (a deferral or a failed send)."""
        values = dict(status=PENDING, reason=reason, claimed_by=None, lease_until=None,
                      next_attempt_at=retry_at)
        if attempted:
            values["attempts"] = m.Nudge.attempts + 1
        with self._unit() as s:
            done = s.execute(
                sa.update(m.Nudge).where(m.Nudge.id == item_id, m.Nudge.claimed_by == token,
                                         m.Nudge.status.in_((CLAIMED, SENDING)))
                .values(updated_at=now, **values)).rowcount
            return bool(done)

    def start_sending(self, item_id: int, token: str, message: NudgeMessage, now: datetime,
                      lease: timedelta = timedelta(minutes=5)) -> bool:
        """Committed before the outside call: from here on the row is never sent twice."""
        return self._finish(item_id, token, now, CLAIMED, status=SENDING, message_kind=message.kind,
                            variant=message.variant, payload=json.dumps(asdict(message)),
                            lease_until=now + lease)

    def finish_sending(self, item_id: int, token: str, status: str, now: datetime,
                       reason: Optional[str] = None) -> bool:
        values = dict(status=status, reason=reason, lease_until=None,
                      attempts=m.Nudge.attempts + 1)
        if status == SENT:
            values["sent_at"] = now
        return self._finish(item_id, token, now, SENDING, **values)

    # ---- send-time facts -------------------------------------------------------
    def facts(self, sender_id: str, day: date, zone: Optional[str], now: datetime) -> NudgeFacts:
        """What the send-time checks need about one person on their local `day`."""
        start, end = day_bounds(day, zone)
        with self._unit() as s:
            user = s.execute(sa.select(m.User).where(m.User.sender_id == sender_id)).scalar_one_or_none()
            if user is None:
                return NudgeFacts()
            checked_in = s.execute(
                sa.select(m.Checkin.id).where(m.Checkin.user_id == user.id, m.Checkin.local_date == day)
                .limit(1)).first() is not None
            longest = s.execute(
                sa.select(sa.func.max(m.Activity.minutes)).where(
                    m.Activity.user_id == user.id, m.Activity.kind == "walking",
                    m.Activity.at >= start, m.Activity.at < end)).scalar() or 0.0
            sleeps = s.execute(
                sa.select(m.SleepLog.quality, m.SleepLog.hours).where(
                    m.SleepLog.user_id == user.id, m.SleepLog.at >= start - timedelta(days=1),
                    m.SleepLog.at < end)
                .order_by(m.SleepLog.at.desc(), m.SleepLog.id.desc()).limit(2)).all()
            poor = 0
            for quality, hours in sleeps:
                if quality in POOR_SLEEP or (hours is not None and hours < SHORT_SLEEP_HOURS):
                    poor += 1
                else:
                    break
            red_flag = s.execute(
                sa.select(m.Escalation.id).where(
                    m.Escalation.user_id == user.id, m.Escalation.resolved_at.is_(None),
                    m.Escalation.tier <= 2).limit(1)).first() is not None
            sent = s.execute(
                sa.select(m.Nudge.message_kind, m.Nudge.local_date, m.Nudge.variant,
                          m.Nudge.sent_at, m.Nudge.updated_at).where(
                    m.Nudge.user_id == user.id, m.Nudge.status.in_((SENT, UNKNOWN)),
                    m.Nudge.local_date >= day - timedelta(days=WEEK_DAYS))
                .order_by(m.Nudge.local_date, m.Nudge.id)).all()
            return NudgeFacts(
                checked_in_today=checked_in,
                longest_walk_today=float(longest),
                poor_nights=poor,
                red_flag_open=red_flag,
                sent=tuple(SentNudge(kind=r.message_kind or "checkin", local_date=r.local_date,
                                     variant=r.variant or 0, at=r.sent_at or r.updated_at or now)
                           for r in sent),
                last_message_at=user.last_message_at,
            )

    def mark_unreachable(self, sender_id: str, at: datetime) -> None:
        with self._unit() as s:
            s.execute(sa.update(m.User).where(m.User.sender_id == sender_id,
                                              m.User.unreachable_at.is_(None))
                      .values(unreachable_at=at))

    # ---- web chat: shown when they next open it --------------------------------
    def unshown_web_nudges(self, sender_id: str, since: date) -> List[Tuple[int, NudgeMessage]]:
        """Nudges rendered into a web-chat conversation from local date `since` on, not shown yet."""
        with self._unit() as s:
            rows = s.execute(
                sa.select(m.Nudge.id, m.Nudge.payload).join(m.User).where(
                    m.User.sender_id == sender_id, m.User.channel == "socketio",
                    m.Nudge.status == SENT, m.Nudge.shown_at.is_(None), m.Nudge.local_date >= since)
                .order_by(m.Nudge.due_at)).all()
        found = []
        for nudge_id, payload in rows:
            try:
                message = NudgeMessage(**json.loads(payload or "{}"))
            except (TypeError, ValueError):
                continue
            found.append((nudge_id, message))
        return found

    def mark_shown(self, ids: Sequence[int], at: datetime) -> int:
        if not ids:
            return 0
        with self._unit() as s:
            return s.execute(sa.update(m.Nudge).where(m.Nudge.id.in_(list(ids)), m.Nudge.shown_at.is_(None))
                             .values(shown_at=at)).rowcount or 0

    # ---- inspection (tests, the README's queries) --------------------------------
    def rows(self, sender_id: Optional[str] = None) -> List[Dict]:
        with self._unit() as s:
            q = sa.select(m.Nudge, m.User.sender_id).join(m.User).order_by(m.Nudge.id)
            if sender_id is not None:
                q = q.where(m.User.sender_id == sender_id)
            return [dict(sender_id=sid, kind=n.kind, local_date=n.local_date, due_at=n.due_at,
                         status=n.status, reason=n.reason, message_kind=n.message_kind,
                         variant=n.variant, attempts=n.attempts, sent_at=n.sent_at,
                         claimed_by=n.claimed_by)
                    for n, sid in s.execute(q).all()]
