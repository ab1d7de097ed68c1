"""Hostile text in every user-controlled field never runs in a real browser.

Classic XSS payloads, a Vue template injection (NiceGUI renders with Vue: text that Vue
compiled as a template would run) and `javascript:` Markdown links go into a real
`tracker serve` (users through the services, the rest through the HTTP API): issue titles
(and the "changed the title" timeline entries), a Markdown description, comments, tag
names, users' full names and emails (reporter, assignee, the signed-in admin) and
attachment file names. An admin then opens every page that shows them in Chromium. Any
JavaScript dialog, a defined `window.__xss`, an embedded frame, a `javascript:` link, an
inline event handler or a console error about a Vue template fails the test; so does a
page that silently drops the text instead of showing it literally.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page, expect

import services
from services import events
from tests.serverproc import Server

XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_IMG = '<img src=x onerror="window.__xss=1">'
XSS_SVG = "<svg/onload=window.__xss=1>"
XSS_IFRAME = '"><iframe srcdoc="<script>parent.__xss=1</script>">'
VUE_TEMPLATE = "{{constructor.constructor('window.__xss=1')()}}"
# The same for Vue 3, whose template scope has no `constructor` but does have `$emit`.
VUE3_TEMPLATE = "{{$emit.constructor('window.__xss=1')()}}"
JS_TEMPLATE_LITERAL = "${alert(1)}"
XSS_TEXTAREA = "</textarea><script>window.__xss=1</script>"
JS_URL = "javascript:window.__xss=1"
PAYLOADS = [
    XSS_SCRIPT,
    XSS_IMG,
    XSS_SVG,
    XSS_IFRAME,
    VUE_TEMPLATE,
    VUE3_TEMPLATE,
    JS_TEMPLATE_LITERAL,
    XSS_TEXTAREA,
    JS_URL,
]
# Markdown links and images that must never become a javascript:/data: link.
MD_LINKS = [
    f"[x]({JS_URL})",
    "[y](JaVaScRiPt:window.__xss=1)",
    f"<{JS_URL}>",
    f"![i]({JS_URL})",
    "[d](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3M9MTwvc2NyaXB0Pg==)",
    "[e](jav&#x09;ascript:window.__xss=1)",
]
DESCRIPTION = "\n\n".join(
    [
        "# " + VUE_TEMPLATE,
        *PAYLOADS,
        *MD_LINKS,
        f"[r]\n\n[r]: {JS_URL}",
        "```\n" + XSS_SCRIPT + "\n```",
    ]
)
# What the rendered description must show as text (link variants that stay literal).
DESCRIPTION_TEXT = [*PAYLOADS, *MD_LINKS[:5]]
COMMENT = "\n\n".join([f"Reproduced: {VUE_TEMPLATE}", *PAYLOADS, f"[x]({JS_URL})"])

PASSWORD = "hostile content passphrase 7"
ADMIN_EMAIL = "ada@example.com"
ADMIN_NAME = f"Ada {VUE_TEMPLATE} {VUE3_TEMPLATE}"
# Full names are single lines of at most 200 characters: several payloads per name.
REPORTER_NAME = f"Rex {XSS_IFRAME} {XSS_SVG} {JS_TEMPLATE_LITERAL}"
ASSIGNEE_NAME = f"Asa {XSS_TEXTAREA} {XSS_IMG} {JS_URL}"
# No full name: these show by their (valid, hostile) email address instead.
EMAIL_VUE = f"{VUE3_TEMPLATE}@example.com"
EMAIL_SVG = f"{XSS_SVG}@example.com"
# Names without "/" (a path separator is cut off) and without '"' (escaped in multipart).
FILE_IMG = "<img src=x onerror=window.__xss=1>.png"
FILE_VUE = f"{VUE3_TEMPLATE}.txt"
FILE_MIXED = f"{JS_TEMPLATE_LITERAL}<svg onload=window.__xss=1>.txt"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f0dd7a0000000049454e44ae426082"
)
TAGS = ["constructor.constructor", "javascript.window"]
HOSTILE_TAGS = [XSS_SCRIPT, VUE_TEMPLATE, XSS_SVG, JS_TEMPLATE_LITERAL]
FIRST_TITLE = "Hostile content everywhere"


@dataclass
class Seeded:
    main_id: int
    other_ids: list[int]
    titles: list[str]  # the issues' current titles: the others', then the main one's
    tag_refusals: list[int]  # the API's answers to hostile tag names


def _json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _token(api: httpx.Client, email: str) -> dict[str, str]:
    answer = _json(api.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}))
    return {"Authorization": f"Bearer {answer['access_token']}"}


def _provision_users(server: Server) -> dict[str, int]:
    """The users, straight into the server's database through the services (quick: this
    process hashes with the test cost); everything else goes through the HTTP API."""
    services.connect(
        f"sqlite:///{server.data_dir / 'tracker.db'}", upload_dir=server.data_dir / "uploads"
    )
    try:
        ids = {}
        for email, name, role in [
            (ADMIN_EMAIL, ADMIN_NAME, "ADMIN"),
            ("rex@example.com", REPORTER_NAME, "MAINTAINER"),
            ("asa@example.com", ASSIGNEE_NAME, "MAINTAINER"),
            (EMAIL_VUE, "", "MAINTAINER"),
            (EMAIL_SVG, "", "MAINTAINER"),
        ]:
            with services.session() as s:
                user = services.users.provision(
                    s, {"email": email, "password": PASSWORD, "full_name": name, "role": role}
                )
            assert (user.email, user.full_name) == (email, name)
            ids[email] = user.id
        return ids
    finally:
        services.runtime().engine.dispose()
        events.configure_bus(None)


@pytest.fixture(scope="module")
def seeded(server: Server) -> Seeded:
    ids = _provision_users(server)
    with httpx.Client(base_url=server.url, timeout=30) as api:
        admin = _token(api, ADMIN_EMAIL)
        reporter = _token(api, "rex@example.com")
        assignees = [ids["asa@example.com"], ids[EMAIL_VUE], ids[EMAIL_SVG]]

        # An issue per payload but the last, filed by the reporter, assigned around.
        others = []
        for n, title in enumerate(PAYLOADS[:-1]):
            issue = _json(
                api.post(
                    "/api/v1/issues",
                    headers=reporter,
                    json={"title": title, "description": f"Issue {n}: {title}"},
                ),
                201,
            )
            assert issue["title"] == title
            _json(
                api.put(
                    f"/api/v1/issues/{issue['id']}/assignee",
                    headers=admin,
                    json={"assignee_id": assignees[n % len(assignees)]},
                )
            )
            others.append(issue["id"])

        # The main issue: hostile description, then its title edited through every payload,
        # so the timeline holds each one as an "old" and a "new" title.
        issue = _json(
            api.post(
                "/api/v1/issues",
                headers=admin,
                json={"title": FIRST_TITLE, "description": DESCRIPTION, "severity": "HIGH"},
            ),
            201,
        )
        main = issue["id"]
        for title in PAYLOADS:
            issue = _json(
                api.patch(
                    f"/api/v1/issues/{main}",
                    headers=admin,
                    json={"title": title, "version": issue["version"]},
                )
            )
            assert issue["title"] == title
        refusals = [
            api.put(f"/api/v1/issues/{main}/tags", headers=admin, json={"tags": [tag]}).status_code
            for tag in HOSTILE_TAGS
        ]
        assert _json(api.put(f"/api/v1/issues/{main}/tags", headers=admin, json={"tags": TAGS}))[
            "tags"
        ] == sorted(TAGS)
        _json(
            api.put(
                f"/api/v1/issues/{main}/assignee",
                headers=admin,
                json={"assignee_id": ids["asa@example.com"]},
            )
        )
        _json(
            api.post(f"/api/v1/issues/{main}/comments", headers=admin, json={"body": COMMENT}), 201
        )
        _json(
            api.post(f"/api/v1/issues/{main}/comments", headers=reporter, json={"body": XSS_IMG}),
            201,
        )
        for name, content, kind in [
            (FILE_IMG, PNG, "image/png"),
            (FILE_VUE, b"plain text\n", "text/plain"),
            (FILE_MIXED, b"more text\n", "text/plain"),
        ]:
            stored = _json(
                api.post(
                    f"/api/v1/issues/{main}/attachments",
                    headers=admin,
                    files={"file": (name, content, kind)},
                ),
                201,
            )
            assert stored["filename"] == name
    return Seeded(main, others, list(PAYLOADS), refusals)


@pytest.fixture(scope="module")
def admin_context(server: Server, browser: Any, seeded: Seeded) -> Iterator[Any]:
    """One signed-in admin browser context for the module (each test opens its own page)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Issues", exact=True).first).to_be_visible()
    page.close()
    yield context
    context.close()


