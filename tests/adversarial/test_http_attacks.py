"""Attacks over HTTP on the real app (SECURITY.md): cross-site writes with the browser's
cookie, SQL-looking input, mass assignment, IDOR walks, stored files, CSV formulas.

Runs on SQLite and, when configured, on PostgreSQL (the root `database_url`)."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from nicegui.testing import User

import services
from pages.cookies import SESSION as COOKIE
from services import throttle
from services.throttle import RateLimit
from tests.api.conftest import auth
from tests.factories import PASSWORD, make_issue, make_user
from tests.pages.conftest import _app_env, sign_in, titles  # noqa: F401 (shared fixtures)

ORIGIN = "http://test"  # the test client's own origin


@pytest.fixture
def http(user: User, db: str) -> httpx.AsyncClient:
    """An HTTP client on the real app (as in tests/api, on every configured database)."""
    return user.http_client


@pytest.fixture
def people(db: str) -> dict[str, services.Actor]:
    return {
        "reporter": make_user("REPORTER", email="rep@example.com"),
        "other": make_user("REPORTER", email="other@example.com"),
        "maintainer": make_user("MAINTAINER", email="maint@example.com"),
        "admin": make_user("ADMIN", email="admin@example.com"),
    }


@pytest.fixture(autouse=True)
def _fresh_limits(monkeypatch) -> None:
    """The per-address limits are per process: give each test its own."""
    monkeypatch.setattr(throttle, "SIGN_IN", RateLimit(limit=30, window=300))
    monkeypatch.setattr(throttle, "SIGN_UP", RateLimit(limit=10, window=3600))


def stored_files() -> list[str]:
    return sorted(str(p) for p in services.runtime().upload_dir.rglob("*") if p.is_file())


def cookie_for(http, actor: services.Actor) -> str:
    with services.session() as s:
        token, _ = services.auth.login(s, actor.email, PASSWORD)
    http.cookies.set(COOKIE, token)
    return token


def state(admin: services.Actor) -> dict[str, Any]:
    """Everything a cross-site write could have changed, as an admin sees it."""
    with services.session() as s:
        issues = services.issues.list_issues(s, admin, page_size=100).items
        return {
            "issues": [services.issues.get_issue(s, admin, i.id).model_dump() for i in issues],
            "comments": [len(services.comments.list_comments(s, admin, i.id)) for i in issues],
            "users": [
                u.model_dump(exclude={"last_login_at"})
                for u in services.users.list_users(s, admin).items
            ],
            "files": stored_files(),
        }


# --- CSRF: the session cookie only works for requests from this site ----------------------


def writes(issue_id: int, admin_id: int, reporter_id: int) -> list[tuple[str, str, dict]]:
    """Every kind of write the API takes, in an order that also succeeds from this site."""
    url = f"/api/v1/issues/{issue_id}"
    return [
        ("POST", "/api/v1/issues", {"json": {"title": "Planted"}}),
        ("PATCH", url, {"json": {"title": "Hijacked", "version": 1}}),
        ("POST", f"{url}/status", {"json": {"status": "TRIAGED", "version": 2}}),
        ("PUT", f"{url}/tags", {"json": {"tags": ["pwned"]}}),
        ("PUT", f"{url}/assignee", {"json": {"assignee_id": admin_id}}),
        ("POST", f"{url}/comments", {"json": {"body": "planted"}}),
        (
            "POST",
            f"{url}/attachments",
            {"files": {"file": ("planted.txt", b"planted\n", "text/plain")}},
        ),
        (
            "POST",
            "/api/v1/issues/import?dry_run=false",
            {"files": {"file": ("i.csv", b"title\nPlanted by CSV\n", "text/csv")}},
        ),
        (
            "POST",
            "/api/v1/users",
            {"json": {"email": "mole@example.com", "password": "a long passphrase"}},
        ),
        ("PATCH", f"/api/v1/users/{reporter_id}", {"json": {"role": "ADMIN"}}),
        ("DELETE", url, {}),
    ]


@pytest.fixture
def signed_in_admin(http, people) -> tuple[services.Actor, services.IssueView]:
    """An admin whose browser holds a login cookie, and a reporter's issue."""
    cookie_for(http, people["admin"])
    return people["admin"], make_issue(people["reporter"], title="Original")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": "https://evil.example"}, id="origin-evil"),
        pytest.param({"Origin": "null"}, id="origin-null"),
        pytest.param({"Origin": "http://test.evil.example"}, id="origin-lookalike"),
        pytest.param({"Origin": "https://test"}, id="origin-other-scheme"),
        pytest.param({"Origin": "http://test:8080"}, id="origin-other-port"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="fetch-cross-site"),
        pytest.param({"Sec-Fetch-Site": "same-site"}, id="fetch-same-site"),
        pytest.param(
            {"Sec-Fetch-Site": "cross-site", "Origin": ORIGIN}, id="fetch-cross-site-wins"
        ),
        pytest.param({}, id="no-origin"),
    ],
)
async def test_cookie_writes_from_another_site_are_refused(
    http, people, signed_in_admin, headers
) -> None:
    admin, issue = signed_in_admin
    before = state(admin)
    for method, path, kw in writes(issue.id, admin.id, people["reporter"].id):
        response = await http.request(method, path, headers=headers, **kw)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json() == {"detail": "Cross-site request refused."}
    assert state(admin) == before
    assert before["issues"][0]["title"] == "Original"  # the snapshot is not empty


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": ORIGIN}, id="origin"),
        pytest.param({"Sec-Fetch-Site": "same-origin"}, id="fetch-same-origin"),
    ],
)
async def test_the_same_writes_from_this_site_work(http, people, signed_in_admin, headers) -> None:
    admin, issue = signed_in_admin
    codes = [
        (await http.request(method, path, headers=headers, **kw)).status_code
        for method, path, kw in writes(issue.id, admin.id, people["reporter"].id)
    ]
    assert codes == [201, 200, 200, 200, 200, 201, 201, 200, 201, 200, 204]
    after = state(admin)
    assert sorted(i["title"] for i in after["issues"]) == ["Planted", "Planted by CSV"]
    roles = {u["email"]: u["role"] for u in after["users"]}
    assert roles["mole@example.com"] == "REPORTER" and roles["rep@example.com"] == "ADMIN"


