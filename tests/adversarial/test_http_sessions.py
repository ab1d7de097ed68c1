"""Attacks on sign-in and login sessions over HTTP (SECURITY.md): a replayed cookie after
sign-out, an expired session, password guessing from many addresses.

Runs on SQLite and, when configured, on PostgreSQL (the root `database_url`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from nicegui import core, ui
from nicegui.testing import User
from sqlalchemy import update

import services
from pages.cookies import SESSION as COOKIE
from services import throttle
from services.auth import LOCKOUT_THRESHOLD, LOGIN_FAILED
from services.models import LoginSession
from services.throttle import RateLimit
from tests.api.conftest import auth
from tests.factories import PASSWORD, make_issue, make_user
from tests.pages.conftest import _app_env, sign_in  # noqa: F401 (shared fixtures)


@pytest.fixture(autouse=True)
def _fresh_limits(monkeypatch) -> None:
    """The per-address limits are per process: give each test its own."""
    monkeypatch.setattr(throttle, "SIGN_IN", RateLimit(limit=30, window=300))
    monkeypatch.setattr(throttle, "SIGN_UP", RateLimit(limit=10, window=3600))


@asynccontextmanager
async def client_at(address: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the running app that connects from `address`."""
    transport = httpx.ASGITransport(core.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def sign_in_through_the_page(user: User, email: str, password: str = PASSWORD) -> None:
    await user.open("/login")
    user.find("Email").type(email)
    user.find("Password").type(password)
    user.find(kind=ui.button, content="Sign in").click()


def uploaded(owner: services.Actor) -> int:
    issue = make_issue(owner)
    with services.session() as s:
        return services.attachments.save_attachment(
            s, owner, issue.id, filename="log.txt", content=b"secret log\n"
        ).id


async def replies(cookie: str, attachment_id: int) -> dict[str, httpx.Response]:
    """What the app answers a browser (anywhere) that presents `cookie`."""
    paths = ["/", "/api/v1/me", f"/attachments/{attachment_id}"]
    paths += [f"/api/v1/attachments/{attachment_id}", "/rq/", "/account"]
    async with client_at("192.0.2.10") as client:
        client.cookies.set(COOKIE, cookie)
        return {path: await client.get(path) for path in paths}


def locked_until(user_id: int) -> dt.datetime | None:
    admin = make_user("ADMIN")
    with services.session() as s:
        return services.users.get_user(s, admin, user_id).locked_until


def assert_refused(answers: dict[str, httpx.Response]) -> None:
    for path, response in answers.items():
        if path.startswith(("/api/", "/attachments/")):
            assert response.status_code == 401, (path, response.status_code)
        else:  # pages and the job dashboard send the browser to sign in
            assert response.status_code == 303, (path, response.status_code)
            assert response.headers["location"].startswith("/login"), path
        assert b"secret log" not in response.content and "admin@" not in response.text, path


# --- A cookie is worth nothing after sign-out -------------------------------------------


async def test_a_cookie_replayed_after_sign_out_opens_nothing(user: User, db) -> None:
    admin = make_user("ADMIN", email="admin@example.com")
    attachment_id = uploaded(admin)
    await sign_in_through_the_page(user, admin.email)
    await user.should_see("New issue", retries=100)
    cookie = user.http_client.cookies.get(COOKIE)
    assert cookie
    before = await replies(cookie, attachment_id)
    assert {path: r.status_code for path, r in before.items()} == dict.fromkeys(before, 200)
    assert before["/api/v1/me"].json()["email"] == admin.email
    assert before[f"/attachments/{attachment_id}"].content == b"secret log\n"

    signed_out = await user.http_client.post(
        "/auth/logout", headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert signed_out.status_code == 303
    assert user.http_client.cookies.get(COOKIE) is None  # the browser forgot it...
    assert_refused(await replies(cookie, attachment_id))  # ...and the server too


async def test_an_old_api_token_after_a_password_change_is_refused(user: User, db) -> None:
    """Only the page route of a password change is new here: the admin's PATCH and the
    service are covered in tests/api and tests/services."""
    me = sign_in(user)
    token = auth(me)
    assert (await user.http_client.get("/api/v1/me", headers=token)).status_code == 200
    await user.open("/account")
    fields = {e.props["label"]: e for e in user.find(kind=ui.input).elements}
    fields["Current password"].value = PASSWORD
    fields["New password"].value = fields["New password again"].value = "a new passphrase 9"
    user.find(kind=ui.button, content="Change password").click()
    await user.should_see("Password changed", retries=100)
    refused = await user.http_client.get("/api/v1/me", headers=token)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


async def test_nothing_but_a_same_site_post_signs_out(user: User, db) -> None:
    """A link, an image (`![](/auth/logout)` in a comment) or another site's form cannot
    sign anyone out: GET is not a sign-out, and a cross-site POST is refused."""
    admin = make_user("ADMIN", email="admin@example.com")
    await sign_in_through_the_page(user, admin.email)
    await user.should_see("New issue", retries=100)
    cookie = user.http_client.cookies.get(COOKIE)
    get = await user.http_client.get("/auth/logout")
    assert get.status_code in (404, 405)
    forged = await user.http_client.post(
        "/auth/logout", headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    no_origin = await user.http_client.post("/auth/logout")  # neither header: not proven
    assert no_origin.status_code == 403
    with services.session() as s:
        assert services.auth.resolve_session(s, cookie).id == admin.id  # still signed in


# --- An expired login session is no session -----------------------------------------------


def expire_in_the_database(token: str, monkeypatch) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with services.session() as s:
        s.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == services.security.hash_secret(token))
            .values(expires_at=past)
        )
        s.commit()


def let_fifteen_days_pass(token: str, monkeypatch) -> None:
    later = services.auth.utcnow() + dt.timedelta(days=services.auth.SESSION_DAYS, hours=1)
    monkeypatch.setattr(services.auth, "utcnow", lambda: later)


@pytest.mark.parametrize("expire", [expire_in_the_database, let_fifteen_days_pass])
async def test_an_expired_login_session_is_refused(user: User, db, monkeypatch, expire) -> None:
    admin = make_user("ADMIN", email="admin@example.com")
    attachment_id = uploaded(admin)
    with services.session() as s:
        cookie, _ = services.auth.login(s, admin.email, PASSWORD)
    fresh = await replies(cookie, attachment_id)
    assert [r.status_code for r in fresh.values()] == [200] * len(fresh)
    expire(cookie, monkeypatch)
    assert_refused(await replies(cookie, attachment_id))


# --- Guessing passwords from many addresses locks the account ------------------------------


async def test_guesses_from_rotating_addresses_lock_the_account(user: User, db, caplog) -> None:
    victim = make_user(email="victim@example.com")
    caplog.set_level(logging.WARNING, logger="tracker.auth")
    for n in range(LOCKOUT_THRESHOLD):  # one guess per address: the per-address limit never
        async with client_at(f"203.0.113.{n + 1}") as client:  # trips, the account lock does
            guess = await client.post(
                "/api/v1/auth/token", json={"email": victim.email, "password": f"guess {n}!!"}
            )
        assert guess.status_code == 401 and guess.json() == {"detail": LOGIN_FAILED}
    async with client_at("198.51.100.7") as client:
        right = await client.post(
            "/api/v1/auth/token", json={"email": victim.email, "password": PASSWORD}
        )
    assert right.status_code == 401 and right.json() == {"detail": LOGIN_FAILED}
    assert "access_token" not in right.text
    [locked] = [r for r in caplog.records if r.name == "tracker.auth" and "locked" in r.message]
    assert locked.levelno == logging.WARNING
    assert f"account {victim.id} locked after {LOCKOUT_THRESHOLD} failed logins" in locked.message
    assert victim.email not in locked.message  # the log names the id, not the address
    assert locked_until(victim.id) is not None


async def test_the_sign_in_page_refuses_a_locked_account(user: User, db) -> None:
    victim = make_user(email="victim@example.com")
    for _ in range(LOCKOUT_THRESHOLD):
        with services.session() as s, pytest.raises(services.AuthenticationFailed):
            services.auth.authenticate(s, victim.email, "not the password")
    await sign_in_through_the_page(user, victim.email)
    await user.should_see(LOGIN_FAILED, retries=100)
    assert user.http_client.cookies.get(COOKIE) is None
    assert locked_until(victim.id) is not None


async def test_x_forwarded_for_does_not_dodge_the_per_address_limit(
    user: User, db, monkeypatch
) -> None:
    """Only uvicorn reads X-Forwarded-For, and only from TRACKER_FORWARDED_ALLOW_IPS; the app
    keys its limit on the connection's address, so a forged header changes nothing."""
    monkeypatch.setattr(throttle, "SIGN_IN", RateLimit(limit=3, window=300))
    make_user(email="victim@example.com")
    codes = []
    async with client_at("203.0.113.9") as client:
        for n in range(4):
            response = await client.post(
                "/api/v1/auth/token",
                json={"email": "victim@example.com", "password": "wrong guess!"},
                headers={"X-Forwarded-For": f"198.51.100.{n}", "X-Real-IP": f"198.51.100.{n}"},
            )
            codes.append(response.status_code)
    assert codes == [401, 401, 401, 429]


async def test_nul_characters_in_a_sign_in_are_a_plain_refusal(user: User, db) -> None:
    """PostgreSQL refuses NUL in a query: it must not turn into a 500 or an error page."""
    make_user(email="victim@example.com")
    response = await user.http_client.post(
        "/api/v1/auth/token", json={"email": "victim\x00@example.com", "password": PASSWORD}
    )
    assert response.status_code == 401 and response.json() == {"detail": LOGIN_FAILED}
    await sign_in_through_the_page(user, "victim\x00@example.com")
    await user.should_see(LOGIN_FAILED, retries=100)