class Watch:
    """Everything a page does that hostile content could have caused."""

    TEMPLATE_ERROR = re.compile(r"vue|template|compil", re.IGNORECASE)

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.template_messages: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning") and self.TEMPLATE_ERROR.search(message.text):
            self.template_messages.append(message.text)

    def problems(self, *, settle: bool = True) -> list[str]:
        if settle:  # an <img src=x> that got in fires its onerror once it has failed to load
            self.page.wait_for_function("[...document.images].every(i => i.complete)")
            self.page.wait_for_timeout(100)
        state = self.page.evaluate(
            """() => ({
                xss: typeof window.__xss,
                frames: document.querySelectorAll('iframe, frame, object, embed').length,
                scriptLinks: [...document.querySelectorAll('a[href], area[href]')]
                    .map(a => a.getAttribute('href'))
                    .filter(h => /^\\s*(javascript|vbscript|data):/i.test(h)),
                handlers: [...document.querySelectorAll('body *')]
                    .flatMap(e => [...e.attributes].map(a => a.name))
                    .filter(n => /^on/i.test(n)),
            })"""
        )
        found = []
        if self.dialogs:
            found.append(f"a JavaScript dialog opened: {self.dialogs}")
        if state["xss"] != "undefined":
            found.append("an injected script ran: window.__xss is set")
        if state["frames"]:
            found.append("user text became an embedded frame")
        if state["scriptLinks"]:
            found.append(f"script links on the page: {state['scriptLinks']}")
        if state["handlers"]:
            found.append(f"inline event handler attributes: {state['handlers']}")
        if self.template_messages:
            found.append(f"Vue template messages: {self.template_messages}")
        if self.errors:
            found.append(f"uncaught page errors: {self.errors}")
        return found

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)