async def test_no_other_site_may_read_api_answers(http, people) -> None:
    """A cross-site GET may carry the cookie (SameSite=Lax), but no CORS header lets the
    other site's script read the answer, and a preflight gets no permission either."""
    make_issue(people["reporter"], title="Mine")
    cookie_for(http, people["reporter"])
    evil = {"Origin": "https://evil.example"}
    listed = await http.get("/api/v1/issues", headers={**evil, "Sec-Fetch-Site": "cross-site"})
    assert "access-control-allow-origin" not in listed.headers
    assert "access-control-allow-credentials" not in listed.headers
    preflight = await http.options(
        "/api/v1/issues",
        headers={**evil, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert issue_count(people["admin"]) == 1


# --- SQL-looking input is data ---------------------------------------------------------------

SQL_LOOKING = [
    "' OR 1=1 --",
    "%'; DROP TABLE issues; --",
    '" OR ""="',
    "1) UNION SELECT password_hash FROM users --",
    "%",
    "_",
    "\\",
    "\x00",
]


@pytest.fixture
def three_issues(people) -> list[services.IssueView]:
    return [
        make_issue(people["reporter"], title="Login fails"),
        make_issue(people["reporter"], title="Export hangs"),
        make_issue(people["other"], title="Nothing to see", description="100 percent broken"),
    ]


def issue_count(actor: services.Actor) -> int:
    with services.session() as s:
        return services.issues.list_issues(s, actor).total


@pytest.mark.parametrize("q", SQL_LOOKING)
async def test_sql_looking_searches_match_text_only(http, people, three_issues, q) -> None:
    staff = auth(people["maintainer"])
    response = await http.get("/api/v1/issues", params={"q": q}, headers=staff)
    assert response.status_code == 200, response.text
    assert response.json()["items"] == [] and response.json()["total"] == 0
    everything = await http.get("/api/v1/issues", headers=staff)
    assert everything.json()["total"] == 3  # the table is still there, whole


async def test_a_quote_in_a_search_finds_the_issue_that_contains_it(
    http, people, three_issues
) -> None:
    make_issue(people["other"], title="Quote ' OR 1=1 -- in a title")
    staff, rep = auth(people["maintainer"]), auth(people["reporter"])
    found = await http.get("/api/v1/issues", params={"q": "' OR 1=1 --"}, headers=staff)
    assert [i["title"] for i in found.json()["items"]] == ["Quote ' OR 1=1 -- in a title"]
    # a reporter's search never reaches another reporter's issue, whatever it says
    mine = await http.get("/api/v1/issues", params={"q": "' OR '1'='1"}, headers=rep)
    assert mine.json()["total"] == 0


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/v1/issues", {"tag": "ui\x00"}),
        ("/api/v1/issues", {"reporter": "rep\x00"}),
        ("/api/v1/issues/export.csv", {"q": "\x00"}),
        ("/api/v1/users", {"q": "rep\x00"}),
    ],
)
async def test_a_nul_in_any_text_filter_matches_nothing(
    http, people, three_issues, path, params
) -> None:
    """PostgreSQL refuses NUL in a query (a 500 before) and SQLite cut the pattern there
    (everything matched): no stored text holds one, so nothing matches."""
    response = await http.get(path, params=params, headers=auth(people["admin"]))
    assert response.status_code == 200, response.text
    if path.endswith(".csv"):
        assert response.text.strip().count("\n") == 0  # the header only
    else:
        assert response.json()["total"] == 0


