"""`Idempotency-Key` on the two creates: a retry gets the first 201 and body again."""

from __future__ import annotations

import services
from tests.api.conftest import auth
from tests.factories import make_issue

KEY = {"Idempotency-Key": "0b9e4a53-5a2f-4a39-9d55-0c8e2b7f1d10"}


def _issues(actor) -> int:
    with services.session() as s:
        return services.issues.list_issues(s, actor).total


async def test_a_retried_issue_create_gets_the_first_response_again(http, people) -> None:
    headers = auth(people["reporter"]) | KEY
    body = {"title": "Printer on fire", "severity": "HIGH"}
    first = await http.post("/api/v1/issues", json=body, headers=headers)
    again = await http.post("/api/v1/issues", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert _issues(people["admin"]) == 1
    other = await http.post("/api/v1/issues", json={"title": "Another"}, headers=headers)
    assert other.status_code == 422
    assert "already used for a different request" in other.json()["detail"]
    assert _issues(people["admin"]) == 1
    # without a key nothing changes: each request is a new issue
    plain = auth(people["reporter"])
    for _ in range(2):
        assert (await http.post("/api/v1/issues", json=body, headers=plain)).status_code == 201
    assert _issues(people["admin"]) == 3


async def test_a_retried_comment_gets_the_first_response_again(http, people) -> None:
    issue = make_issue(people["reporter"])
    headers = auth(people["reporter"]) | KEY
    url = f"/api/v1/issues/{issue.id}/comments"
    first = await http.post(url, json={"body": "Still broken"}, headers=headers)
    again = await http.post(url, json={"body": "Still broken"}, headers=headers)
    assert first.status_code == again.status_code == 201 and again.content == first.content
    listed = await http.get(url, headers=auth(people["reporter"]))
    assert [c["body"] for c in listed.json()] == ["Still broken"]
    changed = await http.post(url, json={"body": "Changed my mind"}, headers=headers)
    assert changed.status_code == 422


async def test_keys_belong_to_one_user(http, people) -> None:
    body = {"title": "Same words"}
    mine = await http.post("/api/v1/issues", json=body, headers=auth(people["reporter"]) | KEY)
    theirs = await http.post("/api/v1/issues", json=body, headers=auth(people["other"]) | KEY)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["reporter"]["email"] == "other@example.com"


async def test_a_malformed_key_is_a_clear_422(http, people) -> None:
    headers = auth(people["reporter"]) | {"Idempotency-Key": "x" * 256}
    response = await http.post("/api/v1/issues", json={"title": "x"}, headers=headers)
    assert response.status_code == 422
    assert "1 to 255 visible ASCII characters" in response.json()["detail"]
    assert _issues(people["admin"]) == 0


async def test_the_header_is_documented_on_both_creates(http) -> None:
    spec = (await http.get("/openapi.json")).json()
    for path in ("/api/v1/issues", "/api/v1/issues/{issue_id}/comments"):
        [header] = [p for p in spec["paths"][path]["post"]["parameters"] if p["in"] == "header"]
        assert header["name"] == "Idempotency-Key" and not header.get("required")
        assert "24 hours" in header["description"]
