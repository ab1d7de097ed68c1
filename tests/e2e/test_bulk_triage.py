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

import services
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


def test_one_issue_is_assigned_and_tagged_from_its_page(server: Server, browser: Any) -> None:
    """The pickers on the issue page, on a laptop and on a phone: an assignee chosen from
    the menu, a suggested tag and a new one typed; another maintainer's tag arrives while
    one is being typed, and the typed text and the menu stay; a tag removed on the phone; a
    21st tag is refused and the picker shows again the 20 the issue has."""
    server.add_user("ivy@example.com", PASSWORD, "MAINTAINER")
    server.add_user("rick@example.com", PASSWORD, "REPORTER")
    server.add_user("kai@example.com", PASSWORD, "MAINTAINER")
    with server.connected(), services.session() as s:
        ivy = services.users.actor_for(s, email="ivy@example.com")
        rick = services.users.actor_for(s, email="rick@example.com")
        kai = services.users.actor_for(s, email="kai@example.com")
        services.issues.create_issue(s, ivy, {"title": "Tagged before", "tags": ["scanner"]})
        issue = services.issues.create_issue(s, rick, {"title": "Toner smudges the page"})
    for width in (1920, 390):
        page = signed_in(browser, server, "ivy@example.com", PASSWORD, width=width)
        page.goto(f"{server.url}/issues/{issue.id}")
        heading = page.get_by_role("heading", name="Toner smudges the page")
        expect(heading).to_be_visible()
        assignee, tags = page.get_by_label("Assignee"), page.get_by_label("Tags")
        expect(assignee).to_be_visible()
        expect(tags).to_be_visible()
        if width == 1920:
            assignee.click()
            page.get_by_role("option", name="ivy@example.com").click()
            expect(page.get_by_text("· assignee: ivy@example.com")).to_be_visible()
            tags.fill("scan")  # the tag in use is suggested
            page.get_by_role("option", name="scanner").click()
            expect(_tagged(page, "scanner")).to_have_count(1)
            tags.fill("toner")  # a new one
            tags.press("Enter")
            expect(_tagged(page, "scanner,toner")).to_have_count(1)
            tags.fill("ton")  # typing, when another maintainer tags the issue too
            with server.connected(), services.session() as s:
                services.issues.set_tags(s, kai, issue.id, ["scanner", "toner", "urgent"])
            expect(page.locator(".q-select .q-chip", has_text="urgent")).to_be_visible()
            expect(tags).to_have_value("ton")  # the typed text stays
            expect(page.get_by_role("option", name="toner")).to_be_visible()  # and the menu
            page.keyboard.press("Escape")
        else:  # the phone: the chips are there, one is removed
            expect(page.get_by_text("· assignee: ivy@example.com")).to_be_visible()
            chip = page.locator(".q-select .q-chip", has_text="toner")
            chip.locator(".q-chip__icon--remove").click()
            expect(_tagged(page, "scanner,urgent")).to_have_count(1)
    with server.connected(), services.session() as s:
        services.issues.set_tags(s, ivy, issue.id, [f"t{n:02d}" for n in range(20)])
    page.goto(f"{server.url}/issues/{issue.id}")
    tags = page.get_by_label("Tags")
    tags.fill("one-too-many")
    tags.press("Enter")
    expect(page.get_by_text("at most 20 tags")).to_be_visible()
    expect(page.locator(".q-chip", has_text="one-too-many")).to_have_count(0)
    expect(page.locator(".q-select .q-chip", has_text="t19")).to_be_visible()


def _tagged(page: Page, tags: str) -> Any:
    """The timeline's entries that set the tags to exactly `tags`."""
    return page.get_by_role("listitem").filter(has_text=re.compile(f"set the tags to {tags}$"))
