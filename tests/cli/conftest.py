"""Fixtures for the `tracker` command line: a clean environment, a runner, checks on the DB."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

import services
from services import events
from tests.pgschema import PG_URL, pg_schema
from tracker_app import cli

SETTINGS_VARS = (
    "TRACKER_DATA_DIR",
    "TRACKER_DATABASE_URL",
    "TRACKER_REDIS_URL",
    "TRACKER_SECRET_KEY",
    "TRACKER_ENV",
    "TRACKER_UPLOAD_DIR",
    "TRACKER_MAX_UPLOAD_MB",
    "TRACKER_ALLOW_SIGNUP",
)
requires_pg = pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No TRACKER_* setting from the outside; TRACKER_DATA_DIR is an empty dir; cwd is tmp."""
    for name in SETTINGS_VARS:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "data"
    monkeypatch.setenv("TRACKER_DATA_DIR", str(path))
    monkeypatch.chdir(tmp_path)
    return path


@pytest.fixture
def tracker(data_dir: Path) -> Callable[..., Result]:
    """Run `tracker ARGS...` in-process; keyword arguments are extra environment variables."""
    runner = CliRunner()

    def run(*args: str, **env: str) -> Result:
        return runner.invoke(cli.main, list(args), env=env or None)

    return run


@pytest.fixture
def db_session(data_dir: Path) -> Callable[[], AbstractContextManager[Session]]:
    """A session on the data dir's SQLite file, as a later `tracker` command would see it."""

    def open_session() -> AbstractContextManager[Session]:
        services.connect(
            f"sqlite:///{data_dir / 'tracker.db'}",
            upload_dir=data_dir / "uploads",
            secret_key="test-" + secrets.token_hex(16),
        )
        return services.session()

    return open_session


def disconnect() -> None:
    with contextlib.suppress(RuntimeError):  # never connected
        services.runtime().engine.dispose()
    events.configure_bus(None)


@pytest.fixture(autouse=True)
def _disconnect() -> Iterator[None]:
    """Commands connect the services module; leave no engine or bus behind."""
    yield
    disconnect()


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A PostgreSQL URL on a new, empty (un-migrated) schema, dropped afterwards."""
    if not PG_URL:
        pytest.skip("TRACKER_TEST_DATABASE_URL is not set")
    with pg_schema("cli", before_drop=disconnect) as url:
        yield url


def assert_clean_error(result: Result, *needles: str) -> None:
    """Exit 1 with a one-line `Error: ...` that click printed: no traceback, no crash."""
    assert result.exit_code == 1, result.output
    # An unhandled exception would be kept here instead of click's SystemExit.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: "), result.output
    for needle in needles:
        assert needle in lines[0]
