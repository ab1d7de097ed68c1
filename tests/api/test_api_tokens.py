"""Named tokens over HTTP: created once, used as a bearer, listed without values, revoked."""

from __future__ import annotations

from tests.api.conftest import auth


async def test_create_use_list_and_revoke_a_named_token(http, people) -> None:
    me = auth(people["reporter"])
    made = await http.post("/api/v1/tokens", headers=me, json={"name": "backup script", "days": 30})
    assert made.status_code == 201
    body = made.json()
    value = body["token"]
    assert value.startswith("trk_") and body["info"]["name"] == "backup script"
    bearer = {"Authorization": f"Bearer {value}"}
    assert (await http.get("/api/v1/me", headers=bearer)).json()["email"] == "rep@example.com"
    listed = (await http.get("/api/v1/tokens", headers=bearer)).json()
    assert [t["name"] for t in listed] == ["backup script"]
    assert value not in str(listed) and listed[0]["hint"] == value[-4:]
    gone = await http.delete(f"/api/v1/tokens/{body['info']['id']}", headers=me)
    assert gone.status_code == 204
    assert (await http.get("/api/v1/me", headers=bearer)).status_code == 401


async def test_bad_names_and_someone_elses_token(http, people) -> None:
    me, other = auth(people["reporter"]), auth(people["other"])
    assert (await http.post("/api/v1/tokens", headers=me, json={"name": " "})).status_code == 422
    bad_days = await http.post("/api/v1/tokens", headers=me, json={"name": "x", "days": 3})
    assert bad_days.status_code == 422 and "7, 30, 90, 365" in bad_days.text
    theirs = (await http.post("/api/v1/tokens", headers=other, json={"name": "t"})).json()
    assert (
        await http.delete(f"/api/v1/tokens/{theirs['info']['id']}", headers=me)
    ).status_code == 404
