"""Markdown images in Chromium: an image in a description or a comment loads only from this
site's own attachment URLs. An image that would act (`/auth/logout`, `/rq/...`) or call a
third party (a tracking pixel) is a plain link instead, and the browser never requests it.

The "third party" is a listener on this machine that counts every request it gets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in
from tests.serverproc import Server

EMAIL = "ivy@example.com"
PASSWORD = "markdown image passphrase 3"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f0dd7a0000000049454e44ae426082"
)


class ThirdParty:
    """An HTTP listener standing in for another site; records the paths it was asked for."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        paths = self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(PNG)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def third_party() -> Iterator[ThirdParty]:
    site = ThirdParty()
    yield site
    site.close()


def _seed(server: Server, pixel: str) -> tuple[int, int]:
    """An issue whose description and comment hold every kind of image; (issue, file) ids."""
    server.add_user(EMAIL, PASSWORD, "REPORTER")
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=30) as api:
        token = api.post("/auth/token", json={"email": EMAIL, "password": PASSWORD})
        api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        issue = api.post("/issues", json={"title": "Images everywhere"}).json()
        shot = api.post(
            f"/issues/{issue['id']}/attachments", files={"file": ("shot.png", PNG, "image/png")}
        ).json()
        description = (
            f"Own: ![own screenshot](/attachments/{shot['id']}?inline=1)\n\n"
            f"Pixel: ![tracking pixel]({pixel}/pixel.gif)\n\n"
            "Acting: ![](/auth/logout) ![requeue](/rq/requeue/default)"
        )
        patched = api.patch(
            f"/issues/{issue['id']}", json={"description": description, "version": 1}
        )
        assert patched.status_code == 200, patched.text
        comment = api.post(
            f"/issues/{issue['id']}/comments", json={"body": f"![comment pixel]({pixel}/c.gif)"}
        )
        assert comment.status_code == 201, comment.text
    return issue["id"], shot["id"]


def test_only_own_attachments_load_as_images(
    server: Server, browser: Any, third_party: ThirdParty
) -> None:
    issue_id, file_id = _seed(server, third_party.url)
    page = signed_in(browser, server, EMAIL, PASSWORD)
    context = page.context
    try:
        expect(page.get_by_text("Images everywhere")).to_be_visible()

        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{server.url}/issues/{issue_id}")
        description = page.locator(".tracker-md").first
        own = description.get_by_role("img", name="own screenshot")
        expect(own).to_be_visible()
        page.wait_for_function("[...document.images].every(i => i.complete)")
        assert own.evaluate("img => img.naturalWidth") == 1  # the PNG really loaded

        # Every other image is a link showing its alt text (or its URL), and nothing more.
        expect(page.locator(".tracker-md img")).to_have_count(1)
        links = {
            "tracking pixel": f"{third_party.url}/pixel.gif",
            "/auth/logout": "/auth/logout",
            "requeue": "/rq/requeue/default",
            "comment pixel": f"{third_party.url}/c.gif",
        }
        for text, href in links.items():
            expect(page.get_by_role("link", name=text, exact=True)).to_have_attribute("href", href)

        assert third_party.paths == []
        assert not [u for u in requested if u.startswith(third_party.url)], requested
        assert not [u for u in requested if "/auth/logout" in u or "/rq/" in u], requested
        assert f"{server.url}/attachments/{file_id}?inline=1" in requested

        page.reload()  # still signed in: no image signed the reader out
        expect(page.get_by_text("Images everywhere").first).to_be_visible()
        expect(page).to_have_url(f"{server.url}/issues/{issue_id}")
    finally:
        context.close()
