"""activity: an index by actor and time, for the per-user write limits

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Each write counts its author's rows of the last hour (services.quotas); by time alone
    # that read every user's rows of the hour.
    op.create_index("ix_activity_actor_id_created_at", "activity", ["actor_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_activity_actor_id_created_at", table_name="activity")