async def test_a_nul_in_an_email_is_refused_at_sign_up(http, db) -> None:
    response = await http.post(
        "/api/v1/auth/register", json={"email": "a\x00b@example.com", "password": "a long pass"}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "email"] and "not a valid email" in error["msg"]
    with services.session() as s:
        assert services.users.count_users(s) == 0


@pytest.mark.parametrize(
    "params, field, allowed",
    [
        ({"sort": "title;DROP TABLE issues"}, "sort", "updated, created"),
        ({"sort": "id desc"}, "sort", "updated, created"),
        ({"sort": "-(SELECT 1)"}, "sort", "updated, created"),
        ({"status": "OPEN' OR '1'='1"}, "status", "OPEN, TRIAGED"),
        ({"severity": "HIGH); DELETE FROM issues; --"}, "severity", "LOW, MEDIUM"),
    ],
)
async def test_sql_looking_sort_and_filters_are_a_clear_422(
    http, people, three_issues, params, field, allowed
) -> None:
    for path in ("/api/v1/issues", "/api/v1/issues/export.csv"):
        if path.endswith(".csv") and field == "sort":
            continue  # the export has no sort
        response = await http.get(path, params=params, headers=auth(people["admin"]))
        assert response.status_code == 422, (path, response.text)
        body = response.json()
        assert list(body["errors"]) == [field] and "Unknown" in body["errors"][field]
        assert allowed in body["detail"] and params[field] in body["detail"]
    assert issue_count(people["admin"]) == 3


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "' OR 1=1 --"}, []),
        ({"q": "%'; DROP TABLE issues; --"}, []),
        ({"q": "%"}, []),
        ({"q": "\x00"}, []),
        ({"sort": "title;DROP TABLE issues"}, ["Export hangs", "Login fails"]),
        ({"sort": "id desc"}, ["Export hangs", "Login fails"]),
        ({"status": "OPEN' OR '1'='1"}, ["Export hangs", "Login fails"]),
        ({"page": "1 OR 1=1"}, ["Export hangs", "Login fails"]),
    ],
)
async def test_the_list_page_takes_sql_looking_parameters_as_text(
    user: User, db, query, expected
) -> None:
    me = sign_in(user, "MAINTAINER")
    make_issue(me, title="Login fails")
    make_issue(me, title="Export hangs")
    await user.open("/?" + urlencode(query))
    await user.should_see("Search issues, comments and files")
    assert titles(user) == expected
    [bar] = user.find("Search issues, comments and files").elements
    assert bar.props["values"]["q"] == query.get("q", "")  # shown back as typed
    assert user.notify.messages == []  # no error
    assert issue_count(me) == 2


# --- Mass assignment: bodies allow-list their fields --------------------------------------


