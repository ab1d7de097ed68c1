"""issues: an index by status and filing time, for the oldest issues of a status

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The insights' "oldest open" and the list of one status sorted by age walked the time
    # index past every closed issue (most of the old ones), or sorted every issue of the status.
    op.create_index("ix_issues_status_created", "issues", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_issues_status_created", table_name="issues")
