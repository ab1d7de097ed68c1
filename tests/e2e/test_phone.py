"""On a phone (390 by 844): the header is one row with a menu, the issue list is a list of
cards with a sort picker, a live change is announced once to screen readers, and the charts'
toolbar is one small button. On full HD the header shows every link."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in
from tests.serverproc import Server

PASSWORD = "phone sized passphrase 3"


@pytest.fixture(scope="module")
def pia(server: Server, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An admin with a dozen issues to show, for every test of the module (in any order)."""
    tmp_path = tmp_path_factory.mktemp("phone")
    server.add_user("pia@example.com", PASSWORD, "ADMIN")
    rows = "".join(
        f"A rather long title for issue number {n} that wraps on a phone,,{sev}\n"
        for n, sev in enumerate(["LOW", "HIGH", "CRITICAL", "MEDIUM"] * 3)
    )
    (tmp_path / "in.csv").write_text("title,description,severity\n" + rows)
    server.cli("import", str(tmp_path / "in.csv"))
    return "pia@example.com"


def test_the_list_and_header_fit_a_phone(
    server: Server, browser: Any, pia: str, tmp_path: Path, shots: Path
) -> None:
    page = signed_in(browser, server, pia, PASSWORD, width=390)
    page.set_viewport_size({"width": 390, "height": 844})
    header = page.locator("header")
    assert header.evaluate("e => e.getBoundingClientRect().height") < 80  # one row, not three
    expect(page.get_by_role("link", name="Dashboard")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("menuitem", name="Dashboard")).to_be_visible()
    page.screenshot(path=shots / "12-phone-menu.png")
    page.get_by_role("menuitem", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))

    page.goto(server.url + "/")
    title = page.get_by_role("link", name=re.compile("issue number 11 that wraps"))
    expect(title).to_be_visible()
    inside = "e => { const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= 390; }"
    assert title.evaluate(inside)  # the whole title, no sideways scroll
    page.screenshot(path=shots / "13-phone-list.png")
    middle = page.locator(".issue-table .q-table__middle")
    assert middle.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    expect(page.locator(".issue-table thead")).to_be_hidden()
    expect(page.locator(".issue-table [role=status]")).to_have_count(0)

    page.get_by_label("Sort").click()
    page.get_by_role("option", name="Oldest first").click()
    expect(page).to_have_url(re.compile(r"sort=created"))
    first = page.locator(".issue-table tbody tr").first
    expect(first).to_contain_text("issue number 0 that wraps")

    # A change from another process is announced once, politely.
    announce = page.locator(".issue-table ~ [aria-live=polite], [aria-live=polite].sr-only")
    (tmp_path / "more.csv").write_text("title\nFiled from the command line\n")
    server.cli("import", str(tmp_path / "more.csv"))
    expect(announce).to_have_text(re.compile(r"The list was updated at .*: 13 issues\."))

    page.goto(server.url + "/dashboard")
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible()
    chart.hover()
    expect(chart.locator(".modebar-btn")).to_have_count(1)  # download as PNG, nothing more


def test_full_hd_shows_every_link(server: Server, browser: Any, pia: str) -> None:
    page = signed_in(browser, server, pia, PASSWORD, width=1920)
    for name in ("Issues", "New issue", "Dashboard", "Insights", "Users", "Jobs"):
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", re.compile("^/"))  # a real link: a new tab works
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator(".issue-table thead")).to_be_visible()
    dashboard = page.get_by_role("link", name="Dashboard", exact=True)
    dashboard.focus()
    # The focused link shows it (Quasar's focus helper, as on its buttons).
    expect(dashboard.locator(".q-focus-helper")).to_have_css("opacity", re.compile(r"^0\.[1-9]"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
