"""The API documents itself: /docs, /redoc, /openapi.json with the bearer scheme."""

from __future__ import annotations


async def test_openapi_documents_every_endpoint_and_the_bearer_scheme(http) -> None:
    spec = (await http.get("/openapi.json")).json()
    assert spec["info"]["title"] == "Issues & Insights Tracker API"
    paths = spec["paths"]
    for path in [
        "/api/v1/auth/token",
        "/api/v1/auth/register",
        "/api/v1/me",
        "/api/v1/issues",
        "/api/v1/issues/{issue_id}",
        "/api/v1/issues/{issue_id}/status",
        "/api/v1/issues/{issue_id}/tags",
        "/api/v1/issues/{issue_id}/assignee",
        "/api/v1/issues/{issue_id}/comments",
        "/api/v1/issues/{issue_id}/activity",
        "/api/v1/issues/{issue_id}/attachments",
        "/api/v1/attachments/{attachment_id}",
        "/api/v1/stats/open-by-severity",
        "/api/v1/stats/daily",
        "/api/v1/users",
        "/api/v1/users/{user_id}",
        "/api/v1/issues/export.csv",
        "/api/v1/issues/import",
        "/api/v1/issues/similar",
        "/api/v1/issues/{issue_id}/similar",
        "/api/v1/issues/{issue_id}/duplicate",
        "/healthz",
    ]:
        assert path in paths, path
    assert not any(p.startswith(("/_nicegui", "/auth/", "/attachments/")) for p in paths)
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    token_body = spec["components"]["schemas"]["TokenRequest"]["properties"]["email"]
    assert token_body["examples"] == ["ana.admin@example.com"]
    assert "409" in paths["/api/v1/issues/{issue_id}"]["patch"]["responses"]


async def test_docs_pages_are_served(http) -> None:
    for path in ("/docs", "/redoc"):
        response = await http.get(path)
        assert response.status_code == 200 and "openapi.json" in response.text


async def test_health_says_what_is_up_without_secrets(http) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "disabled",
        "storage": "ok",
        "storage_kind": "local",
    }
