"""The one layer that reads and writes the coach's tables.

It speaks in `bot.records` values so that nothing above it needs SQLAlchemy,
and it owns the transactions: each public method is one unit of work.
"""
from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from typing import Iterator, Optional, Sequence, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import chart_links
from bot.localtime import local_day
from bot.nudges.records import NudgeSettings
from bot.records import (
    PAIN_DIRECTIONS, ActivityRecord, CheckinRecord, Earlier, MovementNote, Profile, SessionFacts,
    SleepRecord,
)
from bot.store import models as m
from bot.store.db import UnitOfWork
from bot.store.outbox import settings_of
from bot.store.window_cache import BeforeWindowCache, key_for
from bot.thresholds import PROFILE_WINDOW_DAYS

CHARTS_KEPT = 5  # per person: the chat's last few progress pictures still load

# Channels a nudge can reach: Telegram pushes, the web chat shows it when next opened.
NUDGE_CHANNELS = ("telegram", "socketio")
# Stored directions a rule reads as one (bot.escalation; "unknown" is none).
_KNOWN_DIRECTIONS = tuple(d for d in PAIN_DIRECTIONS if d != "unknown")


class CoachStore(UnitOfWork):
    """Stored history per person, keyed by the channel's sender id."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self._before_window = BeforeWindowCache()  # bot/store/window_cache.py
        sa.event.listen(self._sessions, "after_flush", _note_write)

    @staticmethod
    def _user(session: Session, sender_id: str, create: bool = True) -> Optional[m.User]:
        user = session.execute(
            sa.select(m.User).where(m.User.sender_id == sender_id)
        ).scalar_one_or_none()
        if user is None and create:
            user = m.User(sender_id=sender_id, created_at=datetime.utcnow())
            session.add(user)
            session.flush()
        return user

    # ---- reads -------------------------------------------------------------
    def profile(self, sender_id: str, today: Optional[date] = None, *,
                sleeps: bool = True, notes: bool = True) -> Profile:
        """What the pure rules need about one person (empty if unknown).

        With `today`, what one turn reads: the logs of the last PROFILE_WINDOW_DAYS
        days, the landmark check-ins before them and the facts about the rest
        (bot.records.Earlier), so its cost does not grow with the length of the
        history. Without it, the whole history (the rules decide the same on both).
        A turn that does not look at sleep or movement notes leaves them out
        (`sleeps=False`, `notes=False`: empty in the profile).
        """
        with self._unit() as s:
            user = self._user(s, sender_id, create=False)
            if user is None:
                return Profile()
            since = None if today is None else today - timedelta(days=PROFILE_WINDOW_DAYS)
            start = None if since is None else datetime.combine(since, time.min)
            earlier, landmarks = (None, ()) if since is None else self._before(s, user, since, start)
            return Profile(
                onset=user.onset_date,
                checkins=landmarks + tuple(_checkin_record(r) for r in self._rows(s, m.Checkin, user.id, start)),
                activities=tuple(self._activities(s, user.id, start)),
                sleeps=tuple(SleepRecord(at=r.at, quality=r.quality, hours=r.hours)
                             for r in self._rows(s, m.SleepLog, user.id, start)) if sleeps else (),
                cautions=_split(user.cautions),
                movement_notes=tuple(
                    MovementNote(at=r.at, effect=r.effect, movement=r.movement)
                    for r in self._rows(s, m.MovementNote, user.id, start)) if notes else (),
                onset_asked=user.onset_asked_at is not None,
                zone=user.time_zone,
                earlier=earlier,
            )

    def _before(self, s: Session, user: m.User, since: date,
                start: datetime) -> Tuple[Earlier, Tuple[CheckinRecord, ...]]:
        """The facts and landmark check-ins before the window: read on the person's first
        turn of the day, then kept (bot/store/window_cache.py)."""
        key = key_for(user.id, user.created_at, since, user.onset_date)
        kept = self._before_window.get(key)
        if kept is not None:
            return kept
        earlier = self._earlier(s, user, since, start)
        found = (earlier, self._landmarks(s, user, start) if earlier.checkins else ())
        if not s.info.get(_WROTE):  # what a writing transaction reads may yet be rolled back
            self._before_window.put(key, found)
        return found

    @staticmethod
    def _earlier(s: Session, user: m.User, since: date, start: datetime) -> Earlier:
        """The facts about the logs before the window, in one statement of indexed aggregates."""
        row = s.execute(_earlier_statement(s.get_bind().dialect.name),
                        {"user_id": user.id, "start": start}).one()
        return Earlier(since=since, checkins=row[0], run=row[1], logs=bool(row[2]))

    @staticmethod
    def _landmarks(s: Session, user: m.User, start: datetime) -> Tuple[CheckinRecord, ...]:
        """The check-ins before `start` that a rule can pick out of the whole history
        (_landmarks_statement), oldest first, each once."""
        onset = user.onset_date
        params = {"user_id": user.id, "start": start}
        if onset is not None:
            params["onset"] = datetime.combine(onset, time.min)
        rows = {r.id: r for r in s.execute(_landmarks_statement(onset is not None), params)}
        return tuple(_checkin_record(r) for r in sorted(rows.values(), key=lambda r: (r.at, r.id)))

    def zone(self, sender_id: str) -> Optional[str]:
        """The person's IANA time zone, if they told it."""
        with self._unit() as s:
            return s.execute(
                sa.select(m.User.time_zone).where(m.User.sender_id == sender_id)
            ).scalar_one_or_none()

    def today(self, sender_id: str, at: datetime) -> date:
        """The person's local calendar day at the UTC instant `at` (UTC until a zone is known)."""
        return local_day(at, self.zone(sender_id))

    @staticmethod
    def _rows(s: Session, model, user_id: int, start: Optional[datetime] = None):
        """One person's rows of a log table (those at or after `start`, if given), oldest
        first, as plain rows (column name -> value), not ORM objects: a year of history
        is read about four times faster. The (user_id, at) indexes serve it."""
        if start is None:
            return s.execute(_rows_statement(model.__table__, False), {"user_id": user_id}).all()
        return s.execute(_rows_statement(model.__table__, True), {"user_id": user_id, "start": start}).all()

    def checkin_on(self, sender_id: str, day: date) -> Optional[CheckinRecord]:
        """The person's check-in of that local day, if they have one."""
        with self._unit() as s:
            row = self._checkin_row(s, sender_id, day)
            return _checkin_record(row) if row is not None else None

    def checkin_context(self, sender_id: str, day: date) -> Tuple[Optional[CheckinRecord], Optional[CheckinRecord]]:
        """The person's check-in of that local day, and the latest check-in of an earlier
        day (or of no recorded day) that named a place: what a check-in message is
        merged into and compared with. Two indexed single-row reads, one transaction."""
        with self._unit() as s:
            row = self._checkin_row(s, sender_id, day)
            t = m.Checkin.__table__
            located = s.execute(
                sa.select(t).join(m.User.__table__, m.User.id == t.c.user_id)
                .where(m.User.sender_id == sender_id, t.c.location.isnot(None),
                       sa.or_(t.c.local_date.is_(None), t.c.local_date < day))
                .order_by(t.c.at.desc(), t.c.id.desc()).limit(1)
            ).first()
            return (_checkin_record(row) if row is not None else None,
                    _checkin_record(located) if located is not None else None)

    def _checkin_row(self, s: Session, sender_id: str, day: date) -> Optional[m.Checkin]:
        return s.execute(
            sa.select(m.Checkin).join(m.User)
            .where(m.User.sender_id == sender_id, m.Checkin.local_date == day)
            .order_by(m.Checkin.id.desc()).limit(1)
        ).scalar_one_or_none()

    def _activities(self, s: Session, user_id: int, start: Optional[datetime] = None) -> Iterator[ActivityRecord]:
        for r in self._rows(s, m.Activity, user_id, start):
            yield ActivityRecord(at=r.at, kind=r.kind, minutes=r.minutes, exercise_id=r.exercise_id)

    def activities_since(self, sender_id: str, start: Optional[datetime]) -> Tuple[ActivityRecord, ...]:
        """The person's activities logged at or after `start` (all of them if None), oldest first."""
        with self._unit() as s:
            user = self._user(s, sender_id, create=False)
            return () if user is None else tuple(self._activities(s, user.id, start))

    def onset(self, sender_id: str) -> Optional[date]:
        with self._unit() as s:
            return s.execute(
                sa.select(m.User.onset_date).where(m.User.sender_id == sender_id)
            ).scalar_one_or_none()

    def open_escalation(self, sender_id: str) -> Optional[Tuple[int, str]]:
        """(tier, reason) of the newest unresolved tier 1-2 escalation, if any.

        Tier 3 ("see a clinician soon") is left out on purpose: it is advice, not
        a hold, so it never stops the coach from giving exercise plans.
        """
        with self._unit() as s:
            row = s.execute(
                sa.select(m.Escalation.tier, m.Escalation.reason)
                .join(m.User)
                .where(m.User.sender_id == sender_id, _OPEN_HOLD)
                .order_by(m.Escalation.at.desc(), m.Escalation.id.desc())
                .limit(1)
            ).first()
            return (row.tier, row.reason) if row else None

    def session_facts(self, sender_id: str) -> SessionFacts:
        """What a new conversation carries over (bot.records.SessionFacts), in one
        statement of indexed single-row reads: a session start costs the same after a
        year of check-ins as after one."""
        with self._unit() as s:
            row = s.execute(_session_facts_statement(), {"sender": sender_id}).first()
            if row is None:
                return SessionFacts()
            return SessionFacts(latest_score=row.latest_score, returning=bool(row.logged),
                                red_flag_open=bool(row.red_flag_open))

    def escalation_reasons_since(self, sender_id: str, since: datetime, tier: int) -> Set[str]:
        """Reasons of `tier` escalations recorded at or after `since`, resolved or not.

        Lets a rule give its advice once per episode: a reason already given
        since the episode began is not given again, even after an assessment.
        """
        with self._unit() as s:
            rows = s.execute(
                sa.select(m.Escalation.reason)
                .join(m.User)
                .where(m.User.sender_id == sender_id, m.Escalation.tier == tier,
                       m.Escalation.at >= since)
            ).scalars()
            return set(rows)

    def reminders(self, sender_id: str) -> Sequence[Tuple[str, time, bool]]:
        with self._unit() as s:
            rows = s.execute(
                sa.select(m.Reminder.kind, m.Reminder.at_time, m.Reminder.active)
                .join(m.User).where(m.User.sender_id == sender_id)
                .order_by(m.Reminder.kind)
            ).all()
            return [(r.kind, r.at_time, r.active) for r in rows]

    # ---- writes ------------------------------------------------------------
    def add_checkin(self, sender_id: str, record: CheckinRecord, direction: str,
                    day: Optional[date] = None) -> None:
        with self._unit() as s:
            user = self._user(s, sender_id)
            self._before_window.logged(record.at)
            s.add(m.Checkin(
                user_id=user.id, at=record.at, pain_score=record.pain_score,
                location=record.location, side=record.side,
                symptoms=",".join(record.symptoms), trend=record.trend, direction=direction,
                local_date=day or record.at.date(),
            ))

    def save_checkin_day(self, sender_id: str, day: date, record: CheckinRecord, at: datetime,
                         cautions: Sequence[str] = (), notes: Sequence[MovementNote] = ()) -> None:
        """Write one turn of the check-in in one transaction.

        The person's check-in for `day` is created or amended to `record` (one
        row per local day; `record.at` stays the time it was first made), newly
        mentioned cautions are added and movement notes appended.
        """
        with self._unit() as s:
            user = self._user(s, sender_id)
            row = self._checkin_row(s, sender_id, day)
            if row is None:
                row = m.Checkin(user_id=user.id, at=record.at, local_date=day)
                s.add(row)
            else:
                row.updated_at = at
            self._before_window.logged(row.at)
            row.pain_score, row.location, row.side = record.pain_score, record.location, record.side
            row.symptoms, row.trend = ",".join(record.symptoms), record.trend
            row.direction = record.direction or "unknown"
            self._add_notes(s, user, notes, cautions)

    def save_notes(self, sender_id: str, notes: Sequence[MovementNote] = (),
                   cautions: Sequence[str] = (), escalations: Sequence[Tuple[int, str]] = (),
                   at: Optional[datetime] = None) -> None:
        """Append movement notes, cautions and escalations (given at `at`), in one transaction.

        `at` is the caller's clock, never read here: escalations need it (the notes carry their own)."""
        if not (notes or cautions or escalations):
            return
        if escalations and at is None:
            raise ValueError("escalations are recorded at the caller's instant: pass at=")
        with self._unit() as s:
            user = self._user(s, sender_id)
            self._add_notes(s, user, notes, cautions)
            for tier, reason in escalations:
                s.add(m.Escalation(user_id=user.id, tier=tier, reason=reason, at=at))

    @staticmethod
    def _add_notes(s: Session, user: m.User, notes: Sequence[MovementNote],
                   cautions: Sequence[str]) -> None:
        known = _split(user.cautions)
        user.cautions = ",".join(known + tuple(c for c in dict.fromkeys(cautions) if c not in known))
        for note in notes:
            s.add(m.MovementNote(user_id=user.id, at=note.at, effect=note.effect, movement=note.movement))

    def mark_onset_asked(self, sender_id: str, at: datetime) -> None:
        with self._unit() as s:
            user = self._user(s, sender_id)
            if user.onset_asked_at is None:
                user.onset_asked_at = at

    def add_activity(self, sender_id: str, record: ActivityRecord) -> None:
        self.add_activities(sender_id, [record])

    def add_activities(self, sender_id: str, records: Sequence[ActivityRecord]) -> None:
        """Log the sessions of one message (one look-up of the person, one insert each)."""
        with self._unit() as s:
            user = self._user(s, sender_id)
            for r in records:
                self._before_window.logged(r.at)
            s.add_all([m.Activity(user_id=user.id, at=r.at, kind=r.kind, minutes=r.minutes,
                                  exercise_id=r.exercise_id) for r in records])

    def add_sleep(self, sender_id: str, record: SleepRecord) -> None:
        with self._unit() as s:
            user = self._user(s, sender_id)
            self._before_window.logged(record.at)
            s.add(m.SleepLog(user_id=user.id, at=record.at, quality=record.quality,
                             hours=record.hours))

    def set_onset(self, sender_id: str, onset: date) -> None:
        with self._unit() as s:
            self._user(s, sender_id).onset_date = onset

    def record_escalation(self, sender_id: str, tier: int, reason: str, at: datetime) -> None:
        with self._unit() as s:
            user = self._user(s, sender_id)
            s.add(m.Escalation(user_id=user.id, tier=tier, reason=reason, at=at))

    def _update_for_user(self, sender_id: str, model, condition, **values) -> int:
        """UPDATE one person's rows of `model` matching `condition`; how many changed."""
        with self._unit() as s:
            user = self._user(s, sender_id, create=False)
            if user is None:
                return 0
            result = s.execute(
                sa.update(model).where(model.user_id == user.id, condition).values(**values)
            )
            return result.rowcount or 0

    def resolve_escalations(self, sender_id: str, at: datetime) -> int:
        """Mark every open escalation as assessed; returns how many were open.

        Tier-3 referrals are closed too, since an assessment answers them; they
        still count as given for `escalation_reasons_since`.
        """
        return self._update_for_user(sender_id, m.Escalation, m.Escalation.resolved_at.is_(None),
                                     resolved_at=at)

    def set_reminder(self, sender_id: str, kind: str, at_time: time, at: datetime) -> None:
        """A daily reminder of `kind` at local `at_time`, from the instant `at` (UTC) on.

        `at` is the caller's clock, never read here: it decides the first day the reminder is due."""
        with self._unit() as s:
            user = self._user(s, sender_id)
            row = s.execute(
                sa.select(m.Reminder).where(m.Reminder.user_id == user.id, m.Reminder.kind == kind)
            ).scalar_one_or_none()
            if row is None:
                s.add(m.Reminder(user_id=user.id, kind=kind, at_time=at_time, active=True, updated_at=at))
            else:
                row.at_time, row.active, row.updated_at = at_time, True, at

    def stop_reminders(self, sender_id: str, kinds: Sequence[str] = ()) -> Tuple[str, ...]:
        """Switch reminders off (all, or only `kinds`); the kinds that were on and now are off.

        The times stay stored, so "turn my reminders back on" restores them.
        """
        with self._unit() as s:
            user = self._user(s, sender_id, create=False)
            if user is None:
                return ()
            q = sa.select(m.Reminder).where(m.Reminder.user_id == user.id, m.Reminder.active.is_(True))
            if kinds:
                q = q.where(m.Reminder.kind.in_(list(kinds)))
            rows = s.execute(q).scalars().all()
            for row in rows:
                row.active = False
            return tuple(sorted(r.kind for r in rows))

    def nudge_settings(self, sender_id: str) -> NudgeSettings:
        with self._unit() as s:
            user = self._user(s, sender_id, create=False)
            if user is None:
                return NudgeSettings()
            rows = s.execute(sa.select(m.Reminder).where(m.Reminder.user_id == user.id)).scalars().all()
            return settings_of(user, rows)

    def resume_reminders(self, sender_id: str, at: datetime) -> Tuple[str, ...]:
        """Every stored reminder back on at its stored time, and any pause lifted; the kinds on now.

        `at` is the caller's clock: a reminder turned back on is due from then on."""
        with self._unit() as s:
            user = self._user(s, sender_id, create=False)
            if user is None:
                return ()
            user.paused_until = None
            rows = s.execute(sa.select(m.Reminder).where(m.Reminder.user_id == user.id)).scalars().all()
            for row in rows:
                if not row.active:
                    row.active, row.updated_at = True, at
            return tuple(sorted(r.kind for r in rows))

    def pause_reminders(self, sender_id: str, until: date) -> None:
        with self._unit() as s:
            self._user(s, sender_id).paused_until = until

    def set_zone(self, sender_id: str, zone: str, at: datetime) -> None:
        with self._unit() as s:
            user = self._user(s, sender_id)
            user.time_zone = zone
            user.zone_asked_at = user.zone_asked_at or at

    def mark_zone_asked(self, sender_id: str, at: datetime) -> bool:
        """Record that the time-zone question was asked; False if it had been asked before."""
        with self._unit() as s:
            user = self._user(s, sender_id)
            if user.zone_asked_at is not None:
                return False
            user.zone_asked_at = at
            return True

    def set_quiet_hours(self, sender_id: str, start: time, end: time) -> None:
        with self._unit() as s:
            user = self._user(s, sender_id)
            user.quiet_start, user.quiet_end = start, end

    def set_contact(self, sender_id: str, channel: Optional[str]) -> None:
        """Where nudges reach this person: their conversation id on a channel that can carry them."""
        if channel not in NUDGE_CHANNELS:
            return
        with self._unit() as s:
            user = self._user(s, sender_id)
            user.channel, user.chat_id = channel, sender_id

    def note_message(self, sender_id: str, channel: Optional[str], at: datetime) -> None:
        """The person wrote: resets nudge back-off, makes a blocked chat reachable again.

        Called by the tracker store for every stored user message; only people the
        coach already knows are touched (one UPDATE, no insert).
        """
        nudgeable = channel in NUDGE_CHANNELS
        # A prepared Core statement in a short transaction, not an ORM session: the Rasa
        # server runs this for every message (an ORM unit was 6% of its busy time).
        with self.engine.begin() as conn:
            conn.execute(_note_message_statement(nudgeable),
                         {"sender": sender_id, "at": at, **({"channel": channel} if nudgeable else {})})

    def save_chart(self, sender_id: str, png: bytes, at: datetime) -> str:
        """Keeps a progress chart and returns its token (bot.chart_links); only the person's
        newest CHARTS_KEPT charts stay, so a chat's recent pictures still show."""
        token = chart_links.new_token()
        with self._unit() as s:
            user = self._user(s, sender_id)
            s.add(m.ProgressChart(user_id=user.id, token=token, png=png, created_at=at))
            s.flush()
            kept = s.execute(sa.select(m.ProgressChart.id).where(m.ProgressChart.user_id == user.id)
                             .order_by(m.ProgressChart.id.desc()).limit(CHARTS_KEPT)).scalars().all()
            s.execute(sa.delete(m.ProgressChart).where(m.ProgressChart.user_id == user.id,
                                                       m.ProgressChart.id.not_in(kept)))
        return token

    def chart_png(self, token: str) -> Optional[bytes]:
        """The picture of a kept chart, None if the token is unknown (or the chart was dropped)."""
        with self._unit() as s:
            return s.execute(sa.select(m.ProgressChart.png).where(m.ProgressChart.token == token)).scalar_one_or_none()

    def erase_user(self, sender_id: str) -> bool:
        """Delete the person and every row hanging off them. True if they existed."""
        with self._unit() as s:
            user = self._user(s, sender_id, create=False)
            if user is None:
                return False
            for model in (m.Checkin, m.Activity, m.SleepLog, m.Escalation, m.Reminder, m.MovementNote,
                          m.Nudge, m.ProgressChart):
                s.execute(sa.delete(model).where(model.user_id == user.id))
            s.execute(sa.delete(m.User).where(m.User.id == user.id))
            return True


