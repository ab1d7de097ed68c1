"""What a person sees on a phone, a laptop, a full-HD and a 4K-class monitor: the issue's
description, its comments and timeline, the Markdown preview, list rows and the dashboard chart
are on screen (not merely in the page) at every width. Quasar hides elements that carry one of its
breakpoint class names (`.md` is "medium screens only"): that hid every description and
comment outside 1024-1439 px until the rendered-Markdown container was renamed. A title or
description with a long word (a pasted URL) wraps inside the word: it made the list, and the
issue page, wider than the screen, so every title was cut off at its right edge."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.conftest import signed_in
from tests.serverproc import Server

PASSWORD = "visible everywhere passphrase 3"
EMAIL = "vera@example.com"
TITLE = "Export button greyed out"
DESCRIPTION = "The **export** button stays grey after choosing a range.\n\n- step one\n- step two"
DESCRIPTION_TEXT = "button stays grey after choosing a range"
COMMENT = "Seen on *Firefox* as well, with a `custom` range."
COMMENT_TEXT = "Seen on Firefox as well"
WIDTHS = {
    "phone": (390, 844),
    "laptop": (1280, 800),
    "full-hd": (1920, 1080),
    "4k": (3840, 2160),
}


LONG_URL = "https://example.com/builds/" + "0f3a9c5e7b1d" * 12 + "/crash.log"
LONG_EMAIL = "build-bot." + "0f3a9c5e7b1d" * 4 + "@example.com"


@pytest.fixture(scope="module")
def issues(server: Server) -> dict[str, int]:
    """The issue with a comment, and one whose title is a long URL, filed by a reporter whose
    e-mail address is one long word."""
    server.add_user(EMAIL, PASSWORD, "ADMIN")
    server.add_user(LONG_EMAIL, PASSWORD, "REPORTER")
    made = {}
    with httpx.Client(base_url=server.url, timeout=30) as api:
        for name, who, fields in (
            ("plain", EMAIL, {"title": TITLE, "description": DESCRIPTION, "severity": "HIGH"}),
            ("long", LONG_EMAIL, {"title": LONG_URL, "description": f"The log: {LONG_URL}"}),
        ):
            token = api.post("/api/v1/auth/token", json={"email": who, "password": PASSWORD})
            api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            created = api.post("/api/v1/issues", json=fields)
            assert created.status_code == 201, created.text
            made[name] = int(created.json()["id"])
            if name == "plain":
                comment = api.post(f"/api/v1/issues/{made[name]}/comments", json={"body": COMMENT})
                assert comment.status_code == 201, comment.text
    return made


@pytest.fixture(scope="module")
def issue_id(issues: dict[str, int]) -> int:
    return issues["plain"]


@pytest.fixture(scope="module")
def long_issue(issues: dict[str, int]) -> int:
    return issues["long"]


@pytest.fixture(scope="module", params=list(WIDTHS), ids=list(WIDTHS))
def page(
    request: pytest.FixtureRequest, server: Server, browser: Any, issue_id: int
) -> Iterator[Page]:
    """One signed-in page per width, shared by the tests at that width."""
    width, height = WIDTHS[request.param]
    page = signed_in(browser, server, EMAIL, PASSWORD, width=width, height=height)
    yield page
    page.context.close()


def on_screen(locator: Any) -> None:
    """Visible, and inside the viewport once scrolled to (not clipped away sideways)."""
    expect(locator).to_be_visible()
    for _ in range(10):  # live parts may be re-rendered between two steps
        try:
            locator.scroll_into_view_if_needed(timeout=2000)
            break
        except PlaywrightError:
            locator.page.wait_for_timeout(200)
    expect(locator).to_be_in_viewport()


def test_description_and_comments_show(page: Page, server: Server, issue_id: int) -> None:
    page.goto(f"{server.url}/issues/{issue_id}")
    on_screen(page.get_by_text(DESCRIPTION_TEXT))
    on_screen(page.locator("strong", has_text="export"))
    on_screen(page.get_by_text("step two"))
    on_screen(page.get_by_text(COMMENT_TEXT))
    on_screen(page.locator("code", has_text="custom"))
    filed = page.get_by_role("listitem").filter(has_text=f"{EMAIL} filed the issue")
    on_screen(filed)
    on_screen(page.get_by_role("listitem").filter(has_text=f"{EMAIL} commented"))
    exact = filed.locator("time").get_attribute("title") or ""  # shown on hover
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", exact), exact


def test_markdown_preview_shows(page: Page, server: Server, issue_id: int) -> None:
    page.goto(f"{server.url}/issues/new")
    page.get_by_label("Description (Markdown)").fill("Preview **must** be readable")
    page.get_by_role("tab", name="Preview").click()
    on_screen(page.locator("strong", has_text="must"))
    on_screen(page.get_by_text("be readable"))


def test_list_and_dashboard_show(page: Page, server: Server, issue_id: int) -> None:
    page.goto(f"{server.url}/")
    on_screen(page.get_by_role("link", name=TITLE))
    page.goto(f"{server.url}/dashboard")
    on_screen(page.get_by_text("Unresolved issues by severity"))
    on_screen(page.locator(".js-plotly-plot").first)


def _no_sideways_scroll(page: Page, selector: str) -> None:
    widths = page.locator(selector).first.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1] + 1, (selector, widths)


def test_a_long_word_wraps_instead_of_widening_the_page(
    page: Page, server: Server, long_issue: int
) -> None:
    page.goto(f"{server.url}/")
    title = page.get_by_role("link", name=LONG_URL)
    on_screen(title)
    _no_sideways_scroll(page, ".issue-table .q-table__middle")
    right = title.evaluate("e => e.getBoundingClientRect().right")
    assert right <= page.viewport_size["width"]  # its end is on screen, not cut off
    on_screen(page.get_by_role("link", name=TITLE))

    page.goto(f"{server.url}/issues/{long_issue}")
    on_screen(page.get_by_role("heading", name=LONG_URL))
    on_screen(page.get_by_text("The log:"))
    _no_sideways_scroll(page, "html")

    page.goto(f"{server.url}/admin/users")
    on_screen(page.get_by_text(LONG_EMAIL, exact=True))
    _no_sideways_scroll(page, "html")
