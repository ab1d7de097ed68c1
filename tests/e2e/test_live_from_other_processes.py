"""The embedded default (no Redis): an issue imported with `tracker import`, a separate
process, shows up in an open list and an open dashboard without a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import signed_in
from tests.serverproc import Server

EMAIL, PASSWORD = "lee@example.com", "live elsewhere passphrase 9"


def test_an_import_from_the_cli_reaches_open_pages(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    server.add_user(EMAIL, PASSWORD, "ADMIN")
    page = signed_in(browser, server, EMAIL, PASSWORD)
    expect(page.get_by_text("No issues yet. They appear here, live")).to_be_visible()
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


def _table_rows(page: Page) -> list[str]:
    """The list's rows as a person reads them: each row's title and status, top to bottom."""
    return [
        " | ".join(row.locator("td").nth(n).inner_text().strip() for n in (2, 3))
        for row in page.locator(".issue-table tbody tr").all()
    ]


def test_a_change_reaches_open_lists_as_the_rows_that_changed(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    server.add_user("dee@example.com", PASSWORD, "ADMIN")
    csv = tmp_path / "rows.csv"
    csv.write_text(
        "title,description,severity\n"
        + "".join(f"Row {name},Text,LOW\n" for name in ("one", "two", "three"))
    )
    server.cli("import", str(csv))
    page = signed_in(browser, server, "dee@example.com", PASSWORD, width=1920)
    page.goto(f"{server.url}/?q=Row&sort=title")
    expect(page.get_by_role("link", name="Row two")).to_be_visible()
    assert _table_rows(page) == ["Row one | Open", "Row three | Open", "Row two | Open"]
    two = page.get_by_role("link", name="Row two").get_attribute("href").rsplit("/", 1)[1]
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda f: frames.append(f if isinstance(f, str) else "")),
    )
    page.reload()
    expect(page.get_by_role("link", name="Row two")).to_be_visible()
    page.wait_for_timeout(1000)  # what the page sends once connected is not a refresh
    before = len(frames)

    server.cli("bulk", two, "--status", "TRIAGED")  # another process
    expect(page.locator(".issue-table tbody tr", has_text="Row two")).to_contain_text("Triaged")
    assert _table_rows(page) == ["Row one | Open", "Row three | Open", "Row two | Triaged"]
    sent = frames[before:]
    assert any('"spec":' in f and "Row two" in f for f in sent), sent
    assert not any('"rows":' in f for f in sent), "the whole table was sent again"
    assert not any("Row one" in f for f in sent), "an unchanged row was sent again"

    # A page that lost track of its rows (a message it never got) asks for the whole table.
    page.evaluate(
        "() => { const id = document.querySelector('.issue-table').id.slice(1);"
        " const el = mounted_app.elements[id]; el.props.rows = el.props.rows.slice(1); }"
    )
    expect(page.locator(".issue-table tbody tr")).to_have_count(2)
    server.cli("bulk", two, "--status", "IN_PROGRESS")
    expect(page.locator(".issue-table tbody tr")).to_have_count(3)
    expect(page.locator(".issue-table tbody tr", has_text="Row two")).to_contain_text("In progress")
    assert _table_rows(page)[0] == "Row one | Open"
