"""The happy path in a real browser: sign up, file an issue with a screenshot, a maintainer
in a second browser sees it arrive live, triages it, the reporter sees the status move, and
the dashboard counts it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import attach_files

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f0dd7a0000000049454e44ae426082"
)


def test_report_triage_and_watch_it_live(server, browser, shots: Path, tmp_path: Path) -> None:
    server.cli(
        "create-user",
        "--email",
        "max@example.com",
        "--role",
        "MAINTAINER",
        "--password",
        "maintainer passphrase 1",
        "--full-name",
        "Max Maintainer",
    )
    screenshot = tmp_path / "screen.png"
    screenshot.write_bytes(PNG)

    maintainer = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    maintainer.goto(f"{server.url}/login")
    maintainer.get_by_label("Email").fill("max@example.com")
    maintainer.get_by_label("Password").fill("maintainer passphrase 1")
    maintainer.get_by_role("button", name="Sign in").click()
    expect(maintainer.get_by_text("No issues yet. They appear here, live")).to_be_visible()
    expect(maintainer.get_by_text("No issues match.")).to_be_hidden()  # said once

    # The reporter on a phone, the maintainer on a laptop (so are the README's screenshots).
    reporter = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    reporter.goto(f"{server.url}/register")
    reporter.get_by_label("Full name").fill("Rita Reporter")
    reporter.get_by_label("Email").fill("rita@example.com")
    reporter.get_by_label("Password").fill("a reporter's passphrase")
    reporter.screenshot(path=shots / "1-sign-up.png")
    reporter.get_by_role("button", name="Sign up").click()
    expect(reporter.get_by_text("You have not filed an issue yet.")).to_be_visible()
    expect(reporter.get_by_text("No issues match.")).to_be_hidden()  # said once

    reporter.goto(f"{server.url}/issues/new")
    reporter.get_by_label("Title").fill("Invoice PDF is blank")
    reporter.get_by_label("Description (Markdown)").fill(
        "Opening **any** invoice shows an empty page.\n\n1. Open Billing\n2. Click an invoice"
    )
    attach_files(reporter, screenshot)
    reporter.screenshot(path=shots / "2-new-issue.png")
    reporter.get_by_role("button", name="File issue").click()
    expect(reporter).to_have_url(re.compile(r"/issues/\d+$"))
    expect(reporter.get_by_text("reported by Rita Reporter")).to_be_visible()
    expect(
        reporter.locator("img[alt^='Attachment'], img[alt^='Thumbnail of']").first
    ).to_be_visible()

    # The maintainer's list, untouched since sign-in, shows it by itself.
    row = maintainer.get_by_role("link", name="Invoice PDF is blank")
    expect(row).to_be_visible(timeout=5000)
    maintainer.screenshot(path=shots / "3-maintainer-sees-it-live.png")
    row.click()
    maintainer.get_by_role("button", name="Move to Triaged").click()
    expect(maintainer.get_by_role("button", name="Move to In progress")).to_be_visible()
    maintainer.screenshot(path=shots / "4-maintainer-triaged.png")

    # The reporter's open issue page follows without a reload.
    expect(reporter.get_by_text("moved it from Open to Triaged")).to_be_visible(timeout=5000)
    reporter.screenshot(path=shots / "5-reporter-sees-triaged.png")

    maintainer.goto(f"{server.url}/dashboard")
    expect(maintainer.get_by_text("Unresolved issues by severity")).to_be_visible()
    expect(maintainer.locator(".js-plotly-plot").first).to_be_visible()
    maintainer.screenshot(path=shots / "6-dashboard.png", full_page=True)
