"""Attacks on uploads: disguised files through the API and posted straight to the form's
upload route past the browser, and a burst of uploads against the daily bytes.

Runs on SQLite and, when configured, on PostgreSQL (the root `database_url`)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User

import services
from tests.api.conftest import auth
from tests.factories import make_issue, make_user
from tests.pages.conftest import _app_env, sign_in  # noqa: F401 (shared fixtures)
from tests.services.test_upload_policy import DISGUISED


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
