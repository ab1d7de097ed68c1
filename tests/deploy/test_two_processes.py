"""Two `tracker serve` processes on one PostgreSQL and one Redis: a change made through
process A's API reaches a page connected to process B, and a login works on both."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

import services
from tests.deploy.live import created_issue_reaches_page
from tests.pgschema import pg_schema
from tests.serverproc import running_server
from tracker_app import migrate

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TRACKER_TEST_DATABASE_URL") and os.environ.get("TRACKER_TEST_REDIS_URL")),
    reason="needs the real PostgreSQL and Redis (set in CI)",
)
PASSWORD = "two processes passphrase"


def test_a_change_through_one_process_shows_on_a_page_of_the_other(tmp_path: Path) -> None:
    redis_url = os.environ["TRACKER_TEST_REDIS_URL"]
    with pg_schema("procs") as url:
        migrate.upgrade(url)
        settings = {
            "TRACKER_DATABASE_URL": url,
            "TRACKER_REDIS_URL": redis_url,
            "TRACKER_SECRET_KEY": "shared-secret-" + "x" * 40,
            "TRACKER_UPLOAD_DIR": str(tmp_path / "uploads"),
        }
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        with (
            running_server(tmp_path / "a", **settings) as a,
            running_server(tmp_path / "b", **settings) as b,
        ):
            a.cli(
                "create-user",
                "--email",
                "max@example.com",
                "--role",
                "MAINTAINER",
                "--password",
                PASSWORD,
            )
            token = httpx.post(
                f"{a.url}/api/v1/auth/token",
                json={"email": "max@example.com", "password": PASSWORD},
            ).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            assert httpx.get(f"{b.url}/api/v1/me", headers=headers).status_code == 200
            services.connect(url, upload_dir=tmp_path / "uploads")
            with services.session() as s:  # a login session (stored in the database) ...
                cookie, _ = services.auth.login(s, "max@example.com", PASSWORD)
            # ... opens a page on B; the change goes through A's API.
            asyncio.run(created_issue_reaches_page(b.url, a.url, cookie, headers))
            services.runtime().engine.dispose()
