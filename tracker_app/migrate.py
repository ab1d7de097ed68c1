"""Run Alembic programmatically against the configured database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

import migrations
from services.db import make_engine

SCRIPT_LOCATION = str(Path(migrations.__file__).parent)


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    _with_connection(database_url, lambda cfg: command.upgrade(cfg, revision))


def downgrade(database_url: str, revision: str) -> None:
    _with_connection(database_url, lambda cfg: command.downgrade(cfg, revision))


def current(database_url: str) -> str | None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head() -> str | None:
    return ScriptDirectory(SCRIPT_LOCATION).get_current_head()


def revision(database_url: str, message: str) -> None:
    """Autogenerate a new revision from the difference between models and database."""
    _with_connection(
        database_url, lambda cfg: command.revision(cfg, message=message, autogenerate=True)
    )


def _with_connection(database_url: str, run) -> None:  # type: ignore[no-untyped-def]
    # Our engine (SQLite: WAL, busy timeout, transactional DDL) rather than Alembic's own.
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                _foreign_keys_off(conn)
            with conn.begin():
                cfg = alembic_config(database_url)
                cfg.attributes["connection"] = conn
                run(cfg)
                if sqlite:
                    _check_foreign_keys(conn)
    finally:
        engine.dispose()  # the connection without foreign key checks goes with its pool


def _foreign_keys_off(conn: Connection) -> None:
    """SQLite changes a table by copying it into a new one and dropping the old (Alembic's
    batch mode); with foreign keys on, that drop would run every ON DELETE CASCADE of the
    rows it removes (an issue's comments, a user's sessions) or be refused. The pragma only
    works outside a transaction, so it goes to the driver before SQLAlchemy begins one."""
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    dbapi.execute("PRAGMA foreign_keys=OFF")


def _check_foreign_keys(conn: Connection) -> None:
    """With the checks off, make sure the migrations left no dangling reference (any
    problem rolls the whole upgrade back)."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
