"""(user_id, at) indexes on the log tables: a turn reads one person's recent logs
and a few landmarks of the rest (bot.store.CoachStore.profile), not the whole history.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_coach_checkins_user_at", "coach_checkins"),
    ("ix_coach_activities_user_at", "coach_activities"),
    ("ix_coach_sleep_logs_user_at", "coach_sleep_logs"),
    ("ix_coach_movement_notes_user_at", "coach_movement_notes"),
)


def upgrade() -> None:
    for name, table in INDEXES:
        op.create_index(name, table, ["user_id", "at"])


def downgrade() -> None:
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
