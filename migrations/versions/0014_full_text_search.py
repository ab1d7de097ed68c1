"""issue_texts: full-text search (pg_trgm GIN indexes on PostgreSQL, FTS5 trigram on SQLite)

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issue_texts",
        sa.Column("issue_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["issues.id"],
            name=op.f("fk_issue_texts_issue_id_issues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issue_id", name=op.f("pk_issue_texts")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        ops = f"{_trigram_schema(bind)}.gin_trgm_ops"
        for name in ("title", "body"):
            op.execute(
                f"CREATE INDEX ix_issue_texts_{name}_trgm ON issue_texts USING gin ({name} {ops})"
            )
    else:
        _sqlite_fts()
    # Fill it from what is there (the text read from files included).
    import services.intake  # noqa: F401  (registers the text read from files)
    from services import fulltext

    fulltext.rebuild(bind)
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE issue_texts")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS issue_texts_{trigger}")
        op.execute("DROP TABLE IF EXISTS issue_texts_fts")
    op.drop_table("issue_texts")  # its indexes go with it


def _trigram_schema(bind: sa.Connection) -> str:
    """The schema of pg_trgm, installed in `public` when it is not there yet (not in the
    first schema of the search path: dropping that schema would take it from everyone)."""
    where = "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    schema = bind.scalar(sa.text(where))
    if schema is None:
        try:
            with bind.begin_nested():  # another migration may install it at the same moment
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        except sa.exc.DBAPIError:
            pass
        schema = bind.scalar(sa.text(where))
        if schema is None:
            raise RuntimeError(
                "Full-text search needs PostgreSQL's pg_trgm extension (it ships with "
                "PostgreSQL): run `CREATE EXTENSION pg_trgm;` as a superuser, then migrate."
            )
    return '"' + schema.strip('"') + '"'


def _sqlite_fts() -> None:
    """An FTS5 index over issue_texts (external content), kept in step by triggers."""
    op.execute(
        "CREATE VIRTUAL TABLE issue_texts_fts USING fts5(title, body, content='issue_texts', "
        "content_rowid='issue_id', tokenize='trigram')"
    )
    add = "INSERT INTO issue_texts_fts(rowid, title, body) "
    add += "VALUES (new.issue_id, new.title, new.body);"
    drop = "INSERT INTO issue_texts_fts(issue_texts_fts, rowid, title, body) "
    drop += "VALUES ('delete', old.issue_id, old.title, old.body);"
    op.execute(f"CREATE TRIGGER issue_texts_ai AFTER INSERT ON issue_texts BEGIN {add} END")
    op.execute(f"CREATE TRIGGER issue_texts_ad AFTER DELETE ON issue_texts BEGIN {drop} END")
    op.execute(f"CREATE TRIGGER issue_texts_au AFTER UPDATE ON issue_texts BEGIN {drop} {add} END")
