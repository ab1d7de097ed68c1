"""The links in a notification mail work in the app: the issue link opens the issue, the
unsubscribe link shows a button on GET (changing nothing) and unsubscribes on a one-click
POST (RFC 8058)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from nicegui.testing import User

import services
from services.notify import dispatch
from tests.factories import make_issue
from tests.mailserver import smtp_server
from tests.pages.conftest import sign_in


def _email_mode(actor: services.Actor) -> str:
    with services.session() as s:
        return services.notify.get_preferences(s, actor).email


async def test_a_reporters_mail_links_to_the_issue_and_unsubscribes_in_one_click(
    create_user: Callable[[], User], db, tmp_path: Path
) -> None:
    browser = create_user()
    reporter = sign_in(browser)
    maintainer = sign_in(create_user(), "MAINTAINER")
    with smtp_server(tmp_path) as smtp:
        services.notify.configure(
            smtp_url=smtp.url,
            mail_from="tracker@example.com",
            base_url="http://tracker.test",
            coalesce_seconds=0,
        )
        try:
            issue = make_issue(reporter, title="Dashboard shows yesterday")
            with services.session() as s:
                services.issues.change_status(s, maintainer, issue.id, "TRIAGED")
            dispatch.wait_idle()
            [msg] = smtp.wait_for(1)
        finally:
            services.notify.configure()
    text = msg.get_body(preferencelist=("plain",)).get_content()
    [link] = re.findall(r"http://tracker\.test/issues/\d+", text)
    await browser.open(urlsplit(link).path)
    await browser.should_see("Dashboard shows yesterday")

    unsubscribe = urlsplit(msg["List-Unsubscribe"].strip("<>"))
    target = f"{unsubscribe.path}?{unsubscribe.query}"
    page = await browser.http_client.get(target)
    assert page.status_code == 200 and "<button" in page.text
    assert _email_mode(reporter) == "immediate"  # a GET (a mail scanner) changes nothing
    mail_client = create_user().http_client  # a mail client's one-click: no cookie at all
    done = await mail_client.post(
        target,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and "Unsubscribed" in done.text
    assert _email_mode(reporter) == "off"
    forged = await mail_client.post(target[:-3] + "abc")
    assert forged.status_code == 400
