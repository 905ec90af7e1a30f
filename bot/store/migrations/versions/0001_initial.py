"""The coach's first schema: users, check-ins, activities, sleep, escalations, reminders.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _user_id() -> sa.Column:
    return sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("coach_users.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "coach_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("onset_date", sa.Date, nullable=True),
    )
    op.create_table(
        "coach_checkins",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_id(),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("pain_score", sa.Float, nullable=True),
        sa.Column("location", sa.String(32), nullable=True),
        sa.Column("side", sa.String(16), nullable=True),
        sa.Column("symptoms", sa.String(255), nullable=False),
        sa.Column("trend", sa.String(16), nullable=True),
        sa.Column("direction", sa.String(16), nullable=False),
    )
    op.create_table(
        "coach_activities",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_id(),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("minutes", sa.Float, nullable=True),
        sa.Column("exercise_id", sa.String(64), nullable=True),
    )
    op.create_table(
        "coach_sleep_logs",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_id(),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("quality", sa.String(16), nullable=False),
        sa.Column("hours", sa.Float, nullable=True),
    )
    op.create_table(
        "coach_escalations",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_id(),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("tier", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("resolved_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "coach_reminders",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_id(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at_time", sa.Time, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("user_id", "kind", name="uq_reminder_kind"),
    )
    for table in ("checkins", "activities", "sleep_logs", "escalations", "reminders"):
        op.create_index(f"ix_coach_{table}_user_id", f"coach_{table}", ["user_id"])
    op.create_index("ix_coach_checkins_at", "coach_checkins", ["at"])
    op.create_index("ix_coach_activities_at", "coach_activities", ["at"])


def downgrade() -> None:
    for table in ("reminders", "escalations", "sleep_logs", "activities", "checkins", "users"):
        op.drop_table(f"coach_{table}")
