"""Issues over HTTP: the flows, the 409s, files, IDOR walks and mass assignment."""

from __future__ import annotations

import pytest

import services
from tests.api.conftest import auth
from tests.factories import make_issue

PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


def stored_files() -> list:
    return [p for p in services.runtime().upload_dir.rglob("*") if p.is_file()]


async def test_file_triage_comment_and_close(http, people) -> None:
    rep, staff = auth(people["reporter"]), auth(people["maintainer"])
    created = await http.post(
        "/api/v1/issues",
        headers=rep,
        json={"title": "Export hangs", "description": "It **hangs**", "severity": "HIGH"},
    )
    assert created.status_code == 201
    issue = created.json()
    assert issue["status"] == "OPEN" and issue["reporter"]["email"] == "rep@example.com"
    assert "<strong>hangs</strong>" in issue["description_html"] and issue["version"] == 1
    url = f"/api/v1/issues/{issue['id']}"
    moved = await http.post(
        f"{url}/status", headers=staff, json={"status": "TRIAGED", "version": 1}
    )
    assert moved.status_code == 200 and moved.json()["status"] == "TRIAGED"
    tagged = await http.put(f"{url}/tags", headers=staff, json={"tags": ["Export", "perf"]})
    assert tagged.json()["tags"] == ["export", "perf"]
    assigned = await http.put(
        f"{url}/assignee", headers=staff, json={"assignee_id": people["maintainer"].id}
    )
    assert assigned.json()["assignee"]["id"] == people["maintainer"].id
    comment = await http.post(f"{url}/comments", headers=rep, json={"body": "Still **slow**"})
    assert comment.status_code == 201 and "<strong>" in comment.json()["body_html"]
    assert len((await http.get(f"{url}/comments", headers=staff)).json()) == 1
    verbs = [a["verb"] for a in (await http.get(f"{url}/activity", headers=rep)).json()]
    assert verbs == ["created", "status", "tags", "assigned", "commented"]
    listed = await http.get("/api/v1/issues?status=TRIAGED&tag=perf", headers=staff)
    assert [i["id"] for i in listed.json()["items"]] == [issue["id"]]


