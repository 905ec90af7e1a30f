"""Telegram update ids already taken, shared by every instance (the webhook's dedup).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coach_telegram_updates",
        sa.Column("bot_id", sa.String(32), nullable=False),
        sa.Column("update_id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name="pk_coach_telegram_updates"),
    )
    op.create_index("ix_coach_telegram_updates_received_at", "coach_telegram_updates", ["received_at"])


def downgrade() -> None:
    op.drop_table("coach_telegram_updates")
