"""The coach's own tables: structured fields only, never the raw message text.

Raw text stays in Rasa's tracker store; these rows are what the planner and the
progress summary read. Every table hangs off `coach_users` with ON DELETE
CASCADE so erasing a person is one delete.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def _user_fk() -> sa.Column:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("coach_users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


class User(Base):
    __tablename__ = "coach_users"

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False, unique=True)
    created_at = sa.Column(sa.DateTime, nullable=False)
    onset_date = sa.Column(sa.Date, nullable=True)
    cautions = sa.Column(sa.String(255), nullable=False, default="", server_default="")
    onset_asked_at = sa.Column(sa.DateTime, nullable=True)
    # --- nudge preferences (bot.nudges) ---
    time_zone = sa.Column(sa.String(64), nullable=True)       # IANA name; NULL = not told yet (UTC)
    zone_asked_at = sa.Column(sa.DateTime, nullable=True)     # the time-zone question is asked once
    quiet_start = sa.Column(sa.Time, nullable=True)           # NULL = the default quiet hours
    quiet_end = sa.Column(sa.Time, nullable=True)
    paused_until = sa.Column(sa.Date, nullable=True)          # local date nudges resume on
    channel = sa.Column(sa.String(32), nullable=True)         # where to reach them: telegram, socketio, rest
    chat_id = sa.Column(sa.String(255), nullable=True)
    unreachable_at = sa.Column(sa.DateTime, nullable=True)    # Telegram said blocked (403)
    last_message_at = sa.Column(sa.DateTime, nullable=True)   # their latest own message

    checkins = relationship("Checkin", cascade="all, delete-orphan", passive_deletes=True)
    activities = relationship("Activity", cascade="all, delete-orphan", passive_deletes=True)
    sleeps = relationship("SleepLog", cascade="all, delete-orphan", passive_deletes=True)
    escalations = relationship("Escalation", cascade="all, delete-orphan", passive_deletes=True)
    reminders = relationship("Reminder", cascade="all, delete-orphan", passive_deletes=True)
    movement_notes = relationship("MovementNote", cascade="all, delete-orphan", passive_deletes=True)
    nudges = relationship("Nudge", cascade="all, delete-orphan", passive_deletes=True)


class Checkin(Base):
    __tablename__ = "coach_checkins"
    __table_args__ = (sa.Index("ix_coach_checkins_user_day", "user_id", "local_date"),
                      sa.Index("ix_coach_checkins_user_at", "user_id", "at"))

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    at = sa.Column(sa.DateTime, nullable=False, index=True)
    pain_score = sa.Column(sa.Float, nullable=True)
    location = sa.Column(sa.String(32), nullable=True)
    side = sa.Column(sa.String(16), nullable=True)
    symptoms = sa.Column(sa.String(255), nullable=False, default="")
    trend = sa.Column(sa.String(16), nullable=True)
    direction = sa.Column(sa.String(16), nullable=False, default="unknown")
    local_date = sa.Column(sa.Date, nullable=True)  # the person's day: one check-in per day
    updated_at = sa.Column(sa.DateTime, nullable=True)  # the latest amendment that day


class Activity(Base):
    __tablename__ = "coach_activities"
    __table_args__ = (sa.Index("ix_coach_activities_user_at", "user_id", "at"),)

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    at = sa.Column(sa.DateTime, nullable=False, index=True)
    kind = sa.Column(sa.String(32), nullable=False)
    minutes = sa.Column(sa.Float, nullable=True)
    exercise_id = sa.Column(sa.String(64), nullable=True)


class SleepLog(Base):
    __tablename__ = "coach_sleep_logs"
    __table_args__ = (sa.Index("ix_coach_sleep_logs_user_at", "user_id", "at"),)

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    at = sa.Column(sa.DateTime, nullable=False)
    quality = sa.Column(sa.String(16), nullable=False)
    hours = sa.Column(sa.Float, nullable=True)


class Escalation(Base):
    __tablename__ = "coach_escalations"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    at = sa.Column(sa.DateTime, nullable=False)
    tier = sa.Column(sa.Integer, nullable=False)
    reason = sa.Column(sa.String(64), nullable=False)
    resolved_at = sa.Column(sa.DateTime, nullable=True)


class Reminder(Base):
    __tablename__ = "coach_reminders"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", name="uq_reminder_kind"),)

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    kind = sa.Column(sa.String(16), nullable=False)
    at_time = sa.Column(sa.Time, nullable=False)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    updated_at = sa.Column(sa.DateTime, nullable=True)  # set or switched on: nothing owed before it


class MovementNote(Base):
    """What the person said set off spreading pain (effect "worse") or eased it ("better")."""

    __tablename__ = "coach_movement_notes"
    __table_args__ = (sa.Index("ix_coach_movement_notes_user_at", "user_id", "at"),)

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    at = sa.Column(sa.DateTime, nullable=False)
    effect = sa.Column(sa.String(16), nullable=False)
    movement = sa.Column(sa.String(64), nullable=False)


class Nudge(Base):
    """The nudge outbox: one row per (person, reminder kind, local date), whatever happens to it.

    The unique key makes planning idempotent; a compare-and-set on `status` makes
    the claim one dispatcher's (bot.store.outbox).
    """

    __tablename__ = "coach_nudges"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "local_date", name="uq_nudge_user_kind_day"),
        sa.Index("ix_coach_nudges_status_due", "status", "due_at"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    kind = sa.Column(sa.String(16), nullable=False)           # the reminder: checkin, walk, sleep
    local_date = sa.Column(sa.Date, nullable=False)
    due_at = sa.Column(sa.DateTime, nullable=False)           # UTC
    status = sa.Column(sa.String(16), nullable=False)         # bot.nudges.records.STATUSES
    reason = sa.Column(sa.String(32), nullable=True)          # why skipped / failed
    message_kind = sa.Column(sa.String(16), nullable=True)    # what it said (assessed replaces some)
    variant = sa.Column(sa.Integer, nullable=True)
    payload = sa.Column(sa.String(255), nullable=True)        # the NudgeMessage as JSON (no free text)
    claimed_by = sa.Column(sa.String(64), nullable=True)
    lease_until = sa.Column(sa.DateTime, nullable=True)
    attempts = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    next_attempt_at = sa.Column(sa.DateTime, nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=True)
    sent_at = sa.Column(sa.DateTime, nullable=True)
    shown_at = sa.Column(sa.DateTime, nullable=True)          # web chat: shown when they opened it


class TelegramUpdate(Base):
    """A Telegram update one instance has taken (bot.store.updates): the shared dedup.

    The primary key (bot, update_id) is the claim: whoever inserts it processes the
    update; a re-sent copy, on any instance, after any restart, finds it taken.
    Only the bot's numeric id (the public part of its token) and the update's number
    are kept, never anything of the message; rows older than a day are pruned.
    """

    __tablename__ = "coach_telegram_updates"
    __table_args__ = (sa.Index("ix_coach_telegram_updates_received_at", "received_at"),)

    bot_id = sa.Column(sa.String(32), primary_key=True)
    update_id = sa.Column(sa.BigInteger, primary_key=True, autoincrement=False)
    received_at = sa.Column(sa.DateTime, nullable=False)          # UTC


class ProgressChart(Base):
    """A progress chart drawn for a person, shown by reference (bot.charts.chart_url).

    The picture used to travel inside the bot message as a base64 data URI (about 70 KB):
    stored in every tracker, and sent to the action server with every later custom action
    of that session. Now the message holds a short unguessable URL; the web page serves
    the picture from here and the Telegram channel uploads it from here. Only the newest
    few per person are kept (CoachStore.save_chart).
    """

    __tablename__ = "coach_progress_charts"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    token = sa.Column(sa.String(64), nullable=False, unique=True)
    png = sa.Column(sa.LargeBinary, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False)       # UTC
