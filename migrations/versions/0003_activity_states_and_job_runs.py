"""activity rows keep the issue's state before/after; job_runs

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATE_COLUMNS = ("status_before", "severity_before", "status_after", "severity_after")


def upgrade() -> None:
    with op.batch_alter_table("activity") as batch:
        for name in STATE_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=20), nullable=True))
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    op.create_index("ix_job_runs_name_started", "job_runs", ["name", "started_at"])
    _replay_states()


def downgrade() -> None:
    op.drop_index("ix_job_runs_name_started", table_name="job_runs")
    op.drop_table("job_runs")
    with op.batch_alter_table("activity") as batch:
        for name in STATE_COLUMNS:
            batch.drop_column(name)


def _replay_states() -> None:
    """Fill the new columns of existing rows by replaying each issue's history."""
    bind = op.get_bind()
    activity = sa.table(
        "activity",
        sa.column("id"),
        sa.column("issue_id"),
        sa.column("verb"),
        sa.column("field"),
        sa.column("new_value"),
        sa.column("created_at"),
        *(sa.column(name) for name in STATE_COLUMNS),
    )
    rows = bind.execute(
        sa.select(
            activity.c.id,
            activity.c.issue_id,
            activity.c.verb,
            activity.c.field,
            activity.c.new_value,
        ).order_by(activity.c.issue_id, activity.c.created_at, activity.c.id)
    )
    updates, state, current = [], None, None
    for row_id, issue_id, verb, field, new_value in rows:
        if issue_id != current:
            current, state = issue_id, None
        before = state
        if verb == "created":
            state = ("OPEN", new_value)
        elif verb == "status" and state:
            state = (new_value, state[1])
        elif verb == "edited" and field == "severity" and state:
            state = (state[0], new_value)
        elif verb == "deleted":
            state = None
        updates.append(
            {
                "row_id": row_id,
                "sb": before[0] if before else None,
                "vb": before[1] if before else None,
                "sa": state[0] if state else None,
                "va": state[1] if state else None,
            }
        )
    if updates:
        bind.execute(
            activity.update()
            .where(activity.c.id == sa.bindparam("row_id"))
            .values(
                status_before=sa.bindparam("sb"),
                severity_before=sa.bindparam("vb"),
                status_after=sa.bindparam("sa"),
                severity_after=sa.bindparam("va"),
            ),
            updates,
        )
