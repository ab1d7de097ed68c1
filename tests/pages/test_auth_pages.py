"""Sign in, sign up, sign out, and the guard on every page."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

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
