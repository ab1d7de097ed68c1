"""Pages built for a browser that never connected are dropped (pages/waiting.py): after the
wait, and the oldest at once beyond MAX_WAITING; the pages browsers connected to stay.
tests/adversarial/test_http_stack.py checks the same in a running server."""

from __future__ import annotations

import time

import pytest
from nicegui import Client
from nicegui.testing import User

from pages import waiting
from tests.pages.conftest import sign_in


@pytest.fixture
def waiting_pages(monkeypatch) -> None:
    """A fresh record of connected pages, and MAX_WAITING of 2."""
    monkeypatch.setattr(waiting, "_connected", set())
    monkeypatch.setattr(waiting, "MAX_WAITING", 2)
    monkeypatch.setitem(waiting._wait, "seconds", 20.0)


async def _built_not_connected(user: User, count: int) -> list[str]:
    before = set(Client.instances)
    for _ in range(count):
        response = await user.http_client.get("/dashboard")  # a page, but no socket
        assert response.status_code == 200
    return [c.id for c in waiting.waiting() if c.id not in before]


async def test_the_oldest_go_beyond_the_cap_then_all_after_the_wait(
    user: User, db, waiting_pages
) -> None:
    sign_in(user, "MAINTAINER")
    await user.open("/")
    assert user.client is not None
    waiting._connected_to(user.client)  # as app.on_connect does
    built = await _built_not_connected(user, 4)
    assert len(built) == 4 and [c.id for c in waiting.waiting()][-4:] == built

    assert waiting.prune() == 2  # none waited long enough: only the cap
    assert [c.id for c in waiting.waiting()] == built[2:]
    assert all(Client.instances.get(c) is None for c in built[:2])

    assert waiting.prune(now=time.time() + 21) == 2  # the wait is over for the rest
    assert waiting.waiting() == []
    assert user.client.id in Client.instances and not user.client.is_deleted
    await user.should_see("Issues")
