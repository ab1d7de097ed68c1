"""axe-core on every page, for every role, on a laptop and a phone: no serious or critical
accessibility violation (WCAG 2.2 AA rules), in light and in dark mode."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.serverproc import Server

PASSWORD = "accessibility passphrase 9"
PAGES = {
    "REPORTER": [
        "/",
        "/issues/new",
        "/dashboard",
        "/account",
        "/issues/{issue}",
        "/notifications",
        "/views",
    ],
    "MAINTAINER": ["/", "/issues/new", "/dashboard", "/insights", "/issues/{issue}"],
    "ADMIN": [
        "/admin/users",
        "/admin/jobs",
        "/admin/tags",
        "/admin/webhooks",
        "/insights",
        "/issues/{issue}",
    ],
}
SIGNED_OUT = ["/forgot", "/reset?token=none", "/register"]


def _violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def _sign_in(browser: Any, server: Server, email: str, width: int, scheme: str) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    for path in ["/login", *SIGNED_OUT]:
        page.goto(f"{server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], path
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (390, "light"), (1280, "dark")])
def test_no_serious_violation_on_any_page(
    server: Server, browser: Any, width: int, scheme: str
) -> None:
    issue = None
    for role in PAGES:
        email = f"{role.lower()}.{width}.{scheme}@example.com"
        server.cli("create-user", "--email", email, "--password", PASSWORD, "--role", role)
        page = _sign_in(browser, server, email, width, scheme)
        if issue is None:  # one issue (the reporter's) that every role may open
            page.goto(f"{server.url}/issues/new")
            page.get_by_label("Title").fill("Accessible issue")
            page.get_by_role("button", name="File issue").click()
            expect(page).to_have_url(re.compile(r"/issues/\d+$"))
            issue = page.url.rsplit("/", 1)[1]
        for path in PAGES[role]:
            page.goto(server.url + path.format(issue=issue))
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            page.wait_for_load_state("networkidle")
            assert _violations(page) == [], (role, path)
        page.context.close()