@pytest.fixture
def page(admin_context: Any) -> Iterator[Page]:
    page = admin_context.new_page()
    yield page
    page.close()


@pytest.fixture
def watch(page: Page) -> Iterator[Watch]:
    watch = Watch(page)
    yield watch
    # Also when an assertion failed first (e.g. text dropped because markup was run).
    problems = watch.problems(settle=False)
    if problems:
        pytest.fail("\n".join(problems))


def shows(scope: Any, text: str) -> None:
    """`text` is on screen, character for character (not dropped, not interpreted)."""
    expect(scope).to_contain_text(text, use_inner_text=True)
    expect(scope.get_by_text(text).first).to_be_visible()


def shows_exactly(page: Page, text: str) -> None:
    expect(page.get_by_text(text, exact=True).first).to_be_visible()


def test_hostile_tags_are_refused_by_the_api(seeded: Seeded) -> None:
    # Tag names are an allow-list (a-z, 0-9, '-', '_', '.'): markup cannot be a tag at all.
    assert seeded.tag_refusals == [422] * len(HOSTILE_TAGS)


def test_issue_list(server: Server, page: Page, watch: Watch, seeded: Seeded) -> None:
    page.goto(f"{server.url}/")
    table = page.locator(".q-table")
    for title in seeded.titles:
        expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    for text in [REPORTER_NAME, ADMIN_NAME, ASSIGNEE_NAME, EMAIL_VUE, EMAIL_SVG, ", ".join(TAGS)]:
        shows(table, text)
    shows_exactly(page, ADMIN_NAME)  # the header's account button
    watch.assert_clean()


def test_issue_list_search_reflects_hostile_query_as_text(
    server: Server, page: Page, watch: Watch
) -> None:
    page.goto(f"{server.url}/?q={quote(VUE_TEMPLATE)}&who={quote(XSS_IMG)}")
    expect(page.get_by_label("Search issues, comments and files")).to_have_value(VUE_TEMPLATE)
    expect(page.get_by_label("Reporter (name or email)")).to_have_value(XSS_IMG)
    expect(page.get_by_text("No issues match.")).to_be_visible()
    watch.assert_clean()


