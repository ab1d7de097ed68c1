"""API tests: the real app (the same wiring as the pages), called over HTTP in-process."""

from __future__ import annotations

import httpx
import pytest
from nicegui.testing import User

import services
from tests.factories import PASSWORD, make_user
from tests.pages.conftest import _app_env, database_url  # noqa: F401 (shared fixtures)


@pytest.fixture
def http(user: User, db) -> httpx.AsyncClient:
    """An HTTP client on the app (NiceGUI's test user only serves to start it)."""
    return user.http_client


def token_for(actor: services.Actor, ttl: int = 3600) -> str:
    with services.session() as s:
        return services.auth.issue_api_token(s, actor, ttl_seconds=ttl)


def auth(actor: services.Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(actor)}"}


@pytest.fixture
def people(db) -> dict[str, services.Actor]:
    return {
        "reporter": make_user("REPORTER", email="rep@example.com"),
        "other": make_user("REPORTER", email="other@example.com"),
        "maintainer": make_user("MAINTAINER", email="maint@example.com"),
        "admin": make_user("ADMIN", email="admin@example.com"),
    }


__all__ = ["PASSWORD", "auth", "token_for"]
