"""A browser opening a page while the database is down gets a small HTML "try again" page
(503, Retry-After); API clients keep their JSON. The real outage, through a TCP relay that
is cut, is drilled in tests/adversarial/test_outages.py."""

from __future__ import annotations

import pytest
from nicegui.testing import User

import services
from tests.pages.conftest import sign_in

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def database_down(user: User, db, monkeypatch) -> None:
    sign_in(user)

    def unreachable(*args: object, **kwargs: object) -> None:
        raise services.Unavailable()

    monkeypatch.setattr(services.auth, "resolve_session", unreachable)


async def test_a_browser_gets_a_try_again_page(user: User, database_down) -> None:
    response = await user.http_client.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Try again in a moment</h1>" in response.text
    assert "The database is not reachable right now" in response.text
    assert "Traceback" not in response.text


async def test_api_clients_still_get_json(user: User, database_down) -> None:
    for path, accept in [("/", "*/*"), ("/api/v1/me", BROWSER_ACCEPT)]:
        response = await user.http_client.get(path, headers={"Accept": accept})
        assert response.status_code == 503, path
        assert response.headers["retry-after"] == "5"
        assert response.json()["detail"].startswith("The database is not reachable"), path
