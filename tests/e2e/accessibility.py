"""axe-core on every page, for every role: what the tests/e2e/test_accessibility_*.py files
share. Each of those files checks one width and colour scheme (a laptop and a phone in light
mode, a laptop in dark mode), so pytest-xdist can run them on different workers: no serious
or critical accessibility violation (WCAG 2.2 AA rules) on any page."""

from __future__ import annotations

import re
import time
from typing import Any

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
SIGNED_OUT = ["/login", "/forgot", "/reset?token=none", "/register"]
# Rendered Markdown on the issue page: a link and code are checked for contrast too.
DESCRIPTION = "Steps in [the guide](https://example.com/guide), then run `tracker serve`."


# Resolves once the page's DOM has not changed for `quiet` ms (at most 10 s).
_DOM_QUIET = """quiet => new Promise(resolve => {
  let timer = setTimeout(done, quiet);
  const observer = new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(done, quiet);
  });
  const stop = setTimeout(done, 10000);
  function done() { observer.disconnect(); clearTimeout(stop); resolve(); }
  const all = {subtree: true, childList: true, attributes: true, characterData: true};
  observer.observe(document, all);
})"""


class Requests:
    """The page's HTTP requests in flight, its live connection (socket.io, which falls back to
    polling when the websocket is slow to open) aside."""

    def __init__(self, page: Page) -> None:
        self.pending: set[Any] = set()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Any) -> None:
        if "/_nicegui_ws/" not in request.url:
            self.pending.add(request)

    def _ended(self, request: Any) -> None:
        self.pending.discard(request)


def settle(page: Page, requests: Requests) -> None:
    """Wait until the page is connected, has no request in flight and its DOM has been still
    for 0.2 s: what axe-core should see. Playwright's "networkidle" waits 0.5 s more a page and
    never comes when the live connection has fallen back to polling (a busy machine)."""
    page.wait_for_function("window.did_handshake === true")
    deadline = time.monotonic() + 30
    while True:
        page.evaluate(_DOM_QUIET, 200)
        if not requests.pending:
            return
        pending = sorted(r.url for r in requests.pending)
        assert time.monotonic() < deadline, f"{page.url}: still loading {pending} after 30 s"
        page.wait_for_timeout(50)


def violations(page: Page) -> list[str]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def _signed_out_page(browser: Any, width: int, scheme: str) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    return context.new_page()


def _sign_in(page: Page, server: Server, email: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def check_every_page(server: Server, browser: Any, width: int, scheme: str) -> None:
    """At `width` in `scheme`: the signed-out pages (once: they are the same whoever signs
    in next), then for each role, in a browser context of its own signed in through the
    login page, the role's pages."""
    issue = None
    for n, role in enumerate(PAGES):
        email = f"{role.lower()}.{width}.{scheme}@example.com"
        server.add_user(email, PASSWORD, role)
        page = _signed_out_page(browser, width, scheme)
        requests = Requests(page)
        if n == 0:  # the same pages for everyone before sign-in: checked once
            for path in SIGNED_OUT:
                page.goto(f"{server.url}{path}")
                settle(page, requests)
                found = violations(page)
                assert found == [], (path, found)
        _sign_in(page, server, email)
        if issue is None:  # one issue (the reporter's) that every role may open
            page.goto(f"{server.url}/issues/new")
            page.get_by_label("Title").fill("Accessible issue")
            page.get_by_label("Description (Markdown)").fill(DESCRIPTION)
            page.get_by_role("button", name="File issue").click()
            expect(page).to_have_url(re.compile(r"/issues/\d+$"))
            issue = page.url.rsplit("/", 1)[1]
        for path in PAGES[role]:
            page.goto(server.url + path.format(issue=issue))
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            settle(page, requests)
            found = violations(page)
            assert found == [], (role, path, found)
        page.context.close()
