"""SECURITY.md over the browser routes: cookies, redirects, headers, downloads, websocket
origin, upload body limits."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

import services
from pages.cookies import SESSION as COOKIE
from pages.redirects import safe_next
from pages.signin import Login, tickets
from tests.factories import PASSWORD, make_issue, make_user
from tests.pages.conftest import sign_in, until

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/issues/3", "/issues/3"),
        ("/?q=a", "/?q=a"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/auth/logout", "/"),
        ("/./auth/complete?ticket=x", "/"),
        ("/%61uth/complete", "/"),
        ("/authors", "/authors"),
        ("", "/"),
    ],
)
def test_next_accepts_only_same_site_paths(target, expected):
    assert safe_next(target) == expected


async def test_login_rotates_the_session_and_sets_a_safe_cookie(user: User, db) -> None:
    make_user(email="rot@example.com")
    user.http_client.cookies.set(COOKIE, "planted-by-an-attacker", domain="test.local", path="/")
    await user.open("/login?next=//evil.example")
    user.find("Email").type("rot@example.com")
    user.find("Password").type(PASSWORD)
    user.find(kind=ui.button, content="Sign in").click()
    await user.should_see("New issue", retries=100)
    assert user.back_history[-1].startswith("/auth/complete")
    assert "next=%2F" in user.back_history[-1]  # the off-site target was dropped
    token = user.http_client.cookies.get(COOKIE, domain="test.local")
    assert token and token != "planted-by-an-attacker"
    with services.session() as s:
        assert services.auth.resolve_session(s, token).email == "rot@example.com"


async def test_the_cookie_flags_and_one_time_browser_bound_tickets(user: User, db) -> None:
    make_user(email="c@example.com")
    await user.open("/login")
    user.find("Email").type("c@example.com")
    user.find("Password").type(PASSWORD)
    user.find(kind=ui.button, content="Sign in").click()
    await user.should_see("New issue", retries=100)
    [cookie] = [c for c in user.http_client.cookies.jar if c.name == COOKIE]
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite").lower() == "lax"
    with services.session() as s:
        token, _ = services.auth.login(s, "c@example.com", PASSWORD)
    ticket = tickets.issue(Login(session=token, device=""), "the attacker's browser")
    # the victim's browser follows the attacker's link: no session is planted
    response = await user.http_client.get(f"/auth/complete?ticket={ticket}&next=/")
    assert response.headers["location"] == "/login"
    assert token not in str(response.headers)
    again = await user.http_client.get("/auth/complete?ticket=reused&next=/")
    assert again.headers["location"] == "/login"


async def test_production_cookies_are_host_only_and_secure(user: User, db, monkeypatch) -> None:
    """`__Host-` cookies: only Secure, only for this host and path /, so neither a sibling
    subdomain nor a plain-HTTP page can plant or shadow a session."""
    from pages import config

    monkeypatch.setattr(config, "_current", config.PageConfig(secure_cookies=True))
    make_user(email="prod@example.com")
    with services.session() as s:
        done = services.auth.sign_in(s, "prod@example.com", PASSWORD)
    await user.open("/login")  # gives the simulated browser its NiceGUI browser id
    browser = next(c for c in user.http_client.cookies.jar if c.name == "session")
    import base64
    import json

    browser_id = json.loads(base64.b64decode(browser.value.split(".")[0] + "=="))["id"]
    ticket = tickets.issue(Login(session=done.token, device=done.device), browser_id)
    response = await user.http_client.get(f"/auth/complete?ticket={ticket}&next=/")
    set_cookies = response.headers.get_list("set-cookie")
    session = next(c for c in set_cookies if c.startswith("__Host-tracker_session="))
    device = next(c for c in set_cookies if c.startswith("__Host-tracker_device="))
    for cookie in (session, device):
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "path=/", "samesite=lax"} <= flags
        assert not any(f.startswith("domain=") for f in flags)


async def test_pages_carry_the_security_headers(user: User, db) -> None:
    response = await user.http_client.get("/login")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_downloads_are_authorised_and_never_rendered(user: User, db) -> None:
    owner = make_user()
    issue = make_issue(owner)
    with services.session() as s:
        png = services.attachments.save_attachment(
            s, owner, issue.id, filename="a.png", content=PNG
        )
        txt = services.attachments.save_attachment(
            s, owner, issue.id, filename="<svg onload=x>.html", content=b"plain words\n"
        )
    assert txt.filename == "<svg onload=x>.html.txt"  # the extension follows the content
    anonymous = await user.http_client.get(f"/attachments/{png.id}")
    assert anonymous.status_code == 401
    sign_in(user)  # another reporter
    assert (await user.http_client.get(f"/attachments/{png.id}")).status_code == 404
    assert (await user.http_client.get("/attachments/999")).status_code == 404
    with services.session() as s:
        token, _ = services.auth.login(s, owner.email, PASSWORD)
    user.http_client.cookies.set(COOKIE, token)
    inline = await user.http_client.get(f"/attachments/{png.id}?inline=1")
    assert inline.content == PNG and inline.headers["content-disposition"].startswith("inline")
    assert inline.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in inline.headers["content-security-policy"]
    html = await user.http_client.get(f"/attachments/{txt.id}?inline=1")
    assert html.headers["content-disposition"].startswith("attachment")
    assert html.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("http://test", True),
        ("https://evil.example", False),
        ("http://test.evil.example", False),
    ],
)
async def test_the_websocket_handshake_checks_the_origin(
    user: User, db, caplog, origin, allowed
) -> None:
    response = await user.http_client.get(
        "/_nicegui_ws/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}
    )
    assert (response.status_code == 200) is allowed
    caplog.clear()  # engine.io logs the refusal as an error; here it is the expected outcome


async def test_upload_routes_refuse_oversized_bodies_before_reading_them(user: User, db) -> None:
    sign_in(user)
    await user.open("/issues/new")
    [upload] = user.find(kind=ui.upload).elements
    url = upload.props["url"]
    big = b"x" * (2 * 1024 * 1024)
    response = await user.http_client.post(url, files={"file": ("big.txt", big, "text/plain")})
    assert response.status_code == 413
    assert services.runtime().upload_dir.exists()
    assert [p for p in services.runtime().upload_dir.rglob("*") if p.is_file()] == []


async def test_admin_pages_are_for_admins(user: User, db) -> None:
    sign_in(user, "MAINTAINER")
    await user.open("/admin/users")
    await user.should_see("Only administrators can manage users.")
    await user.should_not_see("Create a user")


async def test_sign_in_attempts_are_throttled_per_address(user: User, db, monkeypatch) -> None:
    from services import throttle
    from services.throttle import RateLimit

    monkeypatch.setattr(throttle, "SIGN_IN", RateLimit(limit=2, window=300))
    await user.open("/login")
    user.find("Email").type("nobody@example.com")
    [password] = user.find("Password").elements
    for _ in range(2):
        password.value = "wrong guess 123"
        user.find(kind=ui.button, content="Sign in").click()
        await until(lambda: password.value == "")  # the page answered and cleared the field
    password.value = "wrong guess 123"
    user.find(kind=ui.button, content="Sign in").click()
    await user.should_see("Too many attempts", retries=100)


async def test_a_page_notices_a_sign_out_elsewhere_without_any_event(user: User, db) -> None:
    from pages.live import hub
    from services.events import ChangeEvent

    me = sign_in(user, "MAINTAINER")
    await user.open("/")
    token = user.http_client.cookies.get(COOKIE)
    with services.session() as s:
        services.auth.logout(s, token)  # e.g. another process, or the session expired
    assert me.id
    hub.dispatch(ChangeEvent("system", "recheck"))  # what the periodic re-check sends
    await user.should_see("Sign in", retries=100)


async def test_staged_files_are_capped_on_the_server(user: User, db) -> None:
    from nicegui.elements.upload_files import SmallFileUpload

    sign_in(user)
    await user.open("/issues/new")
    [upload] = user.find(kind=ui.upload).elements
    files = [SmallFileUpload(f"log{n}.txt", "text/plain", b"line\n") for n in range(12)]
    await upload.handle_uploads(files)  # posted directly, past the browser's max_files
    await user.should_see("at most 10 files", retries=100)

    def staged() -> list[str]:
        return sorted(e.text for e in user.find(kind=ui.label).elements if e.text.endswith(".txt"))

    # Files are checked on worker threads: the refusal can show before the last ones list.
    await until(lambda: len(staged()) >= 10)
    assert staged() == sorted(f"log{n}.txt" for n in range(10))


async def test_a_draft_belongs_to_its_author_not_to_the_browser(user: User, db) -> None:
    sign_in(user)
    await user.open("/issues/new")
    user.find("Title").type("Confidential draft")
    sign_in(user)  # someone else signs in on the same computer
    await user.open("/issues/new")
    [title] = user.find("Title").elements
    assert title.value == ""
