"""Similar issues and duplicates over HTTP: the same visibility rules and conflicts as the
services."""

from __future__ import annotations

from tests.api.conftest import auth
from tests.factories import make_issue


async def test_staff_get_suggestions_and_merge_a_duplicate(http, people) -> None:
    staff = auth(people["maintainer"])
    original = make_issue(people["other"], title="Exporting the issue list to CSV times out")
    dup = make_issue(people["reporter"], title="CSV export of the issue list times out")
    found = await http.get(
        "/api/v1/issues/similar",
        headers=staff,
        params={"title": "CSV export of issues times out", "description": ""},
    )
    assert found.status_code == 200
    body = found.json()
    assert body["mode"] == "lexical" and not body["hidden_match"]
    assert {original.id, dup.id} <= {i["id"] for i in body["items"]}
    item = body["items"][0]
    assert set(item) >= {"id", "title", "status", "score", "reasons"}

    stale = await http.post(
        f"/api/v1/issues/{dup.id}/duplicate", headers=staff, json={"of": original.id, "version": 9}
    )
    assert stale.status_code == 409
    merged = await http.post(
        f"/api/v1/issues/{dup.id}/duplicate",
        headers=staff,
        json={"of": original.id, "version": dup.version},
    )
    assert merged.status_code == 200
    assert merged.json()["duplicate_of"] == original.id and merged.json()["status"] == "DONE"
    got = (await http.get(f"/api/v1/issues/{original.id}", headers=staff)).json()
    assert got["affected"] == 2 and got["duplicate_of"] is None
    listed = await http.get("/api/v1/issues", headers=staff, params={"sort": "-affected"})
    assert listed.json()["items"][0]["id"] == original.id
    several = await http.get("/api/v1/issues", headers=staff, params={"affected_min": 2})
    assert [i["id"] for i in several.json()["items"]] == [original.id]
    refused = await http.get("/api/v1/issues", headers=staff, params={"affected_min": 0})
    assert refused.status_code == 422 and "affected_min" in refused.text


async def test_a_reporter_learns_nothing_about_anyone_elses_issue(http, people) -> None:
    theirs = make_issue(people["other"], title="Exporting the issue list to CSV times out")
    mine = make_issue(people["reporter"], title="Dark mode sidebar unreadable")
    rep = auth(people["reporter"])
    found = await http.get(
        "/api/v1/issues/similar",
        headers=rep,
        params={"title": "Exporting the issue list to CSV times out"},
    )
    body = found.json()
    assert theirs.id not in {i["id"] for i in body["items"]}
    assert body["hidden_match"] is True
    assert all(i["id"] == mine.id for i in body["items"])  # nothing of theirs, not a title
    # someone else's issue: 404, as for every other route
    assert (await http.get(f"/api/v1/issues/{theirs.id}/similar", headers=rep)).status_code == 404
    refused = await http.post(
        f"/api/v1/issues/{mine.id}/duplicate", headers=rep, json={"of": theirs.id, "version": 1}
    )
    assert refused.status_code == 403


async def test_the_duplicate_body_is_checked(http, people) -> None:
    staff = auth(people["maintainer"])
    issue = make_issue(people["reporter"])
    bad = await http.post(
        f"/api/v1/issues/{issue.id}/duplicate", headers=staff, json={"of": issue.id, "version": 1}
    )
    assert bad.status_code == 422 and "itself" in bad.text
    extra = await http.post(
        f"/api/v1/issues/{issue.id}/duplicate",
        headers=staff,
        json={"of": 1, "version": 1, "status": "OPEN"},
    )
    assert extra.status_code == 422
