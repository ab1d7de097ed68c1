"""duplicates and similarity: issues.duplicate_of, issues.affected, issue_vectors

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_issues_duplicate_of_issues"


def upgrade() -> None:
    if _sqlite():
        with _keeping_deleted_ids(), _issues_copy() as batch:
            batch.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
            batch.create_foreign_key(FK, "issues", ["duplicate_of"], ["id"], ondelete="SET NULL")
    else:
        op.add_column("issues", sa.Column("duplicate_of", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "issues", "issues", ["duplicate_of"], ["id"], ondelete="SET NULL")
    op.add_column("issues", sa.Column("affected", sa.Integer(), nullable=False, server_default="1"))
    op.create_index(op.f("ix_issues_duplicate_of"), "issues", ["duplicate_of"], unique=False)
    op.create_index(op.f("ix_issues_affected"), "issues", ["affected"], unique=False)
    op.create_table(
        "issue_vectors",
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("title_vec", sa.LargeBinary(), nullable=False),
        sa.Column("body_vec", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["issues.id"],
            name=op.f("fk_issue_vectors_issue_id_issues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issue_id", name=op.f("pk_issue_vectors")),
    )
    op.create_index(
        op.f("ix_issue_vectors_updated_at"), "issue_vectors", ["updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_issue_vectors_updated_at"), table_name="issue_vectors")
    op.drop_table("issue_vectors")
    op.drop_index(op.f("ix_issues_affected"), table_name="issues")
    op.drop_index(op.f("ix_issues_duplicate_of"), table_name="issues")
    if _sqlite():
        with _keeping_deleted_ids(), _issues_copy() as batch:
            batch.drop_constraint(FK, type_="foreignkey")
            batch.drop_column("affected")
            batch.drop_column("duplicate_of")
    else:
        op.drop_constraint(FK, "issues", type_="foreignkey")
        op.drop_column("issues", "affected")
        op.drop_column("issues", "duplicate_of")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _issues_copy() -> Any:
    """SQLite changes a table's constraints by copying it (ids stay AUTOINCREMENT, 0004)."""
    return op.batch_alter_table(
        "issues", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    )


@contextmanager
def _keeping_deleted_ids() -> Iterator[None]:
    """The copy starts the id sequence at the largest id left; ids deleted above it must
    still never be handed out again (0004)."""
    bind = op.get_bind()
    highest = bind.scalar(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'issues'")) or 0
    yield
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'issues'"))
    bind.execute(
        sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('issues', :seq)"),
        {"seq": highest},
    )
