"""`tracker db ...`, `tracker create-admin/create-user` and settings errors, run in-process."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

import services
from services import Role
from tracker_app import migrate

from .conftest import assert_clean_error, requires_pg

HEAD = migrate.head()
GOOD_PASSWORD = "Plum-Orbit-Lantern-7"


def generated_password(result: Result) -> str:
    match = re.search(r"^Password: (\S+)$", result.output, re.MULTILINE)
    assert match, result.output
    return match.group(1)


@pytest.fixture
def migrated(tracker: Callable[..., Result]) -> None:
    result = tracker("db", "upgrade")
    assert result.exit_code == 0, result.output


# --- migrations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "backend",
    ["sqlite", pytest.param("postgresql", marks=requires_pg)],
)
def test_db_upgrade_downgrade_and_upgrade_again(
    backend: str, tracker: Callable[..., Result], data_dir: Path, request: pytest.FixtureRequest
) -> None:
    env = (
        {"TRACKER_DATABASE_URL": request.getfixturevalue("fresh_pg_url")}
        if backend != "sqlite"
        else {}
    )

    before = tracker("db", "current", **env)
    assert before.exit_code == 0, before.output
    assert "current: base (empty)" in before.output
    assert "run `tracker db upgrade`" in before.output

    up = tracker("db", "upgrade", **env)
    assert up.exit_code == 0, up.output
    assert f"Database at {HEAD}" in up.output
    if backend == "sqlite":
        assert (data_dir / "tracker.db").is_file()
    now = tracker("db", "current", **env)
    assert f"current: {HEAD}" in now.output
    assert "up to date" in now.output

    down = tracker("db", "downgrade", "base", **env)
    assert down.exit_code == 0, down.output
    assert "Database at base" in down.output
    after = tracker("db", "current", **env)
    assert "current: base (empty)" in after.output
    assert "up to date" not in after.output

    again = tracker("db", "upgrade", **env)
    assert again.exit_code == 0, again.output
    assert "up to date" in tracker("db", "current", **env).output
    # The schema is usable again, not just stamped.
    created = tracker("create-admin", "--email", "root@example.com", **env)
    assert created.exit_code == 0, created.output


# --- create-admin / create-user --------------------------------------------------------------


def test_create_admin_prints_a_generated_password_that_signs_in(
    tracker: Callable[..., Result], migrated: None, db_session: Callable
) -> None:
    result = tracker("create-admin", "--email", "Boss@Example.com")

    assert result.exit_code == 0, result.output
    assert "Created ADMIN boss@example.com" in result.output
    assert "shown only once" in result.output
    password = generated_password(result)
    with db_session() as s:
        actor = services.auth.authenticate(s, "boss@example.com", password)
    assert actor.role == Role.ADMIN
    assert actor.full_name == "Administrator"


def test_create_admin_with_a_password_uses_it_and_does_not_echo_it(
    tracker: Callable[..., Result], migrated: None, db_session: Callable
) -> None:
    result = tracker("create-admin", "--email", "boss@example.com", "--password", GOOD_PASSWORD)

    assert result.exit_code == 0, result.output
    assert "Password:" not in result.output
    assert GOOD_PASSWORD not in result.output
    with db_session() as s:
        actor = services.auth.authenticate(s, "boss@example.com", GOOD_PASSWORD)
    assert actor.role == Role.ADMIN


@pytest.mark.parametrize("role", ["maintainer", "MAINTAINER", "Maintainer"])
def test_create_user_accepts_the_role_in_any_case(
    role: str, tracker: Callable[..., Result], migrated: None, db_session: Callable
) -> None:
    result = tracker("create-user", "--email", "max@example.com", "--role", role)

    assert result.exit_code == 0, result.output
    assert "Created MAINTAINER max@example.com" in result.output
    with db_session() as s:
        actor = services.auth.authenticate(s, "max@example.com", generated_password(result))
    assert actor.role == Role.MAINTAINER


def test_create_user_refuses_an_unknown_role(
    tracker: Callable[..., Result], migrated: None, db_session: Callable
) -> None:
    result = tracker("create-user", "--email", "x@example.com", "--role", "superuser")

    assert result.exit_code == 2, result.output
    assert "Invalid value for '--role'" in result.output
    with db_session() as s:
        assert services.users.count_users(s) == 0


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "at least 8 characters"), ("password", "too common")],
)
def test_create_user_refuses_a_weak_password_with_one_line(
    password: str,
    reason: str,
    tracker: Callable[..., Result],
    migrated: None,
    db_session: Callable,
) -> None:
    result = tracker(
        "create-user", "--email", "w@example.com", "--role", "reporter", "--password", password
    )

    assert_clean_error(result, reason)
    with db_session() as s:
        assert services.users.count_users(s) == 0


def test_create_user_refuses_a_duplicate_email(
    tracker: Callable[..., Result], migrated: None, db_session: Callable
) -> None:
    first = tracker("create-admin", "--email", "ana@example.com", "--password", GOOD_PASSWORD)
    assert first.exit_code == 0, first.output

    again = tracker("create-user", "--email", "ANA@example.com", "--role", "reporter")

    assert_clean_error(again, "An account with this email already exists.")
    assert "Password:" not in again.output  # no password for an account that was not created
    with db_session() as s:
        assert services.users.count_users(s) == 1
        assert services.auth.authenticate(s, "ana@example.com", GOOD_PASSWORD).role == Role.ADMIN


def test_create_admin_on_a_fresh_data_dir_migrates_first(
    tracker: Callable[..., Result], db_session
) -> None:
    result = tracker("create-admin", "--email", "first@example.com", "--password", GOOD_PASSWORD)

    assert result.exit_code == 0, result.output
    with db_session() as s:
        assert services.auth.authenticate(s, "first@example.com", GOOD_PASSWORD).role == Role.ADMIN


# --- settings errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("db", "current"),
        ("db", "upgrade"),
        ("db", "downgrade", "base"),
        ("create-admin", "--email", "a@example.com"),
        ("create-user", "--email", "a@example.com", "--role", "admin"),
        ("seed-demo", "--issues", "1"),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_a_bad_number_setting_stops_every_command_cleanly(
    args: tuple[str, ...], tracker: Callable[..., Result], data_dir: Path
) -> None:
    result = tracker(*args, TRACKER_MAX_UPLOAD_MB="abc")

    assert_clean_error(result, "TRACKER_MAX_UPLOAD_MB", "'abc'")
    assert not (data_dir / "tracker.db").exists()


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"TRACKER_MAX_UPLOAD_MB": "0"}, "TRACKER_MAX_UPLOAD_MB"),
        ({"TRACKER_ALLOW_SIGNUP": "maybe"}, "TRACKER_ALLOW_SIGNUP"),
        ({"TRACKER_ENV": "production"}, "TRACKER_SECRET_KEY"),
        ({"TRACKER_ENV": "production", "TRACKER_SECRET_KEY": "changeme"}, "TRACKER_SECRET_KEY"),
        ({"TRACKER_ENV": "Production", "TRACKER_SECRET_KEY": "x" * 20}, "TRACKER_SECRET_KEY"),
    ],
    ids=["zero-upload", "signup-flag", "no-secret", "placeholder-secret", "short-secret"],
)
def test_invalid_settings_name_the_variable_to_fix(
    env: dict[str, str], variable: str, tracker: Callable[..., Result]
) -> None:
    result = tracker("db", "current", **env)

    assert_clean_error(result, variable)


def test_unlock_user_lets_a_locked_out_last_admin_back_in(
    tracker: Callable[..., Result], migrated: None, db_session: Callable
) -> None:
    assert (
        tracker(
            "create-admin", "--email", "boss@example.com", "--password", GOOD_PASSWORD
        ).exit_code
        == 0
    )
    for _ in range(services.auth.LOCKOUT_THRESHOLD):
        with db_session() as s, pytest.raises(services.AuthenticationFailed):
            services.auth.authenticate(s, "boss@example.com", "a guesser's try")
    with db_session() as s, pytest.raises(services.AuthenticationFailed):
        services.auth.authenticate(s, "boss@example.com", GOOD_PASSWORD)

    result = tracker("unlock-user", "Boss@Example.com")
    assert result.exit_code == 0, result.output
    assert "Unlocked boss@example.com" in result.output
    with db_session() as s:
        assert services.auth.authenticate(s, "boss@example.com", GOOD_PASSWORD).role == Role.ADMIN
    assert_clean_error(tracker("unlock-user", "nobody@example.com"), "not found")
