"""`tracker seed-demo`: demo accounts with printed passwords, then issues in bulk."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from sqlalchemy.orm import Session

import services
from services import Role
from services.demo import DEMO_USERS

from .conftest import assert_clean_error

ADMIN_EMAIL = "ana.admin@example.com"
EXISTED = "(existed; password unchanged)"


def demo_accounts(result: Result) -> dict[str, tuple[str, str]]:
    """email -> (role, password or the 'existed' note) from the printed table."""
    rows = re.findall(r"^  (\w+) +(\S+@\S+) +(.+)$", result.output, re.MULTILINE)
    return {email: (role, password) for role, email, password in rows}


def issue_total(s: Session) -> int:
    admin = services.users.actor_for(s, email=ADMIN_EMAIL)
    return services.issues.list_issues(s, admin).total


def test_seed_demo_prints_working_accounts_and_creates_the_issues(
    tracker: Callable[..., Result], db_session: Callable
) -> None:
    result = tracker("seed-demo", "--issues", "50")

    assert result.exit_code == 0, result.output
    assert "Created 50 issues." in result.output
    accounts = demo_accounts(result)
    assert {email: role for email, (role, _) in accounts.items()} == {
        email: role.value for email, _, role in DEMO_USERS
    }
    with db_session() as s:
        for email, (role, password) in accounts.items():
            assert services.auth.authenticate(s, email, password).role == Role(role)
        assert issue_total(s) == 50


def test_seed_demo_again_keeps_the_accounts_and_adds_issues(
    tracker: Callable[..., Result], db_session: Callable
) -> None:
    first = demo_accounts(tracker("seed-demo", "--issues", "50"))

    again = tracker("seed-demo", "--issues", "50")

    assert again.exit_code == 0, again.output
    assert {password for _, password in demo_accounts(again).values()} == {EXISTED}
    with db_session() as s:
        assert services.users.count_users(s) == len(DEMO_USERS)
        # The passwords printed the first time still work.
        for email, (_, password) in first.items():
            services.auth.authenticate(s, email, password)
        assert issue_total(s) == 100


def test_seed_demo_with_the_same_seed_gives_the_same_issues(
    tracker: Callable[..., Result], tmp_path: Path
) -> None:
    def titles(data_dir: Path) -> list[str]:
        result = tracker(
            "seed-demo", "--issues", "5", "--seed", "3", TRACKER_DATA_DIR=str(data_dir)
        )
        assert result.exit_code == 0, result.output
        with services.session() as s:
            admin = services.users.actor_for(s, email=ADMIN_EMAIL)
            return sorted(i.title for i in services.issues.list_issues(s, admin).items)

    assert titles(tmp_path / "one") == titles(tmp_path / "two")


def test_seed_demo_refuses_to_run_in_production(
    tracker: Callable[..., Result], data_dir: Path
) -> None:
    key = secrets.token_urlsafe(36)
    assert len(key) == 48

    result = tracker("seed-demo", "--issues", "5", TRACKER_ENV="production", TRACKER_SECRET_KEY=key)

    assert_clean_error(result, "not production")
    assert "Demo accounts" not in result.output
    assert not (data_dir / "tracker.db").exists()
