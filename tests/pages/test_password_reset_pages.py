"""The forgotten-password pages: from the sign-in page to a mailed link to a new password;
without mail, the page says whom to ask."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from nicegui import ui
from nicegui.testing import User

import services
from services.notify import dispatch
from tests.factories import make_user
from tests.mailserver import smtp_server

NEW = "my new passphrase 2026"


async def test_from_the_sign_in_page_to_a_new_password(
    create_user: Callable[[], User], db, tmp_path: Path
) -> None:
    browser = create_user()
    make_user(email="rosa@example.com")
    with smtp_server(tmp_path) as smtp:
        services.notify.configure(
            smtp_url=smtp.url, mail_from="tracker@example.com", base_url="http://tracker.test"
        )
        try:
            await browser.open("/login")
            [link] = browser.find("Forgot your password?").elements
            assert link.props["href"] == "/forgot"
            await browser.open("/forgot")
            browser.find("Email").type("rosa@example.com")
            browser.find("Send me a link").click()
            await browser.should_see("a mail with a link to choose a new password is on its way")
            dispatch.wait_idle()
            [msg] = smtp.wait_for(1)
        finally:
            services.notify.configure()
    text = msg.get_body(preferencelist=("plain",)).get_content()
    [link] = re.findall(r"http://tracker\.test/reset\?token=\S+", text)
    reset = urlsplit(link)
    await browser.open(f"{reset.path}?{reset.query}")
    await browser.should_see("For rosa@example.com")
    browser.find("New password").type(NEW)
    browser.find("New password again").type("something else entirely")
    browser.find("Set password").click()
    await browser.should_see("The two passwords differ")
    browser.find("New password again").clear().type(NEW)
    browser.find("Set password").click()
    await browser.should_see("Password changed")
    with services.session() as s:
        services.auth.login(s, "rosa@example.com", NEW)
    await browser.open(f"{reset.path}?{reset.query}")  # used once: dead
    await browser.should_see("expired or was already used")
    await browser.should_see("Ask for a new link")


async def test_without_mail_the_page_says_to_ask_an_admin(user: User, db) -> None:
    await user.open("/forgot")
    await user.should_see("Ask an administrator to set a new password for you.")
    await user.should_not_see("Send me a link")
    await user.open("/reset?token=anything")
    await user.should_see("expired or was already used")
    assert user.find(ui.link).elements  # a way back
