"""resolutions: how a DONE issue ended (fixed, wont_fix, duplicate, invalid, withdrawn)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESOLUTIONS = ("fixed", "wont_fix", "duplicate", "invalid", "withdrawn")


def upgrade() -> None:
    # A plain ADD COLUMN: no copy of the issues table (see 0004). SQLite takes the CHECK
    # inline, where alembic would skip it.
    if op.get_bind().dialect.name == "sqlite":
        allowed = ", ".join(f"'{r}'" for r in RESOLUTIONS)
        op.execute(
            "ALTER TABLE issues ADD COLUMN resolution VARCHAR(20) "
            f"CONSTRAINT ck_issues_resolution CHECK (resolution IN ({allowed}))"
        )
    else:
        _add_column()
    # Issues already DONE were, as far as anyone recorded, fixed.
    issues = sa.table("issues", sa.column("status"), sa.column("resolution"))
    op.execute(issues.update().where(issues.c.status == "DONE").values(resolution="fixed"))


def _add_column() -> None:
    op.add_column(
        "issues",
        sa.Column(
            "resolution",
            sa.Enum(
                *RESOLUTIONS,
                name="resolution",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("issues", "resolution")  # its CHECK goes with it
        return
    with op.batch_alter_table("issues", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("resolution", type_="check")  # ck_issues_resolution
        batch.drop_column("resolution")