# The windowed profile's statements are built once (per dialect) with bound parameters:
# building and keying a statement costs more than SQLite takes to run these.

def _day(dialect: str, at):
    """SQL for a timestamp's calendar day (SQLite stores SQLAlchemy's "YYYY-MM-DD HH:MM:SS" text)."""
    return sa.func.substr(at, 1, 10) if dialect == "sqlite" else sa.cast(at, sa.Date)


def _day_number(dialect: str, day):
    """SQL for a calendar day (_day) as a whole number of days: consecutive days differ by 1."""
    if dialect == "sqlite":
        return sa.func.julianday(day)
    return day - sa.cast(sa.literal("1970-01-01"), sa.Date)


@functools.lru_cache(maxsize=None)
def _note_message_statement(nudgeable: bool):
    """UPDATE of the person's last message (and the channel that can reach them)."""
    t = m.User.__table__
    values = {"last_message_at": sa.bindparam("at"), "unreachable_at": None}
    if nudgeable:
        values.update(channel=sa.bindparam("channel"), chat_id=sa.bindparam("sender"))
    return sa.update(t).where(t.c.sender_id == sa.bindparam("sender")).values(**values)


@functools.lru_cache(maxsize=None)
def _rows_statement(table: sa.Table, since: bool):
    """One person's rows of a log table, oldest first (at or after :start with `since`):
    built once, so a turn's reads skip building and keying the statement again."""
    query = sa.select(table).where(table.c.user_id == sa.bindparam("user_id"))
    if since:
        query = query.where(table.c.at >= sa.bindparam("start", type_=sa.DateTime))
    return query.order_by(table.c.at, table.c.id)


