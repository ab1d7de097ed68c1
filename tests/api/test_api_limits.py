"""The API under the upload policy and the per-user write limits: 429 with Retry-After and
a message over a limit, 415 for a disguised file, 422 for one file too many, and the
policy in force in the OpenAPI description."""

from __future__ import annotations

import dataclasses

import pytest

import services
from services.quotas import WriteLimits
from tests.api.conftest import auth
from tests.factories import make_issue

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(100)


@pytest.fixture
def limits(db, monkeypatch):
    def set_limits(**kw: int) -> None:
        monkeypatch.setattr(services.runtime(), "limits", WriteLimits(**kw))

    return set_limits


@pytest.fixture
def policy(db, monkeypatch):
    def set_policy(**kw: int) -> None:
        current = services.uploads.policy()
        monkeypatch.setattr(services.runtime(), "uploads", dataclasses.replace(current, **kw))

    return set_policy


def stored_files() -> list:
    return [p for p in services.runtime().upload_dir.rglob("*") if p.is_file()]


def assert_limited(answer, message: str) -> None:
    assert answer.status_code == 429, answer.text
    assert message in answer.json()["detail"]
    assert "Try again in" in answer.json()["detail"]
    assert 1 <= int(answer.headers["retry-after"]) <= 3600


async def test_over_the_issue_limit_is_429_with_retry_after(http, people, limits) -> None:
    limits(issues_per_hour=2)
    rep = auth(people["reporter"])
    for n in range(2):
        created = await http.post("/api/v1/issues", headers=rep, json={"title": f"Bug {n}"})
        assert created.status_code == 201
    refused = await http.post("/api/v1/issues", headers=rep, json={"title": "Bug 3"})
    assert_limited(refused, "You have filed 2 issues in the last hour; the limit is 2.")
    listed = await http.get("/api/v1/issues", headers=rep)
    assert listed.json()["total"] == 2
    other = await http.post("/api/v1/issues", headers=auth(people["other"]), json={"title": "Mine"})
    assert other.status_code == 201


async def test_over_the_comment_limit_is_429(http, people, limits) -> None:
    limits(comments_per_hour=1)
    issue = make_issue(people["reporter"])
    url, rep = f"/api/v1/issues/{issue.id}/comments", auth(people["reporter"])
    assert (await http.post(url, headers=rep, json={"body": "first"})).status_code == 201
    assert_limited(
        await http.post(url, headers=rep, json={"body": "again"}),
        "You have written 1 comment in the last hour",
    )
    assert len((await http.get(url, headers=rep)).json()) == 1


async def test_over_the_file_limit_is_429_and_nothing_is_stored(http, people, limits) -> None:
    limits(attachments_per_hour=1)
    issue = make_issue(people["reporter"])
    url, rep = f"/api/v1/issues/{issue.id}/attachments", auth(people["reporter"])
    assert (await http.post(url, headers=rep, files={"file": ("a.png", PNG)})).status_code == 201
    assert_limited(
        await http.post(url, headers=rep, files={"file": ("b.png", PNG)}),
        "You have attached 1 file in the last hour",
    )
    assert len(stored_files()) == 1


async def test_over_the_daily_bytes_is_429(http, people, policy) -> None:
    policy(max_bytes_per_day=300 * 1024)
    issue = make_issue(people["reporter"])
    url, rep = f"/api/v1/issues/{issue.id}/attachments", auth(people["reporter"])
    log = b"line of a log\n" * 15_000  # 205 KB
    assert (await http.post(url, headers=rep, files={"file": ("a.log", log)})).status_code == 201
    refused = await http.post(url, headers=rep, files={"file": ("b.log", log)})
    assert refused.status_code == 429
    assert "would go over your limit of 300 KB per day" in refused.json()["detail"]
    assert 86_000 < int(refused.headers["retry-after"]) <= 86_400
    assert len(stored_files()) == 1


async def test_one_file_more_than_an_issue_may_have_is_422(http, people, policy) -> None:
    policy(max_files_per_issue=1)
    issue = make_issue(people["reporter"])
    url, rep = f"/api/v1/issues/{issue.id}/attachments", auth(people["reporter"])
    assert (await http.post(url, headers=rep, files={"file": ("a.png", PNG)})).status_code == 201
    refused = await http.post(url, headers=rep, files={"file": ("b.png", PNG)})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("This issue has 1 file already")
    assert len(stored_files()) == 1


async def test_over_the_import_limit_is_429_on_a_dry_run_too(http, people, limits) -> None:
    limits(imported_issues_per_day=3)
    rep = auth(people["reporter"])
    csv = b"title\nOne\nTwo\n"
    url = "/api/v1/issues/import"
    done = await http.post(f"{url}?dry_run=false", headers=rep, files={"file": ("i.csv", csv)})
    assert done.status_code == 200 and done.json()["imported"] == 2
    for dry_run in ("true", "false"):
        refused = await http.post(
            f"{url}?dry_run={dry_run}", headers=rep, files={"file": ("i.csv", csv)}
        )
        assert refused.status_code == 429
        assert "You have imported 2 issues in the last 24 hours; 2 more" in refused.json()["detail"]
        assert int(refused.headers["retry-after"]) > 3600
    assert (await http.get("/api/v1/issues", headers=rep)).json()["total"] == 2


async def test_a_disguised_file_is_415_naming_what_it_is(http, people) -> None:
    issue = make_issue(people["reporter"])
    refused = await http.post(
        f"/api/v1/issues/{issue.id}/attachments",
        headers=auth(people["reporter"]),
        files={"file": ("cat.png", b"<html><script>alert(1)</script></html>", "image/png")},
    )
    assert refused.status_code == 415
    assert "it is an HTML page, whatever its name says" in refused.json()["detail"]
    assert stored_files() == []


async def test_the_upload_documentation_states_the_policy_in_force(http, policy) -> None:
    policy(max_files_per_issue=4, max_bytes_per_day=60 * 1024 * 1024)
    spec = (await http.get("/openapi.json")).json()
    upload = spec["paths"]["/api/v1/issues/{issue_id}/attachments"]["post"]
    assert "PNG, JPEG, GIF, WebP, PDF, ZIP or plain text" in upload["description"]
    assert "At most 1 MB per file (413), 4 files per issue (422)" in upload["description"]
    assert "60 MB per user per 24 hours" in upload["description"]
    assert "Retry-After" in spec["info"]["description"]
