"""API requests skip the middleware only pages need (tracker_app.api_first): the real
server answers them with our own headers but without NiceGUI's session cookie, which pages
still get. A page's websocket goes straight to engine.io, which still refuses another
site's."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import httpx
import pytest
import socketio

from tests.serverproc import running_server
from tracker_app.api_first import ApiFirst

CLIENT_ID = re.compile(r"""['"]client_id['"]:\s*['"]([0-9a-f-]+)['"]""")


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


async def _connect(base: str, origin: str) -> bool:
    """Open the sign-in page and connect its socket as a browser on `origin` would."""
    async with httpx.AsyncClient() as http:
        page = await http.get(f"{base}/login")
    found = CLIENT_ID.search(page.text)
    assert found, "no NiceGUI client id in the page"
    query = f"client_id={found.group(1)}&tab_id={uuid.uuid4()}&document_id={uuid.uuid4()}"
    sio = socketio.AsyncClient(reconnection=False)
    try:
        await sio.connect(
            f"{base}/?{query}&implicit_handshake=true&next_message_id=0",
            socketio_path="/_nicegui_ws/socket.io",
            transports=["websocket"],
            headers={"Origin": origin},
            wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        return False
    connected = sio.connected
    await sio.disconnect()
    return connected


def test_a_pages_socket_connects_from_its_own_site_only(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        ours = asyncio.run(_connect(server.url, server.url))
        theirs = asyncio.run(_connect(server.url, "https://evil.example"))
    assert ours and not theirs


@pytest.mark.parametrize(
    ("kind", "path", "reaches"),
    [
        ("websocket", "/_nicegui_ws/socket.io/", "sockets"),
        ("websocket", "/elsewhere", "full"),
        ("http", "/_nicegui_ws/socket.io/", "full"),  # engine.io's polling: the whole stack
        ("http", "/api/v1/issues", "lean"),
        ("http", "/issues/1", "full"),
    ],
)
async def test_each_request_goes_down_its_own_stack(kind: str, path: str, reaches: str) -> None:
    seen: list[tuple[str, dict]] = []

    def app(name: str):
        async def receive_scope(scope, receive, send) -> None:
            seen.append((name, scope))

        return receive_scope

    router = ApiFirst("/api/v1/", app("lean"), app("full"), app("sockets"))
    await router({"type": kind, "path": path, "root_path": ""}, None, None)
    [(name, scope)] = seen
    assert name == reaches
    if name == "sockets":  # as NiceGUI's mount would give it: engine.io strips the prefix
        assert scope["root_path"] == "/_nicegui_ws" and scope["path"] == path