_WROTE = "coach_wrote"  # Session.info key: this transaction has flushed a write


def _note_write(session: Session, _flush_context) -> None:
    session.info[_WROTE] = True


# An escalation that holds the coach back: unresolved and tier 1 or 2 (open_escalation).
_OPEN_HOLD = sa.and_(m.Escalation.resolved_at.is_(None), m.Escalation.tier <= 2)


@functools.lru_cache(maxsize=None)
def _session_facts_statement():
    """The person's row with the newest score, whether anything was ever logged and whether
    a hold is open (bot.records.SessionFacts): scalar subqueries along the user_id indexes."""
    u, c = m.User.__table__, m.Checkin.__table__
    latest = (sa.select(c.c.pain_score).where(c.c.user_id == u.c.id, c.c.pain_score.isnot(None))
              .order_by(c.c.at.desc(), c.c.id.desc()).limit(1).scalar_subquery())
    logged = sa.or_(*(sa.exists().where(model.user_id == u.c.id)
                      for model in (m.Checkin, m.Activity, m.SleepLog)))
    hold = sa.exists().where(m.Escalation.user_id == u.c.id, _OPEN_HOLD)
    return sa.select(latest.label("latest_score"), logged.label("logged"),
                     hold.label("red_flag_open")).where(u.c.sender_id == sa.bindparam("sender"))


