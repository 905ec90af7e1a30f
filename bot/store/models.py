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

    checkins = relationship("Checkin", cascade="all, delete-orphan", passive_deletes=True)
    activities = relationship("Activity", cascade="all, delete-orphan", passive_deletes=True)
    sleeps = relationship("SleepLog", cascade="all, delete-orphan", passive_deletes=True)
    escalations = relationship("Escalation", cascade="all, delete-orphan", passive_deletes=True)
    reminders = relationship("Reminder", cascade="all, delete-orphan", passive_deletes=True)
    movement_notes = relationship("MovementNote", cascade="all, delete-orphan", passive_deletes=True)


class Checkin(Base):
    __tablename__ = "coach_checkins"
    __table_args__ = (sa.Index("ix_coach_checkins_user_day", "user_id", "local_date"),)

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

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    at = sa.Column(sa.DateTime, nullable=False, index=True)
    kind = sa.Column(sa.String(32), nullable=False)
    minutes = sa.Column(sa.Float, nullable=True)
    exercise_id = sa.Column(sa.String(64), nullable=True)


class SleepLog(Base):
    __tablename__ = "coach_sleep_logs"

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


class MovementNote(Base):
    """What the person said set off spreading pain (effect "worse") or eased it ("better")."""

    __tablename__ = "coach_movement_notes"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = _user_fk()
    at = sa.Column(sa.DateTime, nullable=False)
    effect = sa.Column(sa.String(16), nullable=False)
    movement = sa.Column(sa.String(64), nullable=False)
