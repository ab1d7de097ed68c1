"""On SQLite one process-wide lock lets one write at a time. Password hashing (deliberately
slow) and Markdown rendering happen before a write takes it, so a few sign-ins per second
cannot stall everybody else's writes (bench: `python -m bench signins`)."""

from __future__ import annotations

import pytest

import services
from services import db as services_db
from services import markdown, security
from tests.factories import PASSWORD, make_issue, make_user


@pytest.fixture
def under_lock(db, monkeypatch) -> list[str]:
    """Names of slow calls that ran while this process held the SQLite writer lock."""
    if not db.startswith("sqlite"):
        pytest.skip("the writer lock exists on SQLite only")
    seen: list[str] = []

    def watch(name, real):
        def wrapper(*args, **kw):
            if services_db._sqlite_writers.locked():
                seen.append(name)
            return real(*args, **kw)

        return wrapper

    monkeypatch.setattr(security, "hash_password", watch("hash", security.hash_password))
    monkeypatch.setattr(security, "verify_password", watch("verify", security.verify_password))
    monkeypatch.setattr(markdown, "render", watch("markdown", markdown.render))
    return seen


def test_sign_in_sign_up_and_passwords_hash_outside_the_lock(under_lock) -> None:
    admin = make_user("ADMIN", email="admin@example.com")
    with services.session() as s:
        services.users.register(s, {"email": "new@example.com", "password": "a fine passphrase"})
    with services.session() as s:
        services.auth.sign_in(s, "new@example.com", "a fine passphrase")
    with services.session() as s, pytest.raises(services.AuthenticationFailed):
        services.auth.sign_in(s, "new@example.com", "a wrong passphrase")
    with services.session() as s:
        services.users.create_user(
            s, admin, {"email": "made@example.com", "password": "made by an admin 1"}
        )
    with services.session() as s:
        services.users.change_password(s, admin, PASSWORD, "the admin's new one 2")
    with services.session() as s:
        services.users.update_user(
            s,
            admin,
            admin.id,
            {"password": "and again 3", "current_password": "the admin's new one 2"},
        )
    assert under_lock == []


def test_markdown_renders_outside_the_lock(under_lock) -> None:
    me = make_user("MAINTAINER")
    issue = make_issue(me, description="**bold** start")
    with services.session() as s:
        services.issues.update_issue(
            s, me, issue.id, {"description": "*new* text"}, version=issue.version
        )
    with services.session() as s:
        services.comments.add_comment(s, me, issue.id, {"body": "a `comment`"})
    assert under_lock == []
