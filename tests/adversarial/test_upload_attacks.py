"""Attacks on uploads and on the per-user write limits: disguised files through the API and
posted straight to the form's upload route past the browser, a burst of uploads against the
daily bytes, and a burst of creates spread over two real server processes on one database.

Runs on SQLite and, when configured, on PostgreSQL (the root `database_url`)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User

import services
from tests.api.conftest import auth
from tests.factories import make_issue, make_user
from tests.pages.conftest import _app_env, sign_in  # noqa: F401 (shared fixtures)
from tests.pgschema import pg_schema
from tests.serverproc import Server, running_server
from tests.services.test_upload_policy import DISGUISED
from tracker_app import migrate

PASSWORD = "burst of creates passphrase"


@pytest.fixture
def http(user: User, db: str) -> httpx.AsyncClient:
    """An HTTP client on the real app (in-process), on every configured database."""
    return user.http_client


@pytest.fixture
def reporter(db: str) -> services.Actor:
    return make_user("REPORTER")


def files_on_disk() -> list[Path]:
    return [p for p in services.runtime().upload_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize(("name", "content", "really"), DISGUISED, ids=[d[0] for d in DISGUISED])
async def test_a_disguised_file_is_refused_over_the_api(http, reporter, name, content, really):
    issue = make_issue(reporter)
    answer = await http.post(
        f"/api/v1/issues/{issue.id}/attachments",
        headers=auth(reporter),
        files={"file": (name, content, "image/png")},  # the claimed type is a lie too
    )
    assert answer.status_code == 415
    assert f"it is {really}" in answer.json()["detail"]
    assert files_on_disk() == []
    with services.session() as s:
        assert services.issues.get_issue(s, reporter, issue.id).attachments == []


async def test_a_disguised_file_posted_past_the_browser_stages_nothing(user: User, db) -> None:
    sign_in(user)
    await user.open("/issues/new")
    [upload] = user.find(kind=ui.upload).elements
    page = b"<!doctype html><html><script>document.location='//evil.example'</script>"
    response = await user.http_client.post(
        upload.props["url"], files={"file": ("invoice.pdf", page, "application/pdf")}
    )
    assert response.status_code == 200  # NiceGUI took the body; our handler refused it
    await user.should_see("invoice.pdf: This file type is not allowed: it is an HTML page")
    assert files_on_disk() == []


async def test_a_burst_of_uploads_never_goes_over_the_daily_bytes(http, reporter, monkeypatch):
    policy = dataclasses.replace(services.uploads.policy(), max_bytes_per_day=1024 * 1024)
    monkeypatch.setattr(services.runtime(), "uploads", policy)
    issues = [make_issue(reporter) for _ in range(3)]
    rep = auth(reporter)
    log = b"0123456789abcde\n" * (20 * 1024)  # 320 KB: three fit in 1 MB, four do not
    answers = await asyncio.gather(
        *(
            http.post(
                f"/api/v1/issues/{issues[n % 3].id}/attachments",
                headers=rep,
                files={"file": (f"{n}.log", log)},
            )
            for n in range(8)
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert set(codes) <= {201, 429}, codes
    assert 1 <= codes.count(201) <= 3
    assert all(int(a.headers["retry-after"]) > 0 for a in answers if a.status_code == 429)
    assert sum(p.stat().st_size for p in files_on_disk()) <= 1024 * 1024


@pytest.fixture
def two_servers(tmp_path: Path):
    """Two `tracker serve` processes on one database (PostgreSQL when configured, else one
    SQLite file), each allowing 5 issues per user per hour."""
    settings = {
        "TRACKER_SECRET_KEY": "burst-secret-" + "b" * 40,
        "TRACKER_UPLOAD_DIR": str(tmp_path / "uploads"),
        "TRACKER_MAX_ISSUES_PER_HOUR": "5",
    }
    for name in ("a", "b"):
        (tmp_path / name).mkdir()

    def start(url: str):
        migrate.upgrade(url)
        with (
            running_server(tmp_path / "a", TRACKER_DATABASE_URL=url, **settings) as a,
            running_server(tmp_path / "b", TRACKER_DATABASE_URL=url, **settings) as b,
        ):
            yield a, b

    if os.environ.get("TRACKER_TEST_DATABASE_URL"):
        with pg_schema("burst") as url:
            yield from start(url)
    else:
        yield from start(f"sqlite:///{tmp_path / 'shared.db'}")


def test_a_burst_of_creates_over_two_processes_gets_exactly_the_limit(two_servers) -> None:
    a, b = two_servers
    a.cli(
        "create-user", "--email", "burst@example.com", "--password", PASSWORD, "--role", "REPORTER"
    )
    token = httpx.post(
        f"{a.url}/api/v1/auth/token", json={"email": "burst@example.com", "password": PASSWORD}
    ).json()["access_token"]
    answers = asyncio.run(_burst([a, b], token, 16))
    created = [r for r in answers if r.status_code == 201]
    refused = [r for r in answers if r.status_code == 429]
    assert (len(created), len(refused)) == (5, 11), sorted(r.status_code for r in answers)
    for answer in refused:
        assert 1 <= int(answer.headers["retry-after"]) <= 3600
        assert answer.json()["detail"].startswith(
            "You have filed 5 issues in the last hour; the limit is 5. Try again in"
        )
    headers = {"Authorization": f"Bearer {token}"}
    for server in (a, b):  # both processes see the same five
        assert httpx.get(f"{server.url}/api/v1/issues", headers=headers).json()["total"] == 5


async def _burst(servers: list[Server], token: str, n: int) -> list[httpx.Response]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=60) as client:
        return await asyncio.gather(
            *(
                client.post(f"{servers[i % 2].url}/api/v1/issues", json={"title": f"Burst {i}"})
                for i in range(n)
            )
        )
