"""Redis going away never breaks the web app: pages and issue creation keep working, the
health endpoint says degraded."""

from __future__ import annotations

import pytest
from nicegui.testing import User

import services
from tests.api.conftest import auth
from tests.pages.conftest import sign_in, titles

DEAD = "redis://127.0.0.1:1/0"  # nothing listens there


@pytest.fixture
def dead_redis(monkeypatch):
    monkeypatch.setenv("TRACKER_REDIS_URL", DEAD)  # before the app is built


async def test_the_app_keeps_working_without_redis(dead_redis, user: User, db, people) -> None:
    services.events.configure_bus(DEAD)
    try:
        health = await user.http_client.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {
            "status": "degraded",
            "database": "ok",
            "redis": "down",
            "storage": "ok",
            "storage_kind": "local",
        }
        created = await user.http_client.post(
            "/api/v1/issues",
            headers=auth(people["reporter"]),
            json={"title": "Filed while Redis is down"},
        )
        assert created.status_code == 201
        sign_in(user, "MAINTAINER")
        await user.open("/")
        assert titles(user) == ["Filed while Redis is down"]
    finally:
        services.events.configure_bus(None)
