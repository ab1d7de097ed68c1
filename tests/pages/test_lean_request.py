"""An open page keeps a copy of its request without what answering it took: FastAPI's exit
stacks and the middleware calls behind the request's `receive` (pages.lean_request,
tracker_app.api_first)."""

from __future__ import annotations

import gc

from nicegui.testing import User

from tests.factories import make_issue, make_user
from tests.pages.conftest import sign_in


def _answered_scopes(path: str) -> list[dict]:
    """Scopes of requests for `path` still holding what FastAPI used to answer them."""
    gc.collect()
    return [
        o
        for o in gc.get_objects()
        if isinstance(o, dict) and o.get("path") == path and "fastapi_astack" in o
    ]


async def test_an_open_page_keeps_its_request_without_what_answering_it_took(
    user: User, db
) -> None:
    sign_in(user, "MAINTAINER")
    issue = make_issue(make_user(), title="Held in memory")
    path = f"/issues/{issue.id}"
    await user.open(path)
    await user.should_see("Held in memory")

    assert _answered_scopes(path) == []
    kept = user.client.request
    assert kept.url.path == path  # what the page uses later is still there
    assert kept.headers.get("cookie")
    listeners = [
        listener
        for element in user.client.elements.values()
        for listener in element._event_listeners.values()
    ]
    assert listeners
    assert all(listener.request is kept for listener in listeners)


async def test_a_signed_in_address_with_no_page_still_says_so(user: User, db) -> None:
    """The not-found page asks who is signed in before it makes its page: no page is being
    built for that request yet, and nothing is changed."""
    sign_in(user, "MAINTAINER")
    page = await user.http_client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "Page not found" in page.text and "Back to the issues" in page.text