def test_issue_detail(server: Server, page: Page, watch: Watch, seeded: Seeded) -> None:
    page.goto(f"{server.url}/issues/{seeded.main_id}")
    main = page.locator(".q-page")
    final = PAYLOADS[-1]
    expect(main.get_by_text(final, exact=True).first).to_be_visible()  # the title
    shows(main, f"reported by {ADMIN_NAME}")
    shows(main, f"· assignee: {ASSIGNEE_NAME}")
    for tag in TAGS:
        expect(page.locator(".q-chip", has_text=tag).first).to_be_visible()

    rendered = page.locator(".tracker-md")
    description, first_comment, second_comment = (rendered.nth(i) for i in range(3))
    expect(description.locator("h1")).to_have_text(VUE_TEMPLATE)
    for text in DESCRIPTION_TEXT:
        shows(description, text)
    expect(description.locator("pre code")).to_have_text(XSS_SCRIPT)
    hrefs = description.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], hrefs
    expect(description.locator("img")).to_have_count(0)
    for text in [f"Reproduced: {VUE_TEMPLATE}", *PAYLOADS, f"[x]({JS_URL})"]:
        shows(first_comment, text)
    expect(second_comment).to_have_text(XSS_IMG)
    shows(main, f"{ADMIN_NAME} · ")
    shows(main, f"{REPORTER_NAME} · ")

    for name in [FILE_IMG, FILE_VUE, FILE_MIXED]:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
        shows(main, f"{ADMIN_NAME} attached {name}")
    titles = [FIRST_TITLE, *PAYLOADS]
    for old, new in itertools.pairwise(titles):
        shows(main, f"{ADMIN_NAME} changed the title from “{old}” to “{new}”")
    shows(main, f"set the tags to {','.join(sorted(TAGS))}")
    watch.assert_clean()

    # The assignee menu lists every staff member by name (or email).
    page.get_by_label("Assignee").click()
    for name in [ADMIN_NAME, REPORTER_NAME, ASSIGNEE_NAME, EMAIL_VUE, EMAIL_SVG]:
        expect(page.get_by_role("option", name=name, exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    watch.assert_clean()

    # The edit form gets the raw text back as values, "</textarea>" included.
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Title", exact=True)).to_have_value(final)
    expect(page.get_by_label("Description (Markdown)")).to_have_value(DESCRIPTION)
    watch.assert_clean()


def test_other_issue_detail(server: Server, page: Page, watch: Watch, seeded: Seeded) -> None:
    page.goto(f"{server.url}/issues/{seeded.other_ids[3]}")  # the iframe payload, by Rex
    main = page.locator(".q-page")
    expect(main.get_by_text(PAYLOADS[3], exact=True)).to_be_visible()
    shows(main, f"reported by {REPORTER_NAME}")
    shows(main, f"· assignee: {ASSIGNEE_NAME}")
    shows(page.locator(".tracker-md"), f"Issue 3: {PAYLOADS[3]}")
    watch.assert_clean()


def test_hostile_issue_id_in_the_url(server: Server, page: Page, watch: Watch) -> None:
    for hostile in [VUE_TEMPLATE, "<img src=x onerror=window.__xss=1>"]:
        page.goto(f"{server.url}/issues/{quote(hostile, safe='')}")
        expect(page.get_by_text("Issue not found")).to_be_visible()
        expect(page).to_have_title(f"Issue {hostile} · Issues & Insights Tracker")
        watch.assert_clean()


def test_admin_users(server: Server, page: Page, watch: Watch) -> None:
    page.goto(f"{server.url}/admin/users")
    main = page.locator(".q-page")
    for name in [ADMIN_NAME, REPORTER_NAME, ASSIGNEE_NAME, EMAIL_VUE, EMAIL_SVG]:
        expect(main.get_by_text(name, exact=True).first).to_be_visible()
    shows(main, f"{EMAIL_VUE} · joined")
    shows(main, f"{EMAIL_SVG} · joined")
    watch.assert_clean()


def test_dashboard(server: Server, page: Page, watch: Watch) -> None:
    page.goto(f"{server.url}/dashboard")
    expect(
        page.get_by_text("Unresolved issues by severity")
    ).to_be_visible()  # no user text but names
    shows_exactly(page, ADMIN_NAME)  # the header's account button
    watch.assert_clean()


def test_insights(server: Server, page: Page, watch: Watch, seeded: Seeded) -> None:
    page.goto(f"{server.url}/insights")
    expect(page.get_by_text("Oldest untriaged")).to_be_visible()
    for issue_id, title in zip([*seeded.other_ids, seeded.main_id], seeded.titles, strict=True):
        expect(page.get_by_role("link", name=f"#{issue_id} {title}", exact=True)).to_be_visible()
    watch.assert_clean()


def test_account(server: Server, page: Page, watch: Watch) -> None:
    page.goto(f"{server.url}/account")
    expect(page.get_by_text(f"{ADMIN_NAME} · {ADMIN_EMAIL} · Admin", exact=True)).to_be_visible()
    shows_exactly(page, ADMIN_NAME)  # the header's account button
    watch.assert_clean()
