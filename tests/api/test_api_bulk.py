"""Bulk edit over HTTP: per-issue results, a filter, the same rules as the services."""

from __future__ import annotations

from tests.api.conftest import auth
from tests.factories import make_issue


async def test_staff_triage_a_selection_and_see_each_result(http, people) -> None:
    staff = auth(people["maintainer"])
    made = [make_issue(people["reporter"]) for _ in range(3)]
    stale = made[2]
    await http.patch(
        f"/api/v1/issues/{stale.id}", headers=staff, json={"title": "Moved on", "version": 1}
    )
    response = await http.post(
        "/api/v1/issues/bulk",
        headers=staff,
        json={
            "ids": [i.id for i in made],
            "versions": {str(i.id): i.version for i in made},
            "changes": {
                "status": "TRIAGED",
                "add_tags": ["ui"],
                "assignee_id": people["maintainer"].id,
            },
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["applied"], body["unchanged"], body["failed"]) == (2, 0, 1)
    assert [i["ok"] for i in body["items"]] == [True, True, False]
    assert body["items"][2]["error"].startswith(f"#{stale.id}: This issue was changed")
    first = (await http.get(f"/api/v1/issues/{made[0].id}", headers=staff)).json()
    assert (first["status"], first["tags"], first["assignee"]["id"]) == (
        "TRIAGED",
        ["ui"],
        people["maintainer"].id,
    )
    assert body["items"][0]["version"] == first["version"]


async def test_a_filter_closes_every_match_with_a_resolution(http, people) -> None:
    staff = auth(people["admin"])
    spam = [make_issue(people["other"], title=f"Buy now {n}", severity="LOW") for n in range(3)]
    kept = make_issue(people["other"], title="Real bug", severity="HIGH")
    response = await http.post(
        "/api/v1/issues/bulk",
        headers=staff,
        json={
            "filter": {"severity": ["LOW"], "q": "Buy now"},
            "changes": {"status": "DONE", "resolution": "invalid", "comment": "Spam."},
        },
    )
    assert response.status_code == 200
    assert sorted(i["id"] for i in response.json()["items"]) == [i.id for i in spam]
    closed = (await http.get(f"/api/v1/issues/{spam[0].id}", headers=staff)).json()
    assert (closed["status"], closed["resolution"]) == ("DONE", "invalid")
    assert (await http.get(f"/api/v1/issues/{kept.id}", headers=staff)).json()["status"] == "OPEN"


async def test_reporters_are_refused_and_bad_requests_are_422(http, people) -> None:
    mine = make_issue(people["reporter"])
    refused = await http.post(
        "/api/v1/issues/bulk",
        headers=auth(people["reporter"]),
        json={"ids": [mine.id], "changes": {"severity": "LOW"}},
    )
    assert refused.status_code == 403
    staff = auth(people["maintainer"])
    for body, says in [
        ({"ids": [mine.id], "changes": {}}, "at least one change"),
        ({"changes": {"severity": "LOW"}}, "ids or a filter"),
        ({"ids": [mine.id], "changes": {"status": "TRIAGED", "version": 2}}, "version"),
    ]:
        response = await http.post("/api/v1/issues/bulk", headers=staff, json=body)
        assert response.status_code == 422, body
        assert says in response.text, response.text
    got = (await http.get(f"/api/v1/issues/{mine.id}", headers=staff)).json()
    assert got["version"] == mine.version