def refused(response) -> set[str]:
    """The body fields a 422 names as not allowed."""
    assert response.status_code == 422, response.text
    return {str(e["loc"][-1]) for e in response.json()["detail"] if e["type"] == "extra_forbidden"}


@pytest.mark.parametrize(
    "extra",
    [
        {"id": 77},
        {"reporter_id": 1},
        {"author_id": 1},
        {"created_at": "2000-01-01T00:00:00Z"},
        {"role": "ADMIN"},
        {"token_version": 0},
        {"is_active": False},
    ],
    ids=lambda e: next(iter(e)),
)
async def test_issue_writes_refuse_fields_they_do_not_take(http, people, extra) -> None:
    issue = make_issue(people["reporter"])
    staff = auth(people["admin"])
    url = f"/api/v1/issues/{issue.id}"
    field = next(iter(extra))
    calls = [
        ("POST", f"{url}/comments", {"body": "hello"}),
        ("POST", f"{url}/status", {"status": "TRIAGED", "version": 1}),
        ("PUT", f"{url}/tags", {"tags": ["ui"]}),
        ("PUT", f"{url}/assignee", {"assignee_id": people["maintainer"].id}),
    ]
    for method, path, body in calls:
        response = await http.request(method, path, headers=staff, json={**body, **extra})
        assert refused(response) == {field}, (path, response.text)
    with services.session() as s:
        after = services.issues.get_issue(s, people["admin"], issue.id)
        comments = services.comments.list_comments(s, people["admin"], issue.id)
    assert after.model_dump() == issue.model_dump() and comments == []


async def test_a_comment_refuses_a_version(http, people) -> None:
    issue = make_issue(people["reporter"])
    response = await http.post(
        f"/api/v1/issues/{issue.id}/comments",
        headers=auth(people["reporter"]),
        json={"body": "hello", "version": 1},
    )
    assert refused(response) == {"version"}


USER_FIELDS = [
    ("id", 1),
    ("role", "ADMIN"),
    ("token_version", 0),
    ("is_active", True),
    ("created_at", "2000-01-01T00:00:00Z"),
    ("version", 1),
    ("failed_logins", 0),
    ("locked_until", None),
    ("password_hash", "x"),
    ("email", "new@example.com"),
]
SETTABLE = {"register": {"email"}, "create": {"email", "role"}, "update": {"role", "is_active"}}


@pytest.mark.parametrize(("field", "value"), USER_FIELDS, ids=[f for f, _ in USER_FIELDS])
async def test_user_writes_refuse_fields_they_do_not_take(http, people, field, value) -> None:
    admin = auth(people["admin"])
    with services.session() as s:
        before = services.users.list_users(s, people["admin"]).model_dump()
    new = {"email": "new@example.com", "password": "a long passphrase"}
    calls = {
        "register": ("POST", "/api/v1/auth/register", {}, new),
        "create": ("POST", "/api/v1/users", admin, new),
        "update": ("PATCH", f"/api/v1/users/{people['reporter'].id}", admin, {"full_name": "X"}),
    }
    checked = 0
    for endpoint, (method, path, headers, body) in calls.items():
        if field in SETTABLE[endpoint]:
            continue
        response = await http.request(method, path, headers=headers, json={**body, field: value})
        assert refused(response) == {field}, (endpoint, response.text)
        checked += 1
    assert checked >= 1
    with services.session() as s:
        assert services.users.list_users(s, people["admin"]).model_dump() == before


# --- IDOR: other people's users and files -----------------------------------------------


async def test_only_admins_reach_a_user_record(http, people) -> None:
    targets = [people["admin"].id, people["other"].id, people["reporter"].id, 999_999]
    for role in ("reporter", "maintainer"):
        headers = auth(people[role])
        for user_id in targets:
            url = f"/api/v1/users/{user_id}"
            read = await http.get(url, headers=headers)
            assert read.status_code in (403, 404, 405)
            assert "@example.com" not in read.text
            patched = await http.patch(url, headers=headers, json={"role": "ADMIN"})
            assert patched.status_code == 403, (role, user_id)
            # the same answer whether the user exists or not
            assert patched.json() == {"detail": "Only administrators can change users."}
    with services.session() as s:
        roles = {u.email: u.role for u in services.users.list_users(s, people["admin"]).items}
    assert roles == {
        "rep@example.com": "REPORTER",
        "other@example.com": "REPORTER",
        "maint@example.com": "MAINTAINER",
        "admin@example.com": "ADMIN",
    }


