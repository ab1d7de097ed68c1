"""API requests skip the middleware only pages need (tracker_app.api_first): the real
server answers them with our own headers but without NiceGUI's session cookie, which pages
still get."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.serverproc import running_server


def test_api_answers_carry_our_headers_but_no_page_session(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        page = httpx.get(f"{server.url}/login")
        api = httpx.get(f"{server.url}/api/v1/issues")  # not signed in
        token = httpx.post(
            f"{server.url}/api/v1/auth/token", json={"email": "x@example.com", "password": "y"}
        )
        docs = httpx.get(f"{server.url}/openapi.json")
    assert page.status_code == 200 and "session=" in page.headers.get("set-cookie", "")
    assert api.status_code == 401 and token.status_code == 401
    for answer in (api, token):
        assert "set-cookie" not in answer.headers  # NiceGUI's session was never started
        assert answer.headers["x-content-type-options"] == "nosniff"  # ours still apply
        assert answer.headers["x-request-id"]
        assert answer.json()["detail"]
    assert docs.status_code == 200 and "/api/v1/issues" in docs.json()["paths"]
