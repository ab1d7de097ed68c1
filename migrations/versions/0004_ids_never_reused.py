"""ids are never reused: AUTOINCREMENT on SQLite

Revision ID: 0004
Revises: 0003

Without AUTOINCREMENT, SQLite hands the id of the newest row out again once that row is
deleted, and activity rows outlive their issue on purpose: a new issue showed the deleted
one's history. Each table with an integer id is recreated with AUTOINCREMENT (batch mode
copies rows, indexes, foreign keys and CHECK constraints; `tracker_app.migrate` turns
SQLite's foreign key actions off meanwhile, so dropping the old copy cascades nothing).
PostgreSQL's sequences never hand an id out twice: nothing to do there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "users",
    "login_sessions",
    "tags",
    "issues",
    "attachments",
    "comments",
    "activity",
    "job_runs",
    "daily_stats",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        _recreate(table, autoincrement=True)
    _start_above_deleted_ids()


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        _recreate(table, autoincrement=False)


def _recreate(table: str, *, autoincrement: bool) -> None:
    with op.batch_alter_table(
        table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def _start_above_deleted_ids() -> None:
    """The copy starts each sequence at the table's largest id, but ids deleted earlier may
    be larger: the activity table still names them (issue ids, and comment ids in its
    'commented' rows), and none of them may be handed out again."""
    bind = op.get_bind()
    activity = sa.table(
        "activity", sa.column("issue_id"), sa.column("verb"), sa.column("new_value")
    )
    named = {
        "issues": sa.select(sa.func.max(activity.c.issue_id)),
        "comments": sa.select(sa.func.max(sa.cast(activity.c.new_value, sa.Integer))).where(
            activity.c.verb == "commented"
        ),
    }
    sequence = sa.table("sqlite_sequence", sa.column("name"), sa.column("seq"))
    for table, in_history in named.items():
        rows = sa.table(table, sa.column("id"))
        highest = max(
            bind.scalar(sa.select(sa.func.max(rows.c.id))) or 0, bind.scalar(in_history) or 0
        )
        bind.execute(sequence.delete().where(sequence.c.name == table))
        bind.execute(sequence.insert().values(name=table, seq=highest))
