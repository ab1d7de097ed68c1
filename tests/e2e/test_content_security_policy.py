"""The pages' Content-Security-Policy in Chromium: signing in, every page (charts, image
thumbnails, an upload, the Markdown preview, the RQ door) works without a single CSP
violation, and the policy really stops what it is for: an image planted in a page cannot
call another site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import attach_files
from tests.e2e.test_markdown_images import PNG, ThirdParty
from tests.serverproc import Server

EMAIL = "cora@example.com"
PASSWORD = "content policy passphrase 5"
# Every violation the page reports, and the console's words for one.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def third_party() -> Iterator[ThirdParty]:
    site = ThirdParty()
    yield site
    site.close()


@pytest.fixture
def page(server: Server, browser: Any) -> Iterator[Page]:
    server.add_user(EMAIL, PASSWORD, "ADMIN")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__violations"))


def test_every_page_works_under_the_policy_and_it_blocks_foreign_images(
    server: Server, page: Page, third_party: ThirdParty, tmp_path
) -> None:
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(f"{server.url}/login")
    assert "img-src 'self' data: blob:;" in page.evaluate(
        "fetch('/login').then(r => r.headers.get('content-security-policy'))"
    )
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("No issues yet. They appear here, live")).to_be_visible()
    assert violations(page) == []

    # A new issue with a screenshot, through the upload element and the Markdown preview.
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    page.goto(f"{server.url}/issues/new")
    page.get_by_label("Title").fill("Policy check")
    page.get_by_label("Description (Markdown)").fill("Some **bold** text")
    page.get_by_role("tab", name="Preview").click()
    expect(page.locator(".tracker-md strong")).to_have_text("bold")
    attach_files(page, shot)
    page.wait_for_function("[...document.images].every(i => i.complete)")  # its preview
    assert violations(page) == []
    page.get_by_role("button", name="File issue").click()
    thumbnail = page.locator("img[alt^='Attachment'], img[alt^='Thumbnail of']").first
    expect(thumbnail).to_be_visible()
    page.wait_for_function("[...document.images].every(i => i.complete)")
    assert thumbnail.evaluate("img => img.naturalWidth") >= 1  # the upload or its thumbnail
    issue_url = page.url
    assert violations(page) == []

    for path, ready in [
        ("/", page.get_by_role("link", name="Policy check")),
        ("/dashboard", page.locator(".js-plotly-plot").first),
        ("/insights", page.locator(".js-plotly-plot").first),
        ("/admin/users", page.get_by_text(EMAIL).first),
        ("/admin/jobs", page.get_by_text("Recompute today now")),
        ("/account", page.get_by_role("button", name="Change password")),
        ("/rq/", page.get_by_text("No job queue")),
    ]:
        page.goto(f"{server.url}{path}")
        expect(ready).to_be_visible()
        page.wait_for_timeout(300)  # charts draw after they show
        assert violations(page) == [], path
    assert not [m for m in console if "Content Security Policy" in m], console

    # What the policy is for: an image that got into a page cannot call anyone.
    page.goto(issue_url)
    expect(thumbnail).to_be_visible()
    page.evaluate(
        "url => { const i = new Image(); i.src = url; document.body.append(i); }",
        f"{third_party.url}/pixel.gif",
    )
    page.wait_for_function("window.__violations.length > 0")
    assert violations(page) == [f"img-src {third_party.url}/pixel.gif"]
    httpx.get(f"{server.url}/healthz")  # a round trip, so a request would have arrived
    assert third_party.paths == []
