"""The embedded default (no Redis): an issue imported with `tracker import`, a separate
process, shows up in an open list and an open dashboard without a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.serverproc import Server

EMAIL, PASSWORD = "lee@example.com", "live elsewhere passphrase 9"


def test_an_import_from_the_cli_reaches_open_pages(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    server.cli("create-user", "--email", EMAIL, "--password", PASSWORD, "--role", "ADMIN")
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("No issues match.")).to_be_visible()
    dashboard = page.context.new_page()
    dashboard.goto(f"{server.url}/dashboard")
    expect(dashboard.get_by_text("Unresolved issues by severity")).to_be_visible()

    csv = tmp_path / "issues.csv"
    csv.write_text("title,description,severity\nPrinter jams on duplex,Every time,CRITICAL\n")
    server.cli("import", str(csv))

    expect(page.get_by_role("link", name="Printer jams on duplex")).to_be_visible(timeout=5000)
    open_card = dashboard.locator(".q-card", has_text="Open").first
    expect(open_card).to_contain_text("1", timeout=5000)
    # The charts were redrawn live: the page still answers (a chart whose options Plotly
    # rewrote in place once kept it redrawing for ever).
    dashboard.wait_for_function("() => true", timeout=5000)
    page.wait_for_function("() => true", timeout=5000)
