"""In Chromium against the real `tracker serve`: the reporter's bell counts live while a
maintainer triages and comments in another browser; the reporter's mail (through a real SMTP
server process) links to the issue, and its unsubscribe link works in one click."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in
from tests.mailserver import MailServer, smtp_server
from tests.serverproc import Server, running_server

REPORTER = ("rita@example.com", "a reporter's passphrase 7")
MAINTAINER = ("max@example.com", "a maintainer's passphrase 7")


@pytest.fixture(scope="module")
def mail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    with smtp_server(tmp_path_factory.mktemp("smtp")) as server:
        yield server


@pytest.fixture(scope="module")
def mailing_server(tmp_path_factory: pytest.TempPathFactory, mail: MailServer) -> Iterator[Server]:
    with running_server(
        tmp_path_factory.mktemp("e2e-mail"),
        TRACKER_SMTP_URL=mail.url,
        TRACKER_MAIL_FROM="Tracker <tracker@example.com>",
        TRACKER_BASE_URL="https://tracker.example.com",
        TRACKER_MAIL_COALESCE_SECONDS="0",
    ) as server:
        for (email, password), role in ((REPORTER, "REPORTER"), (MAINTAINER, "MAINTAINER")):
            server.add_user(email, password, role)
        yield server


def _sign_in(browser: Any, server: Server, who: tuple[str, str]) -> Any:
    return signed_in(browser, server, *who)


def test_the_bell_counts_live_and_the_mail_links_work(
    mailing_server: Server, mail: MailServer, browser: Any
) -> None:
    server = mailing_server
    reporter = _sign_in(browser, server, REPORTER)
    reporter.goto(f"{server.url}/issues/new")
    reporter.get_by_label("Title").fill("Totals on the invoice page are wrong")
    reporter.get_by_role("button", name="File issue").click()
    expect(reporter).to_have_url(re.compile(r"/issues/\d+$"))
    issue_path = urlsplit(reporter.url).path
    bell = reporter.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell).to_have_attribute("aria-label", "Notifications")

    maintainer = _sign_in(browser, server, MAINTAINER)
    maintainer.goto(f"{server.url}{issue_path}")
    maintainer.get_by_role("button", name="Move to Triaged").click()
    expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread", timeout=5000)
    expect(reporter.locator(".q-badge", has_text="1")).to_be_visible()
    # The header is drawn anew with the count: a keyboard user's focus stays where it was.
    account = reporter.get_by_role("link", name="Your account")
    account.focus()
    maintainer.get_by_label("Add a comment (Markdown)").fill(
        "Reproduced: the tax is counted twice."
    )
    maintainer.get_by_role("button", name="Comment").click()
    expect(bell).to_have_attribute("aria-label", "Notifications, 2 unread", timeout=5000)
    expect(account).to_be_focused()

    bell.click()
    expect(reporter).to_have_url(re.compile(r"/notifications$"))
    expect(reporter.get_by_text("changed the status from OPEN to TRIAGED")).to_be_visible()
    reporter.get_by_role("button", name="Mark all read").click()
    expect(bell).to_have_attribute("aria-label", "Notifications", timeout=5000)

    messages = mail.wait_for(1)
    assert messages, (server.data_dir / "server.log").read_text()[-3000:]
    text = messages[0].get_body(preferencelist=("plain",)).get_content()
    [link] = re.findall(r"https://tracker\.example\.com(/issues/\d+)", text)
    assert link == issue_path
    reporter.goto(f"{server.url}{link}")
    expect(reporter.get_by_text("Totals on the invoice page are wrong").first).to_be_visible()

    unsubscribe = urlsplit(messages[0]["List-Unsubscribe"].strip("<>"))
    reporter.goto(f"{server.url}{unsubscribe.path}?{unsubscribe.query}")
    reporter.get_by_role("button", name="Unsubscribe").click()
    expect(reporter.get_by_text("No more notification mails to rita@example.com.")).to_be_visible()
    reporter.goto(f"{server.url}/account")
    expect(reporter.get_by_text("Never (in the app only)")).to_be_visible()