@functools.lru_cache(maxsize=None)
def _earlier_statement(dialect: str):
    """How many check-ins before :start, the run of days with one that ends the day before
    it, and whether any activity or sleep was logged before it (bot.records.Earlier).

    The run is gaps and islands: the distinct days of the check-ins before :start, newest
    first, are numbered 1, 2, ...; day + number equals :start's day exactly along the run
    that ends the day before it, so the run is how many do. Only the counts come back.
    """
    t = m.Checkin.__table__
    user_id, start = sa.bindparam("user_id"), sa.bindparam("start", type_=sa.DateTime)
    before = sa.and_(t.c.user_id == user_id, t.c.at < start)
    days = sa.select(_day(dialect, t.c.at).label("d")).where(before).distinct().subquery()
    ranked = sa.select((_day_number(dialect, days.c.d)
                        + sa.func.row_number().over(order_by=days.c.d.desc())).label("k")).subquery()
    run = (sa.select(sa.func.count()).select_from(ranked)
           .where(ranked.c.k == _day_number(dialect, _day(dialect, start))).scalar_subquery())
    logs = [sa.exists().where(model.user_id == user_id, model.at < start)
            for model in (m.Activity, m.SleepLog)]
    return sa.select(sa.select(sa.func.count()).select_from(t).where(before).scalar_subquery(),
                     run, sa.or_(*logs))


