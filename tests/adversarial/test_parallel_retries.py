"""Retries sent all at once to a real `tracker serve` on PostgreSQL, with one
`Idempotency-Key`: one issue, one comment, every response the first one."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from tests.pgschema import PG_URL, pg_schema
from tests.serverproc import running_server
from tracker_app import migrate

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (set in CI)")
PASSWORD = "parallel retries passphrase"
AT_ONCE = 8


def _all_at_once(url: str, headers: dict[str, str], body: dict) -> list[httpx.Response]:
    start = threading.Barrier(AT_ONCE)
    responses: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(timeout=60) as http:
            start.wait()
            responses.append(http.post(url, json=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(AT_ONCE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return responses


def test_parallel_retries_with_one_key_create_one_issue_and_one_comment(tmp_path: Path) -> None:
    with pg_schema("retries") as url:
        migrate.upgrade(url)
        with running_server(tmp_path, TRACKER_DATABASE_URL=url) as server:
            server.cli(
                "create-user",
                "--email",
                "rita@example.com",
                "--role",
                "REPORTER",
                "--password",
                PASSWORD,
            )
            token = httpx.post(
                f"{server.url}/api/v1/auth/token",
                json={"email": "rita@example.com", "password": PASSWORD},
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}

            created = _all_at_once(
                f"{server.url}/api/v1/issues",
                auth | {"Idempotency-Key": "issue-7f3a"},
                {"title": "Submitted on a flaky train connection"},
            )
            assert {r.status_code for r in created} == {201}
            assert len({r.content for r in created}) == 1
            listed = httpx.get(f"{server.url}/api/v1/issues", headers=auth).json()
            assert listed["total"] == 1

            issue_id = created[0].json()["id"]
            comments = f"{server.url}/api/v1/issues/{issue_id}/comments"
            commented = _all_at_once(
                comments, auth | {"Idempotency-Key": "comment-7f3a"}, {"body": "Any news?"}
            )
            assert {r.status_code for r in commented} == {201}
            assert len({r.content for r in commented}) == 1
            assert len(httpx.get(comments, headers=auth).json()) == 1
        assert "Traceback" not in (tmp_path / "server.log").read_text()
