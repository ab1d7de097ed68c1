"""issue_counts: per-(status, severity) counts kept by triggers, for everyone and per reporter

Revision ID: 0015
Revises: 0014
"""

# ruff: noqa: S608  (the SQL below is built from constants of this file only)
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "INSERT INTO issue_counts (reporter_id, status, severity, n) "
# PostgreSQL: statement triggers with transition tables, so a bulk load (COPY) or a bulk
# UPDATE adds a few grouped rows, not one per issue. Rows whose count did not move (an edit
# of the title, a new updated_at) add nothing.
PG_FUNCTIONS = {
    "added": COLUMNS + "SELECT r, status, severity, count(*) FROM new_rows, "
    "LATERAL (VALUES (0), (reporter_id)) AS who(r) GROUP BY r, status, severity",
    "removed": COLUMNS + "SELECT r, status, severity, -count(*) FROM old_rows, "
    "LATERAL (VALUES (0), (reporter_id)) AS who(r) GROUP BY r, status, severity",
    "changed": COLUMNS + "SELECT r, status, severity, sum(n) FROM ("
    " SELECT o.status, o.severity, o.reporter_id, -1 AS n FROM old_rows o JOIN new_rows w"
    " ON w.id = o.id WHERE (o.status, o.severity, o.reporter_id)"
    " IS DISTINCT FROM (w.status, w.severity, w.reporter_id)"
    " UNION ALL"
    " SELECT w.status, w.severity, w.reporter_id, 1 FROM old_rows o JOIN new_rows w"
    " ON w.id = o.id WHERE (o.status, o.severity, o.reporter_id)"
    " IS DISTINCT FROM (w.status, w.severity, w.reporter_id)"
    ") AS moved, LATERAL (VALUES (0), (reporter_id)) AS who(r) GROUP BY r, status, severity",
}
PG_TRIGGERS = {
    "added": "AFTER INSERT ON issues REFERENCING NEW TABLE AS new_rows",
    "removed": "AFTER DELETE ON issues REFERENCING OLD TABLE AS old_rows",
    "changed": "AFTER UPDATE ON issues REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
SQLITE_ADD = "(0, new.status, new.severity, 1), (new.reporter_id, new.status, new.severity, 1)"
SQLITE_REMOVE = "(0, old.status, old.severity, -1), (old.reporter_id, old.status, old.severity, -1)"
SQLITE_TRIGGERS = {
    "added": f"AFTER INSERT ON issues BEGIN {COLUMNS} VALUES {SQLITE_ADD}; END",
    "removed": f"AFTER DELETE ON issues BEGIN {COLUMNS} VALUES {SQLITE_REMOVE}; END",
    "changed": "AFTER UPDATE OF status, severity, reporter_id ON issues "
    "WHEN old.status IS NOT new.status OR old.severity IS NOT new.severity "
    "OR old.reporter_id IS NOT new.reporter_id "
    f"BEGIN {COLUMNS} VALUES {SQLITE_REMOVE}, {SQLITE_ADD}; END",
}


def upgrade() -> None:
    op.create_table(
        "issue_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_counts")),
        sqlite_autoincrement=True,  # the fold counts on ids that only grow
    )
    with op.batch_alter_table("issue_counts") as batch:
        batch.create_index("ix_issue_counts_reporter_id", ["reporter_id"], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("LOCK TABLE issues IN SHARE ROW EXCLUSIVE MODE")  # no change slips between
    for name in PG_TRIGGERS:
        if postgres:
            op.execute(
                f"CREATE FUNCTION issue_counts_{name}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN {PG_FUNCTIONS[name]}; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER issue_counts_{name} {PG_TRIGGERS[name]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION issue_counts_{name}()"
            )
        else:
            op.execute(f"CREATE TRIGGER issue_counts_{name} {SQLITE_TRIGGERS[name]}")
    op.execute(f"{COLUMNS} SELECT 0, status, severity, count(*) FROM issues GROUP BY 2, 3")
    op.execute(
        f"{COLUMNS} SELECT reporter_id, status, severity, count(*) FROM issues GROUP BY 1, 2, 3"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in PG_TRIGGERS:
        op.execute(
            f"DROP TRIGGER IF EXISTS issue_counts_{name}" + (" ON issues" if postgres else "")
        )
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS issue_counts_{name}()")
    op.drop_table("issue_counts")
