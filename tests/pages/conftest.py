"""Page tests: NiceGUI's simulated `user`, signed in through the real login session."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable

import pytest
from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

import services
from pages import markup
from pages.cookies import SESSION as COOKIE
from tests.factories import PASSWORD, make_user


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path, sqlite_template):
    """Page tests run on SQLite only: the services tests cover PostgreSQL."""
    import shutil

    target = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(autouse=True)
def _app_env(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRACKER_MAX_UPLOAD_MB", "1")
    monkeypatch.delenv("TRACKER_ALLOW_SIGNUP", raising=False)
    monkeypatch.delenv("TRACKER_REDIS_URL", raising=False)


def sign_in(user: User, role: str = "REPORTER", **kw) -> services.Actor:
    """Create an account and give the simulated browser its login cookie."""
    actor = make_user(role, **kw)
    with services.session() as s:
        token, _ = services.auth.login(s, actor.email, PASSWORD)
    user.http_client.cookies.set(COOKIE, token)
    return actor


@pytest.fixture
def signed_in(db) -> Callable[..., services.Actor]:
    return sign_in


Opener = Callable[[str], Awaitable[None]]


def table_rows(user: User) -> list[dict]:
    """The rows of the page's table (none while it is hidden: an empty list invites)."""
    try:
        [table] = user.find(kind=ui.table).elements
    except AssertionError:  # none visible
        return []
    return list(table.rows)


def titles(user: User) -> list[str]:
    return [r["title"] for r in table_rows(user)]


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for something the page does in the background (a reload, a live push)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def press(user: User, label: str) -> None:
    """Click the button labelled `label` that is drawn as markup (pages.markup.action): the
    element showing it gets the click with the button's name, as its handler in the browser
    sends it (tests/e2e clicks the real buttons in Chromium)."""
    shown = re.escape(markup.text(label))
    button = re.compile(rf'data-action="([^"]*)">(?:(?!</button>).)*<span class="block">{shown}<')
    found = [
        (element, match.group(1))
        for element in user.find(kind=ui.html, content=markup.text(label)).elements
        if (match := button.search(element.content))
    ]
    assert len(found) == 1, f"{len(found)} buttons labelled {label!r}"
    [(element, name)] = found
    UserInteraction(user, {element}, None).trigger("click", html.unescape(name))


def filter_list(user: User, name: str, value: object) -> None:
    """Change the issue list's filter `name` as its bar in the browser sends it
    (pages/filter_bar.js; tests/e2e types into the real fields in Chromium)."""
    from pages.filter_bar import FilterBar

    [bar] = user.find(kind=FilterBar).elements
    UserInteraction(user, {bar}, None).trigger("filter", {"name": name, "value": value})


def pick(user: User, name: str, value: object) -> None:
    """Choose in the issue page's pickers as pages/pickers.js sends it: `assign` (a user's id,
    0 for nobody) or `tags` (the names)."""
    from pages.pickers import IssuePickers

    [pickers] = user.find(kind=IssuePickers).elements
    UserInteraction(user, {pickers}, None).trigger(name, {"value": value})


def filter_bar(user: User):
    from pages.filter_bar import FilterBar

    [bar] = user.find(kind=FilterBar).elements
    return bar
