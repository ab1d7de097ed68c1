"""The theme follows the system until the user picks one, and the charts follow the theme."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import signed_in
from tests.serverproc import Server

PASSWORD = "theme passphrase 27"
DARK = re.compile(r"\bbody--dark\b")


def test_the_theme_follows_the_system_then_the_users_choice(server: Server, browser: Any) -> None:
    server.add_user("dee@example.com", PASSWORD, "MAINTAINER")
    page = signed_in(browser, server, "dee@example.com", PASSWORD, color_scheme="dark")
    page.goto(f"{server.url}/dashboard")
    body = page.locator("body")
    expect(body).to_have_class(DARK)  # the system says dark
    tick = page.locator(".js-plotly-plot .xtick text").first
    expect(tick).to_be_visible()
    assert tick.evaluate("e => getComputedStyle(e).fill") == "rgb(224, 224, 224)"

    page.get_by_role("button", name="Theme: as the system (click for dark)").click()
    page.get_by_role("button", name="Theme: dark (click for light)").click()
    expect(body).not_to_have_class(DARK)  # the user's choice wins
    page.reload()
    expect(
        page.get_by_role("button", name="Theme: light (click to follow the system)")
    ).to_be_visible()
    expect(body).not_to_have_class(DARK)
    assert tick.evaluate("e => getComputedStyle(e).fill") != "rgb(224, 224, 224)"


def test_the_theme_button_keeps_the_keyboards_focus(server: Server, browser: Any) -> None:
    """The header draws the button anew with its new look: the focus stays on it, so a
    keyboard user can go on through the three choices."""
    server.add_user("kay@example.com", PASSWORD, "MAINTAINER")
    page = signed_in(browser, server, "kay@example.com", PASSWORD)
    page.goto(f"{server.url}/")
    page.get_by_role("button", name="Theme: as the system (click for dark)").focus()
    page.keyboard.press("Enter")
    dark = page.get_by_role("button", name="Theme: dark (click for light)")
    expect(dark).to_be_focused()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("button", name="Theme: light (click to follow the system)")
    ).to_be_focused()
