"""In Chromium: the sign-out button signs out with a POST, and a browser that signed in
before still gets in while an attacker's guesses have the account locked."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Page, expect

from services.auth import LOCKOUT_THRESHOLD
from tests.serverproc import Server

EMAIL, PASSWORD = "owen@example.com", "owner's own passphrase 4"


def _sign_in(page: Page, server: Server, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _cookies(page: Page) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies()}


def test_sign_out_and_a_known_browser_past_the_lock(server: Server, browser: Any) -> None:
    server.add_user(EMAIL, PASSWORD, "REPORTER")
    owner = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    _sign_in(owner, server)
    expect(owner.get_by_text("You have not filed an issue yet.")).to_be_visible()
    assert {"tracker_session", "tracker_device"} <= set(_cookies(owner))

    owner.goto(f"{server.url}/auth/logout")  # a link or an image: nothing happens
    owner.goto(f"{server.url}/")
    expect(owner.get_by_text("You have not filed an issue yet.")).to_be_visible()

    with owner.expect_request(lambda r: r.url.endswith("/auth/logout")) as sent:
        owner.get_by_role("button", name="Sign out").click()
    assert sent.value.method == "POST"
    expect(owner.get_by_role("button", name="Sign in")).to_be_visible()
    assert "tracker_session" not in _cookies(owner) and "tracker_device" in _cookies(owner)

    with httpx.Client(base_url=server.url) as attacker:
        for n in range(LOCKOUT_THRESHOLD):
            guess = attacker.post("/api/v1/auth/token", json={"email": EMAIL, "password": f"x{n}"})
            assert guess.status_code == 401
        right = attacker.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD})
        assert right.status_code == 401  # locked for browsers and scripts never seen

    stranger = browser.new_context().new_page()
    _sign_in(stranger, server)
    expect(stranger.get_by_text("the account is locked for a few minutes")).to_be_visible()

    _sign_in(owner, server)  # the owner's browser is known: not held by the lock
    expect(owner.get_by_text("You have not filed an issue yet.")).to_be_visible()
