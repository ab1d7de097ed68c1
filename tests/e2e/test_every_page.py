"""Every page, for every role, as a browser shows it:

- accessible: axe-core finds no serious or critical violation (WCAG 2.2 AA rules and axe's
  best practices) on a laptop in light and in dark mode, and on a phone;
- styled: Tailwind's compiler, loaded into the page, writes no rule that pages/utilities.css
  lacks (a class that NiceGUI, Quasar or Plotly put on an element, or one built at run time,
  which tests/e2e/test_utility_styles.py's scan of the source would miss);
- served: every page links that stylesheet, none loads the compiler, and browsers may keep
  the stylesheet a year.

One crawl serves the checks: a page load costs Chromium about a second of CPU, and the three
looks are one load each page (tests/e2e/accessibility.py, LOOKS)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from pages import utilities
from tests.e2e.accessibility import HEIGHT, LOOKS, Requests, settle, show_as, violations
from tests.e2e.conftest import signed_in
from tests.e2e.tailwind import rules_lacking
from tests.serverproc import Server

PASSWORD = "every page passphrase 9"
PAGES = {
    "REPORTER": [
        "/",
        "/issues/new",
        "/dashboard",
        "/account",
        "/issues/{issue}",
        "/notifications",
        "/views",
        "/no-such-page",
    ],
    # With a status chosen: its chip pressed, the others outlined (their contrast in dark).
    "MAINTAINER": ["/?status=OPEN", "/issues/new", "/dashboard", "/insights", "/issues/{issue}"],
    "ADMIN": [
        "/",
        "/admin/users",
        "/admin/jobs",
        "/admin/tags",
        "/admin/webhooks",
        "/insights",
        "/issues/{issue}",
    ],
}
SIGNED_OUT = ["/login", "/forgot", "/reset?token=none", "/register", "/no-such-page"]
# Rendered Markdown on the issue page: a link and code are checked for contrast too.
DESCRIPTION = "Steps in [the guide](https://example.com/guide), then run `tracker serve`."


@dataclass
class Findings:
    violations: dict[str, list[str]] = field(default_factory=dict)  # page and look: found
    lacking: dict[str, list[str]] = field(default_factory=dict)  # page: rules


@pytest.fixture(scope="module")
def findings(server: Server, browser: Any) -> Findings:
    """The signed-out pages, then each role's pages in a browser context of its own."""
    found = Findings()
    page = browser.new_context(viewport={"width": LOOKS[0][1], "height": HEIGHT}).new_page()
    requests = Requests(page)
    for path in SIGNED_OUT:
        page.goto(server.url + path)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        _check(page, requests, path, found)
    page.context.close()
    issue = None
    for role, paths in PAGES.items():
        email = f"{role.lower()}.every.page@example.com"
        server.add_user(email, PASSWORD, role)
        page = signed_in(browser, server, email, PASSWORD, width=LOOKS[0][1], height=HEIGHT)
        requests = Requests(page)
        if issue is None:  # one issue (the reporter's) that every role may open
            issue = _file_issue(page, server)
        for path in paths:
            page.goto(server.url + path.format(issue=issue))
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            _check(page, requests, f"{path} as {role.lower()}", found)
        page.context.close()
    return found


def _check(page: Page, requests: Requests, where: str, found: Findings) -> None:
    for name, width, scheme in LOOKS:
        show_as(page, width, scheme)
        settle(page, requests)
        if seen := violations(page):
            found.violations[f"{where}, {name}, {scheme}"] = seen
    if lacking := rules_lacking(page):  # last: the compiler's rules stay in the page
        found.lacking[where] = lacking


def _file_issue(page: Page, server: Server) -> str:
    page.goto(f"{server.url}/issues/new")
    page.get_by_label("Title").fill("Accessible issue")
    page.get_by_label("Description (Markdown)").fill(DESCRIPTION)
    page.get_by_role("button", name="File issue").click()
    expect(page).to_have_url(re.compile(r"/issues/\d+$"))
    return page.url.rsplit("/", 1)[1]


def test_no_serious_accessibility_violation_on_any_page(findings: Findings) -> None:
    assert findings.violations == {}


def test_no_page_needs_a_rule_the_stylesheet_lacks(findings: Findings) -> None:
    lacking = sorted({rule for rules in findings.lacking.values() for rule in rules})
    assert lacking == [], (
        f"pages/utilities.css lacks {lacking} on {sorted(findings.lacking)}: rewrite it (see "
        "tests/e2e/test_utility_styles.py), after adding the classes to FROM_THE_LIBRARIES "
        "there if no source of ours names them"
    )


def test_every_page_links_the_stylesheet_which_browsers_keep_a_year(server: Server) -> None:
    page = httpx.get(f"{server.url}/login")
    assert f'<link rel="stylesheet" href="{utilities.URL}">' in page.text
    assert "tailwindcss.min.js" not in page.text  # no compiler in the browser
    sheet = httpx.get(server.url + utilities.URL, headers={"Accept-Encoding": "gzip"})
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert sheet.headers["content-encoding"] == "gzip"
    assert "max-age=31536000" in sheet.headers["cache-control"]
    assert sheet.text == utilities.CSS.read_text()


def test_an_address_with_no_page_says_so_in_a_page_of_ours_or_in_json(server: Server) -> None:
    """A browser gets a page with a heading and a way back (NiceGUI's own 404 page showed
    "HTTPException: 404: Not Found"), with the header of whoever is signed in; an API client
    gets the JSON of the API's other errors."""
    page = httpx.get(f"{server.url}/issues/1/nothing", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "Page not found" in page.text and "Back to the issues" in page.text
    assert "HTTPException" not in page.text
    assert "Sign out" not in page.text
    server.add_user("lost@example.com", PASSWORD, "REPORTER")
    cookie = server.session_cookie("lost@example.com", PASSWORD)
    signed_in = httpx.get(
        f"{server.url}/issues/1/nothing",
        headers={"Accept": "text/html"},
        cookies={cookie["name"]: cookie["value"]},
    )
    assert signed_in.status_code == 404
    assert "Page not found" in signed_in.text
    assert "Sign out" in signed_in.text and "New issue" in signed_in.text  # the whole header
    for accept in ("application/json", "*/*"):
        api = httpx.get(f"{server.url}/api/v1/no-such-thing", headers={"Accept": accept})
        assert (api.status_code, api.json()) == (404, {"detail": "Not Found"})
