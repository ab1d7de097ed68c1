"""Triage at scale, in Chromium against a real `tracker serve`: a maintainer ticks a range
with shift-click, then a whole page of 50 issues, and triages them in one action; another
maintainer's open list (on a phone) updates once, not 50 times. Then "select all N
matching" moves every issue of the filter, and the ones the workflow refuses are listed with
their reason."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import signed_in
from tests.serverproc import Server

PASSWORD = "bulk triage passphrase 7"
COUNT = 52


def _frames_with_rows(page: Page) -> list[str]:
    """The websocket messages that carry the table's rows, whole or as a difference (one per
    refresh of the list)."""
    seen: list[str] = []

    def on_socket(ws: Any) -> None:
        ws.on(
            "framereceived",
            lambda frame: (
                seen.append(frame)
                if isinstance(frame, str) and ('"rows":' in frame or '"spec":' in frame)
                else None
            ),
        )

    page.on("websocket", on_socket)
    return seen


def _change(page: Page, status: str, *, tag: str | None = None, shot: Path | None = None) -> None:
    page.get_by_role("button", name="Change…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Status").click()
    page.get_by_role("option", name=status, exact=True).click()
    if tag:
        dialog.get_by_label("Add tags").fill(tag)
        dialog.get_by_label("Add tags").press("Enter")
    if shot:
        page.screenshot(path=shot)
    dialog.get_by_role("button", name="Apply").click()


def test_a_page_of_issues_triaged_in_one_action(
    server: Server, browser: Any, tmp_path: Path, shots: Path
) -> None:
    for email in ("mo@example.com", "kim@example.com"):
        server.add_user(email, PASSWORD, "MAINTAINER")
    server.add_user("ana@example.com", PASSWORD, "ADMIN")
    rows = "".join(f"Printer {n} jams on duplex,Every time,LOW\n" for n in range(COUNT))
    (tmp_path / "in.csv").write_text("title,description,severity\n" + rows)
    server.cli("import", str(tmp_path / "in.csv"))

    kim = signed_in(browser, server, "kim@example.com", PASSWORD, width=390)  # on a phone
    kim.goto(f"{server.url}/?status=OPEN")
    expect(kim.get_by_text(f"Open · {COUNT}")).to_be_visible()

    mo = signed_in(browser, server, "mo@example.com", PASSWORD, width=1920)
    mo.goto(f"{server.url}/?status=OPEN&per=50")
    first, fourth = (
        mo.get_by_role("checkbox", name=re.compile(f"Select issue #{n}$")) for n in (52, 49)
    )
    first.click()
    fourth.click(modifiers=["Shift"])
    expect(mo.get_by_text("4 selected", exact=True)).to_be_visible()
    mo.get_by_role("button", name="Clear selection").click()
    expect(mo.get_by_text("4 selected", exact=True)).to_be_hidden()

    mo.get_by_role("checkbox", name="Select every issue on this page").click()
    expect(mo.get_by_text("50 selected", exact=True)).to_be_visible()
    expect(mo.get_by_role("button", name=f"Select all {COUNT} matching")).to_be_visible()
    frames = _frames_with_rows(kim)
    kim.reload()
    expect(kim.get_by_text(f"Open · {COUNT}")).to_be_visible()
    kim.wait_for_timeout(1000)  # what the page sends once connected is not a refresh
    before = len(frames)
    _change(mo, "Triaged", tag="printer", shot=shots / "11-bulk-triage.png")
    expect(mo.get_by_text("50 changed, 0 already so, 0 not changed")).to_be_visible(timeout=20_000)

    # The other maintainer's list follows, in one refresh.
    expect(kim.get_by_text("Triaged · 50")).to_be_visible(timeout=10_000)
    expect(kim.get_by_text("Open · 2")).to_be_visible()
    kim.wait_for_timeout(1500)  # anything still coming would arrive now
    assert len(frames) - before == 1, f"the list refreshed {len(frames) - before} times"

    # Every issue of a filter at once; the workflow's refusals are listed, one per issue.
    mo.goto(f"{server.url}/?per=50")
    mo.get_by_role("checkbox", name="Select every issue on this page").click()
    mo.get_by_role("button", name=f"Select all {COUNT} matching").click()
    expect(mo.get_by_text(f"All {COUNT} matching issues selected")).to_be_visible()
    _change(mo, "In progress")
    expect(mo.get_by_text("50 changed, 0 already so, 2 not changed")).to_be_visible(timeout=20_000)
    expect(mo.get_by_text("2 not changed:")).to_be_visible()
    refusal = mo.get_by_role("link", name=re.compile(r"#\d+: Cannot move from OPEN to IN_PROGRESS"))
    expect(refusal).to_have_count(2)
    expect(mo.get_by_text("2 selected", exact=True)).to_be_visible()  # the refused stay ticked
    expect(kim.get_by_text("In progress · 50")).to_be_visible(timeout=10_000)

    # On the phone: the bar and the dialog fit and can be used.
    kim.get_by_role("checkbox", name=re.compile(r"Select issue #\d+$")).first.click()
    expect(kim.get_by_text("1 selected", exact=True)).to_be_visible()
    kim.get_by_role("button", name="Change…").click()
    expect(kim.get_by_role("dialog").get_by_text("Change 1 issue")).to_be_visible()
    expect(kim.get_by_role("button", name="Apply")).to_be_in_viewport()
    kim.get_by_role("button", name="Cancel").click()


def test_reporters_have_no_checkboxes(server: Server, browser: Any) -> None:
    server.add_user("rita@example.com", PASSWORD, "REPORTER")
    rita = signed_in(browser, server, "rita@example.com", PASSWORD, width=390)
    expect(rita.get_by_role("heading", name="Issues")).to_be_visible()
    expect(rita.get_by_role("checkbox")).to_have_count(0)