@functools.lru_cache(maxsize=None)
def _landmarks_statement(with_onset: bool):
    """The check-ins before :start a rule can pick out of the whole history.

    The first (the episode's start without an onset), the first scored (the baseline)
    and, with an onset, the first scored since midnight of it (the episode's baseline),
    the last two scored (the latest score, and the run that tells worsening), the last
    with a place (the earlier location), the last with a direction and the last one.
    One statement of single-row reads along the (user_id, at) index.
    """
    t = m.Checkin.__table__
    before = [t.c.user_id == sa.bindparam("user_id"), t.c.at < sa.bindparam("start", type_=sa.DateTime)]
    scored = t.c.pain_score.isnot(None)
    first, last = (t.c.at, t.c.id), (t.c.at.desc(), t.c.id.desc())
    picks = [((), first, 1), ((scored,), first, 1), ((scored,), last, 2),
             ((t.c.location.isnot(None),), last, 1),
             ((t.c.direction.in_(_KNOWN_DIRECTIONS),), last, 1), ((), last, 1)]
    if with_onset:
        picks.append(((scored, t.c.at >= sa.bindparam("onset", type_=sa.DateTime)), first, 1))
    parts = [sa.select(t).where(*before, *where).order_by(*order).limit(limit).subquery()
             for where, order, limit in picks]
    return sa.union_all(*(sa.select(part) for part in parts))


def _split(value: Optional[str]) -> Tuple[str, ...]:
    return tuple(x for x in (value or "").split(",") if x)


def _checkin_record(r: m.Checkin) -> CheckinRecord:
    return CheckinRecord(
        at=r.at, pain_score=r.pain_score, location=r.location, side=r.side,
        symptoms=_split(r.symptoms), trend=r.trend, direction=r.direction, day=r.local_date,
    )
