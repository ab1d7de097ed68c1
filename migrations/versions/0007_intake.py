"""analyses and crash_signatures: attachments and texts read in the background

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("pending", "done", "failed", "skipped")
SOURCES = ("attachment", "description", "comment")


def _now() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                *SOURCES,
                name="analysis_source",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                *STATUSES,
                name="analysis_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("extractor", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("corrections", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("secrets_masked", sa.Integer(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _now(),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_analyses_attachment_id_attachments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_analyses_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["issues.id"],
            name=op.f("fk_analyses_issue_id_issues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analyses")),
        sa.UniqueConstraint("source", "source_id", name=op.f("uq_analyses_source")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("analyses") as batch:
        batch.create_index("ix_analyses_issue_id", ["issue_id"], unique=False)
        batch.create_index("ix_analyses_status_created_at", ["status", "created_at"], unique=False)
        batch.create_index(batch.f("ix_analyses_attachment_id"), ["attachment_id"], unique=False)
        batch.create_index(batch.f("ix_analyses_comment_id"), ["comment_id"], unique=False)
    op.create_table(
        "crash_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("exception", sa.String(length=300), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("top_frame", sa.String(length=500), nullable=False),
        _now(),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analyses.id"],
            name=op.f("fk_crash_signatures_analysis_id_analyses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["issues.id"],
            name=op.f("fk_crash_signatures_issue_id_issues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crash_signatures")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("crash_signatures") as batch:
        batch.create_index(
            "ix_crash_signatures_fingerprint_issue_id", ["fingerprint", "issue_id"], unique=False
        )
        batch.create_index(
            batch.f("ix_crash_signatures_analysis_id"), ["analysis_id"], unique=False
        )
        batch.create_index(batch.f("ix_crash_signatures_issue_id"), ["issue_id"], unique=False)


def downgrade() -> None:
    op.drop_table("crash_signatures")
    op.drop_table("analyses")
