"""/api/v1/views: saved views over HTTP, with the services' rules and the usual errors."""

from __future__ import annotations

from tests.api.conftest import auth
from tests.api.conftest import people as people


async def test_a_user_saves_lists_renames_and_deletes_a_view(http, people) -> None:
    me = auth(people["maintainer"])
    body = {"name": " Hot ", "query": "?severity=HIGH&page=2&sort=-updated&status=OPEN"}
    made = await http.post("/api/v1/views", json=body, headers=me)
    assert made.status_code == 201, made.text
    view = made.json()
    assert (view["name"], view["query"]) == ("Hot", "status=OPEN&severity=HIGH")
    assert view["url"] == "/?status=OPEN&severity=HIGH" and view["shared"] is False
    listed = await http.get("/api/v1/views", headers=me)
    assert [v["id"] for v in listed.json()] == [view["id"]]

    again = await http.post("/api/v1/views", json={"name": "HOT", "query": ""}, headers=me)
    assert again.status_code == 409 and again.json()["detail"] == (
        "You already have a view named “Hot”."
    )
    replaced = await http.post(
        "/api/v1/views", json={"name": "hot", "query": "", "replace": True}, headers=me
    )
    assert replaced.status_code == 201
    assert (replaced.json()["id"], replaced.json()["url"]) == (view["id"], "/")

    renamed = await http.patch(f"/api/v1/views/{view['id']}", json={"name": "Cold"}, headers=me)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Cold"
    gone = await http.delete(f"/api/v1/views/{view['id']}", headers=me)
    assert gone.status_code == 204
    assert (await http.delete(f"/api/v1/views/{view['id']}", headers=me)).status_code == 404
    assert (await http.get("/api/v1/views", headers=me)).json() == []


async def test_bad_views_are_422_naming_the_field(http, people) -> None:
    me = auth(people["reporter"])
    for body, field in [
        ({"name": "", "query": ""}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"name": "Mine", "owner_id": people["admin"].id}, "owner_id"),
    ]:
        refused = await http.post("/api/v1/views", json=body, headers=me)
        assert refused.status_code == 422, body
        assert [e["loc"][-1] for e in refused.json()["detail"]] == [field], refused.text
    bogus = await http.post(
        "/api/v1/views", json={"name": "Bogus", "query": "status=BOGUS"}, headers=me
    )
    assert bogus.status_code == 422
    assert "Unknown status BOGUS" in bogus.json()["errors"]["query"]
    assert (await http.get("/api/v1/views", headers=me)).json() == []


async def test_sharing_is_for_admins_and_private_views_stay_private(http, people) -> None:
    reporter, maintainer, admin = (auth(people[r]) for r in ("reporter", "maintainer", "admin"))
    private = (await http.post("/api/v1/views", json={"name": "Mine"}, headers=reporter)).json()
    for headers in (maintainer, admin):
        assert (await http.get("/api/v1/views", headers=headers)).json() == []
        missing = await http.patch(
            f"/api/v1/views/{private['id']}", json={"name": "Taken"}, headers=headers
        )
        assert missing.status_code == 404
        assert (
            await http.delete(f"/api/v1/views/{private['id']}", headers=headers)
        ).status_code == 404
    refused = await http.post(
        "/api/v1/views", json={"name": "Team", "shared": True}, headers=maintainer
    )
    assert refused.status_code == 403

    shared = await http.post(
        "/api/v1/views",
        json={"name": "Open bugs", "query": "status=OPEN&tag=bug", "shared": True},
        headers=admin,
    )
    assert shared.status_code == 201 and shared.json()["shared"] is True
    view_id = shared.json()["id"]
    seen = (await http.get("/api/v1/views", headers=reporter)).json()
    assert [(v["name"], v["shared"]) for v in seen] == [("Mine", False), ("Open bugs", True)]
    for change in ({"name": "Ours"}, {"shared": False}):
        denied = await http.patch(f"/api/v1/views/{view_id}", json=change, headers=reporter)
        assert denied.status_code == 403, change
    assert (await http.delete(f"/api/v1/views/{view_id}", headers=reporter)).status_code == 403
    unshared = await http.patch(f"/api/v1/views/{view_id}", json={"shared": False}, headers=admin)
    assert unshared.status_code == 200 and unshared.json()["shared"] is False
    assert [v["name"] for v in (await http.get("/api/v1/views", headers=reporter)).json()] == [
        "Mine"
    ]


async def test_views_need_a_signed_in_user_and_are_documented(http) -> None:
    assert (await http.get("/api/v1/views")).status_code == 401
    assert (await http.post("/api/v1/views", json={"name": "x"})).status_code == 401
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert set(paths["/api/v1/views"]) == {"get", "post"}
    assert set(paths["/api/v1/views/{view_id}"]) == {"patch", "delete"}
    assert "409" in paths["/api/v1/views"]["post"]["responses"]