async def test_a_stale_version_gets_409_with_the_current_issue(http, people) -> None:
    staff = auth(people["maintainer"])
    issue = make_issue(people["reporter"], title="Before")
    url = f"/api/v1/issues/{issue.id}"
    assert (
        await http.patch(url, headers=staff, json={"title": "First", "version": 1})
    ).status_code == 200
    stale = await http.patch(url, headers=staff, json={"title": "Second", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"]["title"] == "First" and stale.json()["current"]["version"] == 2
    move = await http.post(f"{url}/status", headers=staff, json={"status": "TRIAGED", "version": 1})
    assert move.status_code == 409


async def test_a_move_the_workflow_refuses_lists_the_allowed_ones(http, people) -> None:
    issue = make_issue(people["reporter"])
    response = await http.post(
        f"/api/v1/issues/{issue.id}/status",
        headers=auth(people["admin"]),
        json={"status": "DONE", "version": 1},
    )
    assert response.status_code == 409 and response.json()["allowed"] == ["TRIAGED"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("status", "DONE"),
        ("reporter_id", 1),
        ("version", 9),
        ("id", 5),
        ("description_html", "<script>"),
    ],
)
async def test_mass_assignment_is_refused(http, people, field, value) -> None:
    response = await http.post(
        "/api/v1/issues", headers=auth(people["reporter"]), json={"title": "x", field: value}
    )
    assert response.status_code == 422
    with services.session() as s:
        assert services.issues.list_issues(s, people["admin"]).total == 0


async def test_a_patch_cannot_reach_protected_fields(http, people) -> None:
    issue = make_issue(people["reporter"])
    for field, value in [("status", "DONE"), ("reporter_id", people["other"].id)]:
        response = await http.patch(
            f"/api/v1/issues/{issue.id}",
            headers=auth(people["admin"]),
            json={field: value, "version": 1},
        )
        assert response.status_code == 422
    with services.session() as s:
        stored = services.issues.get_issue(s, people["admin"], issue.id)
    assert stored.status == "OPEN" and stored.reporter.id == people["reporter"].id


async def test_idor_walk_every_other_issue_is_404(http, people) -> None:
    mine = make_issue(people["reporter"])
    theirs = [make_issue(people["other"]) for _ in range(3)]
    with services.session() as s:
        file = services.attachments.save_attachment(
            s, people["other"], theirs[0].id, filename="a.png", content=PNG
        )
    rep = auth(people["reporter"])
    for issue_id in [*(i.id for i in theirs), 999_999]:  # other reporters' and a missing one
        url = f"/api/v1/issues/{issue_id}"
        answers = [
            await http.get(url, headers=rep),
            await http.patch(url, headers=rep, json={"title": "mine now", "version": 1}),
            await http.delete(url, headers=rep),
            await http.post(f"{url}/status", headers=rep, json={"status": "TRIAGED", "version": 1}),
            await http.get(f"{url}/comments", headers=rep),
            await http.post(f"{url}/comments", headers=rep, json={"body": "hi"}),
            await http.get(f"{url}/activity", headers=rep),
            await http.post(f"{url}/attachments", headers=rep, files={"file": ("x.txt", b"hi")}),
        ]
        assert [a.status_code for a in answers] == [404] * len(answers)
        assert len({a.text for a in answers if a.request.method == "GET"}) == 1
    assert (await http.get(f"/api/v1/attachments/{file.id}", headers=rep)).status_code == 404
    listed = await http.get(f"/api/v1/issues?reporter_id={people['other'].id}", headers=rep)
    assert listed.json()["total"] == 0
    assert (await http.get(f"/api/v1/issues/{mine.id}", headers=rep)).status_code == 200


async def test_uploads_are_typed_capped_and_leave_nothing_when_refused(http, people) -> None:
    issue = make_issue(people["reporter"])
    url = f"/api/v1/issues/{issue.id}/attachments"
    rep = auth(people["reporter"])
    disguised = await http.post(
        url, headers=rep, files={"file": ("cat.png", b"MZ" + bytes(99), "image/png")}
    )
    assert disguised.status_code == 415
    big = await http.post(url, headers=rep, files={"file": ("big.txt", b"a" * (1024 * 1024 + 10))})
    assert big.status_code == 413
    huge = await http.post(url, headers=rep, files={"file": ("huge.txt", b"a" * (3 * 1024 * 1024))})
    assert huge.status_code == 413  # refused by the body limit before it is read
    assert stored_files() == []
    ok = await http.post(url, headers=rep, files={"file": ("shot.png", PNG, "image/png")})
    assert ok.status_code == 201
    body = ok.json()
    assert {"id", "filename", "content_type", "size", "sha256"} <= set(body)
    assert body["content_type"] == "image/png" and body["size"] == len(PNG)
    download = await http.get(f"/api/v1/attachments/{body['id']}", headers=rep)
    assert download.content == PNG
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_bad_list_options_are_422_not_500(http, people) -> None:
    staff = auth(people["maintainer"])
    for query in ("sort=password", "status=WONTFIX", "page=0", "reporter_id=99999999999999"):
        response = await http.get(f"/api/v1/issues?{query}", headers=staff)
        assert response.status_code == 422, query
    capped = await http.get("/api/v1/issues?page_size=1000", headers=staff)
    assert capped.json()["page_size"] == 100


async def test_stats(http, people) -> None:
    make_issue(people["reporter"], severity="HIGH")
    make_issue(people["other"], severity="LOW")
    mine = await http.get("/api/v1/stats/open-by-severity", headers=auth(people["reporter"]))
    assert mine.json() == {"LOW": 0, "MEDIUM": 0, "HIGH": 1, "CRITICAL": 0}
    everyone = await http.get("/api/v1/stats/open-by-severity", headers=auth(people["admin"]))
    assert everyone.json()["LOW"] == 1
    assert (
        await http.get("/api/v1/stats/daily", headers=auth(people["reporter"]))
    ).status_code == 403
    daily = await http.get("/api/v1/stats/daily?since=2026-01-01", headers=auth(people["admin"]))
    assert daily.status_code == 200 and daily.json() == {"items": []}


async def test_only_admins_delete(http, people) -> None:
    issue = make_issue(people["reporter"])
    url = f"/api/v1/issues/{issue.id}"
    assert (await http.delete(url, headers=auth(people["maintainer"]))).status_code == 403
    assert (await http.delete(url, headers=auth(people["admin"]))).status_code == 204
    assert (await http.get(url, headers=auth(people["admin"]))).status_code == 404


async def test_search_ranks_by_relevance_and_says_when_a_total_is_capped(
    http, people, monkeypatch
) -> None:
    staff = auth(people["maintainer"])
    make_issue(people["reporter"], title="Export hangs")
    make_issue(people["reporter"], title="Spinner", description="export again")
    make_issue(people["reporter"], title="Export fails")
    ranked = (await http.get("/api/v1/issues?q=EXPORT", headers=staff)).json()
    assert [i["title"] for i in ranked["items"]] == ["Export fails", "Export hangs", "Spinner"]
    assert (ranked["total"], ranked["total_capped"]) == (3, False)
    by_title = (await http.get("/api/v1/issues?q=export&sort=title", headers=staff)).json()
    assert [i["title"] for i in by_title["items"]] == ["Export fails", "Export hangs", "Spinner"]
    newest = (await http.get("/api/v1/issues?q=export&sort=-updated", headers=staff)).json()
    assert [i["title"] for i in newest["items"]] == ["Export fails", "Spinner", "Export hangs"]
    monkeypatch.setattr(services.queries, "COUNT_CAP", 2)
    capped = (await http.get("/api/v1/issues?page_size=1&unassigned=true", headers=staff)).json()
    assert (capped["total"], capped["total_capped"], len(capped["items"])) == (2, True, 1)
    kept = (await http.get("/api/v1/issues?page_size=1", headers=staff)).json()
    assert (kept["total"], kept["total_capped"]) == (3, False)  # from the kept counts
