"""Nudges: preferences on the person (zone, quiet hours, pause, channel) and the outbox.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_USER_COLUMNS = (
    ("time_zone", sa.String(64)), ("zone_asked_at", sa.DateTime), ("quiet_start", sa.Time),
    ("quiet_end", sa.Time), ("paused_until", sa.Date), ("channel", sa.String(32)),
    ("chat_id", sa.String(255)), ("unreachable_at", sa.DateTime), ("last_message_at", sa.DateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("coach_users") as batch:
        for name, type_ in _USER_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("coach_reminders") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime, nullable=True))
    op.create_table(
        "coach_nudges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("coach_users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("message_kind", sa.String(16), nullable=True),
        sa.Column("variant", sa.Integer, nullable=True),
        sa.Column("payload", sa.String(255), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=True),
        sa.Column("sent_at", sa.DateTime, nullable=True),
        sa.Column("shown_at", sa.DateTime, nullable=True),
        sa.UniqueConstraint("user_id", "kind", "local_date", name="uq_nudge_user_kind_day"),
    )
    op.create_index("ix_coach_nudges_user_id", "coach_nudges", ["user_id"])
    op.create_index("ix_coach_nudges_status_due", "coach_nudges", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("coach_nudges")
    with op.batch_alter_table("coach_reminders") as batch:
        batch.drop_column("updated_at")
    with op.batch_alter_table("coach_users") as batch:
        for name, _ in reversed(_USER_COLUMNS):
            batch.drop_column(name)
