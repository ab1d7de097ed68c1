"""Tokens, sign-up, cookies and CSRF, rate limits."""

from __future__ import annotations

import pytest

import services
from pages.cookies import SESSION as COOKIE
from tests.api.conftest import PASSWORD, auth, token_for
from tests.factories import make_user


async def test_a_token_for_email_and_password(http, people) -> None:
    response = await http.post(
        "/api/v1/auth/token", json={"email": "rep@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {
        "id": people["reporter"].id,
        "email": "rep@example.com",
        "full_name": "User rep@example.com",
        "role": "REPORTER",
        "is_active": True,
    }


async def test_wrong_password_and_unknown_email_answer_alike(http, people) -> None:
    wrong = await http.post(
        "/api/v1/auth/token", json={"email": "rep@example.com", "password": "x" * 9}
    )
    unknown = await http.post(
        "/api/v1/auth/token", json={"email": "no@example.com", "password": "x" * 9}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_sign_in_attempts_are_rate_limited(http, people, monkeypatch) -> None:
    from services import throttle
    from services.throttle import RateLimit

    monkeypatch.setattr(throttle, "SIGN_IN", RateLimit(limit=3, window=300))
    codes = [
        (
            await http.post(
                "/api/v1/auth/token", json={"email": "rep@example.com", "password": "nope nope"}
            )
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"),  # tampered signature
        lambda t: "garbage",
        lambda t: t.split(".")[0],
    ],
)
async def test_tampered_tokens_are_refused(http, people, mangle) -> None:
    token = mangle(token_for(people["reporter"]))
    response = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


async def test_expired_tokens_are_refused(http, people, monkeypatch) -> None:
    import itsdangerous.timed

    token = token_for(people["reporter"], ttl=60)
    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 120)
    response = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    "change", [{"password": "a new passphrase 77"}, {"role": "MAINTAINER"}, {"is_active": False}]
)
async def test_password_role_or_deactivation_revokes_tokens(http, people, change) -> None:
    headers = auth(people["reporter"])
    assert (await http.get("/api/v1/me", headers=headers)).status_code == 200
    patched = await http.patch(
        f"/api/v1/users/{people['reporter'].id}", json=change, headers=auth(people["admin"])
    )
    assert patched.status_code == 200
    assert (await http.get("/api/v1/me", headers=headers)).status_code == 401


async def test_tokens_in_the_url_are_refused(http, people) -> None:
    token = token_for(people["reporter"])
    response = await http.get(f"/api/v1/me?access_token={token}")
    assert response.status_code == 401 and "Authorization header" in response.json()["detail"]


async def test_sign_up_makes_reporters_only(http, db) -> None:
    created = await http.post(
        "/api/v1/auth/register",
        json={"email": "New@Example.com", "password": "a long passphrase", "full_name": "New"},
    )
    assert created.status_code == 201 and created.json()["role"] == "REPORTER"
    sneaky = await http.post(
        "/api/v1/auth/register",
        json={"email": "boss@example.com", "password": "a long passphrase", "role": "ADMIN"},
    )
    assert sneaky.status_code == 422
    weak = await http.post(
        "/api/v1/auth/register", json={"email": "weak@example.com", "password": "password"}
    )
    assert weak.status_code == 422 and "password" in weak.json()["errors"]
    with services.session() as s:
        assert services.users.count_users(s) == 1


async def test_sign_up_can_be_off(http, db, monkeypatch) -> None:
    from tracker_app.api import people

    monkeypatch.setattr(people, "allow_signup", False)
    response = await http.post(
        "/api/v1/auth/register", json={"email": "n@example.com", "password": "a long passphrase"}
    )
    assert response.status_code == 403


async def test_the_browser_cookie_works_for_same_origin_calls_only(http, db) -> None:
    user = make_user(email="cookie@example.com")
    with services.session() as s:
        token, _ = services.auth.login(s, user.email, PASSWORD)
    http.cookies.set(COOKIE, token)
    assert (await http.get("/api/v1/me")).json()["email"] == "cookie@example.com"
    body = {"title": "From a page"}
    assert (await http.post("/api/v1/issues", json=body)).status_code == 403  # no Origin
    evil = await http.post("/api/v1/issues", json=body, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    cross = await http.post("/api/v1/issues", json=body, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    same = await http.post("/api/v1/issues", json=body, headers={"Origin": "http://test"})
    assert same.status_code == 201
    with services.session() as s:
        assert services.issues.list_issues(s, user).total == 1


async def test_anonymous_calls_get_401(http, db) -> None:
    for path in ("/api/v1/me", "/api/v1/issues", "/api/v1/stats/open-by-severity"):
        response = await http.get(path)
        assert response.status_code == 401 and response.json()["detail"]


async def test_users_endpoints_are_for_admins(http, people) -> None:
    for role in ("reporter", "maintainer"):
        headers = auth(people[role])
        assert (await http.get("/api/v1/users", headers=headers)).status_code == 403
        made = await http.post(
            "/api/v1/users",
            headers=headers,
            json={"email": "x@example.com", "password": "a long passphrase", "role": "ADMIN"},
        )
        assert made.status_code == 403
    admin = auth(people["admin"])
    listed = await http.get("/api/v1/users?role=REPORTER", headers=admin)
    assert listed.status_code == 200 and listed.json()["total"] == 2
    made = await http.post(
        "/api/v1/users",
        headers=admin,
        json={
            "email": "x@example.com",
            "password": "a long passphrase",
            "role": "MAINTAINER",
            "full_name": "X",
        },
    )
    assert made.status_code == 201 and made.json()["role"] == "MAINTAINER"
    bad = await http.patch(
        f"/api/v1/users/{people['other'].id}", headers=admin, json={"token_version": 99}
    )
    assert bad.status_code == 422