async def test_a_reporter_walking_attachment_ids_gets_only_their_own(http, people) -> None:
    third = make_user("REPORTER", email="third@example.com")
    uploads = [  # (whose issue, who uploads, what)
        (people["other"], people["other"], b"other's first\n"),
        (people["reporter"], people["reporter"], b"mine\n"),
        (third, third, b"third's\n"),
        (people["other"], people["other"], b"other's second\n"),
        (people["other"], people["maintainer"], b"staff note on another reporter's issue\n"),
    ]
    ids = {}
    for reporter, uploader, content in uploads:
        issue = make_issue(reporter)
        with services.session() as s:
            view = services.attachments.save_attachment(
                s, uploader, issue.id, filename="f.txt", content=content
            )
        ids[view.id] = content
    mine = next(i for i, c in ids.items() if c == b"mine\n")
    cookie_for(http, people["reporter"])
    bearer = auth(people["reporter"])
    missing: dict[str, str] = {}
    for attachment_id in [*sorted(ids), max(ids) + 1]:
        answers = {
            "api bearer": await http.get(f"/api/v1/attachments/{attachment_id}", headers=bearer),
            "api cookie": await http.get(f"/api/v1/attachments/{attachment_id}"),
            "page": await http.get(f"/attachments/{attachment_id}"),
            "page inline": await http.get(f"/attachments/{attachment_id}?inline=1"),
        }
        for route, answer in answers.items():
            if attachment_id == mine:
                assert answer.status_code == 200 and answer.content == b"mine\n", route
                continue
            assert answer.status_code == 404, (route, attachment_id)
            assert ids.get(attachment_id, b"\x00") not in answer.content
            # another reporter's file answers exactly like a missing one
            assert missing.setdefault(route, answer.text) == answer.text, route
    for odd in ("0", "-1", "2147483648", "1e3", "0x1", "1.0"):
        assert (await http.get(f"/attachments/{odd}")).status_code == 404, odd
        assert (await http.get(f"/api/v1/attachments/{odd}")).status_code in (404, 422), odd


# --- Stored files: never static, always a sandboxed download -------------------------------
# (Active content itself is refused on upload: tests/adversarial/test_upload_attacks.py.)

NAMED_ACTIVE = [
    ("page.html", b"Plain words, no markup: only the name looks like a page.\n"),
    ("logo.svg", b"width,height\n10,20\n"),
]


@pytest.mark.parametrize(("filename", "content"), NAMED_ACTIVE, ids=["html", "svg"])
async def test_stored_files_are_only_served_as_sandboxed_downloads(
    http, people, filename, content
) -> None:
    issue = make_issue(people["reporter"])
    uploaded = await http.post(
        f"/api/v1/issues/{issue.id}/attachments",
        headers=auth(people["reporter"]),
        files={"file": (filename, content, "text/html")},
    )
    assert uploaded.status_code == 201
    assert uploaded.json()["content_type"] == "text/plain"  # typed by content, not the claim
    assert uploaded.json()["filename"] == f"{filename}.txt"  # and named after it
    stored = [p for p in services.runtime().upload_dir.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == content
    name = stored[0].name
    issue_json = await http.get(f"/api/v1/issues/{issue.id}", headers=auth(people["reporter"]))
    assert name not in issue_json.text  # the stored name is never handed out
    cookie_for(http, people["reporter"])  # signed in: only the route can refuse
    for static in (
        f"/{name}",
        f"/{name[:2]}/{name}",
        f"/uploads/{name}",
        f"/uploads/{name[:2]}/{name}",
        f"/data/uploads/{name[:2]}/{name}",
        f"/static/{name}",
        f"/media/{name}",
        f"/files/{name}",
        f"/attachments/{name}",
        f"/attachments/{name[:2]}/{name}",
        f"/_nicegui/static/{name}",
        f"/uploads/{filename}",
    ):
        response = await http.get(static)
        assert response.status_code == 404, static
        assert content not in response.content, static
    file_id = uploaded.json()["id"]
    for url, kw in (
        (f"/api/v1/attachments/{file_id}", {"headers": auth(people["reporter"])}),
        (f"/attachments/{file_id}", {}),
        (f"/attachments/{file_id}?inline=1", {}),
    ):
        response = await http.get(url, **kw)
        assert response.status_code == 200 and response.content == content, url
        assert response.headers["content-disposition"].startswith("attachment;"), url
        assert response.headers["x-content-type-options"] == "nosniff", url
        csp = [d.strip() for d in response.headers["content-security-policy"].split(";")]
        assert "sandbox" in csp, url
        assert response.headers["content-type"].startswith("text/plain"), url
        assert f"{filename}.txt" in response.headers["content-disposition"], url


# --- CSV exports cannot start a formula ----------------------------------------------------

TRIGGERS = "=+-@\t\r"


def starts_a_formula(cell: str) -> bool:
    """What a spreadsheet may take for a formula: a trigger first, or after blanks that an
    import may trim."""
    return cell.lstrip(" \t\r\n\u00a0").startswith(tuple("=+-@")) or cell.startswith(
        tuple(TRIGGERS)
    )


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        " =1+1",
        '   =HYPERLINK("http://evil.example")',
        "\u00a0=1+1",
        "\n=1+1",
        " @x",
    ],
)
def test_neutralise_leaves_no_cell_that_starts_a_formula(value) -> None:
    cell = services.csvio.neutralise(value)
    assert not starts_a_formula(cell) and cell.startswith("'") and cell[1:] == value


