"""Alembic migrations against empty databases: SQLite always, PostgreSQL when configured.

Each test gets a database of its own (a new SQLite file, or a new PostgreSQL schema that is
dropped afterwards), so upgrades and downgrades start from nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import exc, inspect, text

from services import fulltext
from services.db import make_engine
from services.models import Base
from tests.pgschema import PG_URL, pg_schema
from tracker_app import migrate

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
MODEL_TABLES = set(Base.metadata.tables)


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with pg_schema("mig") as url:
        yield url


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return {n for n in names if not n.startswith(fulltext.FTS)}  # SQLite's search index
    finally:
        engine.dispose()


def _diff(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            opts = {"compare_type": True, "include_object": fulltext.not_in_models}
            ctx = MigrationContext.configure(conn, opts=opts)
            return compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()


def test_head_is_a_single_known_revision():
    head = migrate.head()
    assert head is not None
    cfg = migrate.alembic_config("sqlite:///unused.db")
    assert cfg.get_main_option("script_location") == migrate.SCRIPT_LOCATION


def test_empty_database_has_no_revision(empty_url):
    assert migrate.current(empty_url) is None
    assert _tables(empty_url) == set()


def test_upgrade_creates_every_model_table(empty_url):
    migrate.upgrade(empty_url)
    assert migrate.current(empty_url) == migrate.head()
    assert _tables(empty_url) == MODEL_TABLES


def test_upgrade_twice_is_harmless(empty_url):
    migrate.upgrade(empty_url)
    migrate.upgrade(empty_url)
    assert migrate.current(empty_url) == migrate.head()
    assert _tables(empty_url) == MODEL_TABLES


def test_migrations_match_the_models(empty_url):
    migrate.upgrade(empty_url)
    assert _diff(empty_url) == []


def test_diff_check_notices_a_missing_table(empty_url):
    # The comparison above is only meaningful if it can see a difference.
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE daily_stats"))
    engine.dispose()
    added = [item[1].name for item in _diff(empty_url) if item[0] == "add_table"]
    assert added == ["daily_stats"]


def test_downgrade_to_base_removes_everything_and_upgrade_works_again(empty_url):
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "base")
    assert migrate.current(empty_url) is None
    assert _tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert migrate.current(empty_url) == migrate.head()
    assert _tables(empty_url) == MODEL_TABLES
    assert _diff(empty_url) == []


# --- constraints are real --------------------------------------------------------------------

USER_SQL = text(
    "INSERT INTO users (email, full_name, role, is_active, password_hash, token_version, "
    "failed_logins, created_at, updated_at) VALUES (:email, 'U', :role, :active, 'x', 1, 0, "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
ISSUE_SQL = text(
    "INSERT INTO issues (title, description, description_html, severity, status, reporter_id, "
    "version, created_at, updated_at) VALUES ('t', '', '', :severity, :status, :reporter, 1, "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


@pytest.fixture
def migrated(empty_url) -> Iterator:
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()


def _add_user(engine, role="REPORTER") -> int:
    email = f"u{secrets.token_hex(4)}@example.com"
    with engine.begin() as conn:
        conn.execute(USER_SQL, {"email": email, "role": role, "active": True})
        return conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": email}).scalar()


def _add_issue(engine, reporter, status="OPEN", severity="LOW") -> None:
    with engine.begin() as conn:
        conn.execute(ISSUE_SQL, {"status": status, "severity": severity, "reporter": reporter})


def _issue_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM issues")).scalar()


def test_valid_issue_row_is_accepted(migrated):
    _add_issue(migrated, _add_user(migrated), status="IN_PROGRESS", severity="CRITICAL")
    assert _issue_count(migrated) == 1


@pytest.mark.parametrize(
    ("status", "severity"), [("BOGUS", "LOW"), ("open", "LOW"), ("OPEN", "BOGUS")]
)
def test_check_constraints_refuse_unknown_enum_values(migrated, status, severity):
    reporter = _add_user(migrated)
    with pytest.raises(exc.IntegrityError):
        _add_issue(migrated, reporter, status=status, severity=severity)
    assert _issue_count(migrated) == 0


def test_check_constraint_refuses_unknown_role(migrated):
    with pytest.raises(exc.IntegrityError):
        _add_user(migrated, role="SUPERUSER")


def test_foreign_key_refuses_unknown_reporter(migrated):
    with pytest.raises(exc.IntegrityError):
        _add_issue(migrated, reporter=424242)
    assert _issue_count(migrated) == 0


# --- ids are never reused ---------------------------------------------------------------------

COMMENT_SQL = text(
    "INSERT INTO comments (issue_id, author_id, body, body_html, created_at) "
    "VALUES (:issue, :author, 'b', '<p>b</p>', CURRENT_TIMESTAMP)"
)
ACTIVITY_SQL = text(
    "INSERT INTO activity (issue_id, reporter_id, actor_id, verb, field, new_value, created_at) "
    "VALUES (:issue, :reporter, :reporter, :verb, '', :value, CURRENT_TIMESTAMP)"
)
SESSION_SQL = text(
    "INSERT INTO login_sessions (token_hash, user_id, created_at, last_seen_at, expires_at, "
    "user_agent) VALUES (:hash, :user, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
    "CURRENT_TIMESTAMP, '')"
)


def _new_id(engine, sql, params, table) -> int:
    with engine.begin() as conn:
        conn.execute(sql, params)
        return conn.execute(text(f"SELECT MAX(id) FROM {table}")).scalar()  # noqa: S608


def _everything(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {
            table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))]  # noqa: S608
            for table in sorted(MODEL_TABLES)
            if table in inspect(conn).get_table_names()
        }


def test_upgrading_keeps_every_row_and_never_hands_out_a_deleted_id(empty_url):
    migrate.upgrade(empty_url, "0003")
    engine = make_engine(empty_url)
    reporter = _add_user(engine)
    _add_issue(engine, reporter)
    doomed = _new_id(
        engine, ISSUE_SQL, {"status": "OPEN", "severity": "LOW", "reporter": reporter}, "issues"
    )
    comment = _new_id(engine, COMMENT_SQL, {"issue": doomed, "author": reporter}, "comments")
    with engine.begin() as conn:
        for verb, value in (("created", "LOW"), ("commented", str(comment)), ("deleted", None)):
            conn.execute(
                ACTIVITY_SQL, {"issue": doomed, "reporter": reporter, "verb": verb, "value": value}
            )
        conn.execute(SESSION_SQL, {"hash": "h" * 64, "user": reporter})
        conn.execute(text("DELETE FROM issues WHERE id = :id"), {"id": doomed})  # and its comment
    before = _everything(engine)
    engine.dispose()

    migrate.upgrade(empty_url)

    engine = make_engine(empty_url)
    after = _everything(engine)
    # users, sessions, issues, activity: kept (later migrations add columns at the end)
    assert {
        t: [r[: len(rows[0])] for r in after[t]] if rows else after[t] for t, rows in before.items()
    } == before
    assert before["login_sessions"] and before["activity"] and not before["comments"]
    fresh = _new_id(
        engine, ISSUE_SQL, {"status": "OPEN", "severity": "LOW", "reporter": reporter}, "issues"
    )
    assert fresh > doomed
    assert _new_id(engine, COMMENT_SQL, {"issue": fresh, "author": reporter}, "comments") > comment
    with pytest.raises(exc.IntegrityError):  # the foreign keys survived the copy
        _add_issue(engine, reporter=424242)
    with pytest.raises(exc.IntegrityError):  # and the CHECK constraints
        _add_issue(engine, reporter, status="BOGUS")
    with engine.begin() as conn:  # and ON DELETE CASCADE
        conn.execute(text("DELETE FROM issues WHERE id = :id"), {"id": fresh})
        assert conn.execute(text("SELECT COUNT(*) FROM comments")).scalar() == 0
    engine.dispose()


def test_every_integer_id_is_autoincrement_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'ids.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        tables = dict(
            conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
        )
    engine.dispose()
    with_ids = {name for name, table in Base.metadata.tables.items() if "id" in table.c}
    assert with_ids and with_ids <= set(tables)
    assert [name for name in sorted(with_ids) if "AUTOINCREMENT" not in tables[name]] == []


# --- saved views (0012) -----------------------------------------------------------------------

VIEW_SQL = text(
    "INSERT INTO saved_views (owner_id, name, name_key, query, shared, created_at, updated_at) "
    "VALUES (:owner, :name, :key, '', :shared, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


def _add_view(engine, owner: int, name: str, shared: bool = False) -> None:
    with engine.begin() as conn:
        conn.execute(
            VIEW_SQL, {"owner": owner, "name": name, "key": name.casefold(), "shared": shared}
        )


def test_a_view_name_is_unique_per_owner_and_goes_with_its_owner(migrated):
    ana, bob = _add_user(migrated), _add_user(migrated)
    _add_view(migrated, ana, "Triage")
    _add_view(migrated, bob, "triage", shared=True)  # another owner
    with pytest.raises(exc.IntegrityError):
        _add_view(migrated, ana, "TRIAGE")  # the same key
    with pytest.raises(exc.IntegrityError):
        _add_view(migrated, 424242, "Nobody's")
    with migrated.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": ana})
        owners = conn.execute(text("SELECT owner_id FROM saved_views")).scalars().all()
    assert owners == [bob]


# The tables of the later revisions, each by the revision that adds it.
ADDED_BY = {
    "saved_views": "0012",
    "api_tokens": "0013",
    "issue_texts": "0014",
    "issue_counts": "0015",
}


def _tables_at(revision: str) -> set[str]:
    return MODEL_TABLES - {t for t, added in ADDED_BY.items() if added > revision}


@pytest.mark.parametrize("revision", ["0012", "0013", "0014", "0015"])
def test_each_later_table_comes_and_goes_with_its_revision_alone(empty_url, revision):
    before = f"{int(revision) - 1:04d}"
    migrate.upgrade(empty_url, before)
    assert _tables(empty_url) == _tables_at(before)
    migrate.upgrade(empty_url, revision)
    assert _tables(empty_url) == _tables_at(revision)
    migrate.downgrade(empty_url, before)
    assert _tables(empty_url) == _tables_at(before)


def test_0014_indexes_the_issues_already_there_and_goes_away_whole(empty_url):
    migrate.upgrade(empty_url, "0013")
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        reporter = conn.execute(
            USER_SQL, {"email": "r@example.com", "role": "REPORTER", "active": True}
        ).lastrowid
        reporter = reporter or conn.scalar(text("SELECT id FROM users"))
        conn.execute(ISSUE_SQL, {"severity": "LOW", "status": "OPEN", "reporter": reporter})
        conn.execute(
            text("UPDATE issues SET title = 'Checkout CRASHES', description = 'on Ünïcode'")
        )
        conn.execute(
            text(
                "INSERT INTO comments (issue_id, author_id, body, body_html, created_at) "
                "SELECT id, :r, 'seen in Safari', '', CURRENT_TIMESTAMP FROM issues"
            ),
            {"r": reporter},
        )
    engine.dispose()
    migrate.upgrade(empty_url, "0014")
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        title, body = conn.execute(text("SELECT title, body FROM issue_texts")).one()
    engine.dispose()
    assert title == "checkout crashes"
    assert body.split("\n") == ["checkout crashes", "on ünïcode", "seen in safari"]
    migrate.downgrade(empty_url, "0013")
    engine = make_engine(empty_url)
    try:
        assert "issue_texts" not in inspect(engine).get_table_names()
        leftovers = [n for n in inspect(engine).get_table_names() if "issue_texts" in n]
        assert leftovers == []
    finally:
        engine.dispose()
