"""One check-in per local day, what set off or eased spreading pain, cautions, onset asked once.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coach_users") as batch:
        batch.add_column(sa.Column("cautions", sa.String(255), nullable=False, server_default=""))
        batch.add_column(sa.Column("onset_asked_at", sa.DateTime, nullable=True))
    with op.batch_alter_table("coach_checkins") as batch:
        batch.add_column(sa.Column("local_date", sa.Date, nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime, nullable=True))
    op.execute("UPDATE coach_checkins SET local_date = DATE(at) WHERE local_date IS NULL")
    op.create_index("ix_coach_checkins_user_day", "coach_checkins", ["user_id", "local_date"])
    op.create_table(
        "coach_movement_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("coach_users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("effect", sa.String(16), nullable=False),
        sa.Column("movement", sa.String(64), nullable=False),
    )
    op.create_index("ix_coach_movement_notes_user_id", "coach_movement_notes", ["user_id"])


def downgrade() -> None:
    op.drop_table("coach_movement_notes")
    op.drop_index("ix_coach_checkins_user_day", "coach_checkins")
    with op.batch_alter_table("coach_checkins") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("local_date")
    with op.batch_alter_table("coach_users") as batch:
        batch.drop_column("onset_asked_at")
        batch.drop_column("cautions")
