"""Run Alembic programmatically against the configured database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

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
        with engine.begin() as conn:
            cfg = alembic_config(database_url)
            cfg.attributes["connection"] = conn
            run(cfg)
    finally:
        engine.dispose()