@pytest.mark.parametrize("value", ["plain", "1+1", "a=b", "", "'quoted", "e-mail", " spaced"])
def test_neutralise_leaves_ordinary_text_alone(value) -> None:
    assert services.csvio.neutralise(value) == value


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_no_exported_cell_starts_a_formula(http, people) -> None:
    """Titles, descriptions, reporter and assignee (the export shows their emails, and an
    email may start with '=' or '+'), and tags (which cannot start with a trigger at all)."""
    email = "=1+2@example.com"
    made = await http.post(
        "/api/v1/auth/register", json={"email": email, "password": "a long passphrase"}
    )
    assert made.status_code == 201
    sneaky = services.Actor(**made.json())
    descriptions = ["\t=1+1", "\r=1+1", "  =1+1", "\n=cmd|' /c calc'!A1", "@SUM(A1)", "-2+3"]
    for n, description in enumerate(descriptions):
        make_issue(sneaky, title=f"+{n} title", description=description)
    staff = auth(people["admin"])
    tagged = make_issue(people["admin"], title="-tagged", tags=["0day", "ui"])
    ops = make_user("MAINTAINER", email="+ops@example.com")
    assigned = await http.put(
        f"/api/v1/issues/{tagged.id}/assignee", headers=staff, json={"assignee_id": ops.id}
    )
    assert assigned.status_code == 200
    bad_tag = await http.put(
        f"/api/v1/issues/{tagged.id}/tags", headers=staff, json={"tags": ["=1+1"]}
    )
    assert bad_tag.status_code == 422  # a tag cannot start a formula in the first place
    response = await http.get("/api/v1/issues/export.csv", headers=staff)
    rows = _csv(response.text)
    assert len(rows) == len(descriptions) + 1
    for row in rows:
        for column, cell in row.items():
            assert not starts_a_formula(cell), (column, cell)
    assert {r["reporter"] for r in rows[:-1]} == {"'" + email}
    assert [r["description"] for r in rows[:-1]] == ["'" + d for d in descriptions]
    assert rows[-1]["tags"] == "0day;ui" and rows[-1]["title"] == "'-tagged"
    assert rows[-1]["assignee"] == "'+ops@example.com"
    # the export imports back to the same text
    back = await http.post(
        "/api/v1/issues/import?dry_run=false",
        headers=staff,
        files={"file": ("back.csv", response.content)},
    )
    assert back.status_code == 200, back.text
    with services.session() as s:
        copies = [
            services.issues.get_issue(s, people["admin"], i) for i in back.json()["issue_ids"]
        ]
    assert [c.description for c in copies[:-1]] == descriptions
    assert copies[-1].title == "-tagged"
