"""`tracker serve --workers 2` for real: both processes serve the API, a change made through
one reaches a page served by the other (through the database without Redis, through Redis
with it), a process that dies is started again, and stopping the parent stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import services
from tests.deploy.live import created_issue_reaches_page
from tests.pgschema import pg_schema
from tests.serverproc import Server, alive, children, running_server
from tracker_app import migrate

PASSWORD = "several processes passphrase"
WAIT_SECONDS = 60  # for processes to start or stop: waited for, not asserted on


@pytest.fixture(params=["sqlite", "postgresql-redis"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The settings of the processes: the embedded SQLite (events through the database), or
    PostgreSQL and Redis when the tests have them."""
    if request.param == "sqlite":
        yield {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}"}
        return
    redis_url = os.environ.get("TRACKER_TEST_REDIS_URL")
    if not (os.environ.get("TRACKER_TEST_DATABASE_URL") and redis_url):
        pytest.skip("needs the real PostgreSQL and Redis (set in CI)")
    with pg_schema("workers") as url:
        migrate.upgrade(url)
        yield {"TRACKER_DATABASE_URL": url, "TRACKER_REDIS_URL": redis_url}


def _sign_in(server: Server) -> tuple[str, dict[str, str]]:
    """A maintainer's page cookie and API headers."""
    server.cli(
        "create-user", "--email", "mo@example.com", "--role", "MAINTAINER", "--password", PASSWORD
    )
    token = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"email": "mo@example.com", "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    with services.session() as s:
        cookie, _ = services.auth.login(s, "mo@example.com", PASSWORD)
    return cookie, headers


def _wait(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_SECONDS} s for {what}")
        time.sleep(0.2)


def test_both_serve_the_api_changes_reach_the_other_and_ctrl_c_stops_all(
    database: dict[str, str], tmp_path: Path
) -> None:
    settings = {**database, "TRACKER_SECRET_KEY": "workers-secret-" + "w" * 40}
    with running_server(tmp_path, workers=2, **settings) as server:
        first, second = server.urls
        web = children(server.pid)
        assert len(web) == 2
        # Each in a process group of its own: a terminal's Ctrl-C or hang-up reaches only
        # the parent, which stops them (a second Ctrl-C at once).
        assert [os.getpgid(pid) for pid in web] == web
        services.connect(database["TRACKER_DATABASE_URL"], upload_dir=tmp_path / "uploads")
        cookie, headers = _sign_in(server)
        for url in server.urls:
            me = httpx.get(f"{url}/api/v1/me", headers=headers)
            assert me.status_code == 200 and me.json()["email"] == "mo@example.com"
        asyncio.run(created_issue_reaches_page(second, first, cookie, headers))
        asyncio.run(created_issue_reaches_page(first, second, cookie, headers))
        services.runtime().engine.dispose()

        assert server.process is not None
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(WAIT_SECONDS) == 0
        assert not any(alive(pid) for pid in web)
    # The parent made the first admin, once (SQLite only: PostgreSQL asks for create-admin).
    log = server.log.read_text() if server.log else ""
    assert log.count("First start") == (1 if "sqlite" in settings["TRACKER_DATABASE_URL"] else 0)


def test_a_dead_process_is_started_again_and_none_outlives_a_killed_parent(
    tmp_path: Path,
) -> None:
    with running_server(tmp_path, workers=2) as server:
        first, second = children(server.pid)
        # Answering is not enough: until the parent has seen the process serve, its death
        # would count as a failed start (which stops them all), not as one to start again.
        _wait(lambda: _seen_serving(server, 1), "the parent to see the second one serve")
        os.kill(second, signal.SIGKILL)
        _wait(lambda: len(set(children(server.pid)) - {first, second}) == 1, "a new process")
        _wait(lambda: _answers(server.urls[1]), "the new process to answer")
        web = children(server.pid)
        assert first in web and second not in web

        os.kill(server.pid, signal.SIGKILL)  # no chance to stop anything itself
        assert server.process is not None
        server.process.wait(WAIT_SECONDS)
        _wait(lambda: not any(alive(pid) for pid in web), "the processes to stop")
        assert not any(_answers(url) for url in server.urls)
    assert "web process 1" in (server.log.read_text() if server.log else "")


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _seen_serving(server: Server, index: int) -> bool:
    port = server.urls[index].rsplit(":", 1)[1]
    log = server.log.read_text() if server.log else ""
    return f"web process {index} (port {port}) is serving" in log
