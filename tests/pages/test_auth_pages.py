"""Sign in, sign up, sign out, and the guard on every page."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

import services
from tests.factories import PASSWORD, make_issue, make_user
from tests.pages.conftest import titles


async def test_pages_send_anonymous_visitors_to_login(user: User, db) -> None:
    await user.open("/")
    await user.should_see("Sign in")
    await user.should_not_see("New issue")


async def test_sign_in_then_see_own_issues(user: User, db) -> None:
    me = make_user(email="rob@example.com")
    make_issue(me, title="My printer is on fire")
    make_issue(make_user(), title="Somebody else's secret")
    await user.open("/login")
    user.find("Email").type("rob@example.com")
    user.find("Password").type(PASSWORD)
    user.find(kind=ui.button, content="Sign in").click()
    await user.should_see("New issue")
    assert titles(user) == ["My printer is on fire"]


async def test_wrong_password_shows_one_message(user: User, db) -> None:
    make_user(email="rob@example.com")
    await user.open("/login")
    user.find("Email").type("rob@example.com")
    user.find("Password").type("nope nope nope")
    user.find(kind=ui.button, content="Sign in").click()
    await user.should_see("Email or password is incorrect")


async def test_sign_up_creates_a_reporter_and_signs_in(user: User, db) -> None:
    await user.open("/register")
    user.find("Full name").type("Rita Reporter")
    user.find("Email").type("Rita@Example.com")
    user.find("Password").type("a long enough passphrase")
    user.find(kind=ui.button, content="Sign up").click()
    await user.should_see("New issue", retries=100)
    await user.should_not_see("Users")  # no admin navigation for a reporter
    with services.session() as s:
        assert services.users.actor_for(s, email="rita@example.com").role == "REPORTER"


async def test_sign_up_explains_a_weak_password(user: User, db) -> None:
    await user.open("/register")
    user.find("Email").type("weak@example.com")
    user.find("Password").type("password")
    user.find(kind=ui.button, content="Sign up").click()
    await user.should_see("too common", retries=100)


async def test_sign_up_can_be_switched_off(user: User, db, monkeypatch) -> None:
    from pages import config

    monkeypatch.setattr(config, "_current", config.PageConfig(allow_signup=False))
    await user.open("/register")
    await user.should_see("Sign-up is disabled")
    await user.open("/login")
    await user.should_not_see("No account yet?")
