"""The list, new-issue and issue pages for each role."""

from __future__ import annotations

from urllib.parse import parse_qs, quote

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from starlette.datastructures import QueryParams

import services
from pages.issue_list import ListState
from pages.pickers import IssuePickers
from tests.factories import make_issue, make_user
from tests.pages.conftest import (
    filter_bar,
    filter_list,
    pick,
    press,
    sign_in,
    table_rows,
    titles,
    until,
)
from tests.services.test_ids_never_reused import delete_the_newest_issue

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(100)


def stored_files() -> list:
    root = services.runtime().upload_dir
    return sorted(p for p in root.rglob("*") if p.is_file())


async def test_staff_see_every_issue_and_filter_them(user: User, db) -> None:
    sign_in(user, "MAINTAINER")
    reporter = make_user()
    make_issue(reporter, title="Checkout crashes", severity="CRITICAL")
    make_issue(reporter, title="Typo on About page", severity="LOW")
    await user.open("/")
    await user.should_see("Open · 2")
    assert sorted(titles(user)) == ["Checkout crashes", "Typo on About page"]
    filter_list(user, "q", "checkout")
    await until(lambda: titles(user) == ["Checkout crashes"])
    await user.should_see("Open · 2")  # the counts still cover everything visible


async def test_filters_live_in_the_url(user: User, db) -> None:
    sign_in(user, "MAINTAINER")
    make_issue(make_user(), title="Slow", severity="LOW")
    make_issue(make_user(), title="Broken", severity="HIGH")
    await user.open("/?severity=HIGH&sort=title")
    assert titles(user) == ["Broken"]


async def test_pagination_is_done_on_the_server(user: User, db) -> None:
    me = sign_in(user)
    for n in range(30):
        make_issue(me, title=f"Issue number {n:02d}")
    await user.open("/?sort=title")
    [table] = user.find(kind=ui.table).elements
    assert len(table.rows) == 25 and table.pagination["rowsNumber"] == 30
    # the browser asks for page 2 through the table's request event
    user.find(kind=ui.table).trigger(
        "request",
        {"pagination": {"page": 2, "rowsPerPage": 25, "sortBy": "title", "descending": False}},
    )
    await until(lambda: titles(user) == [f"Issue number {n}" for n in range(25, 30)])


async def test_rows_per_page_shows_that_many_and_stays_in_the_url(user: User, db) -> None:
    me = sign_in(user)
    for n in range(60):
        make_issue(me, title=f"Issue number {n:02d}")
    await user.open("/?sort=title")
    user.find(kind=ui.table).trigger(
        "request",
        {"pagination": {"page": 1, "rowsPerPage": 50, "sortBy": "title", "descending": False}},
    )
    await until(lambda: len(table_rows(user)) == 50)
    [table] = user.find(kind=ui.table).elements
    assert table.pagination["rowsPerPage"] == 50
    await user.open("/?sort=title&per=50&page=2")  # a bookmark keeps it
    await until(lambda: titles(user) == [f"Issue number {n}" for n in range(50, 60)])
    await user.open("/?per=7")  # not a size the menu offers: the default
    await until(lambda: len(table_rows(user)) == 25)


async def test_the_filter_bar_starts_from_the_url_and_refuses_bad_values(user: User, db) -> None:
    sign_in(user, "MAINTAINER")
    make_issue(make_user(), title="Slow printer")
    make_issue(make_user(), title="Fast printer")
    await user.open("/?status=OPEN&q=slow")
    bar = filter_bar(user)
    assert bar.props["values"]["status"] == ["OPEN"] and bar.props["values"]["q"] == "slow"
    await until(lambda: titles(user) == ["Slow printer"])
    await user.should_see("Open · 2")  # the chips count everything visible
    # While searching, the phone's sort picker offers (and shows) the best match first.
    assert bar.props["sort"] == "relevance"
    assert bar.props["sorts"][0] == {"value": "relevance", "label": "Best match"}
    filter_list(user, "status", ["OPEN", "NOT_A_STATUS"])
    await user.should_see("NOT_A_STATUS")  # named in the error, and nothing else changes
    assert titles(user) == ["Slow printer"]
    filter_list(user, "q", None)  # the field cleared
    await until(lambda: sorted(titles(user)) == ["Fast printer", "Slow printer"])
    assert bar.props["sort"] == "-updated" and bar.props["sorts"][0]["label"] == "Recently updated"
    filter_list(user, "sort", "title")
    await until(lambda: bar.props["sort"] == "title")
    assert titles(user) == ["Fast printer", "Slow printer"]
    filter_list(user, "sort", "-id")  # as a column's header sorts: named in the phone's picker
    await until(lambda: bar.props["sort"] == "-id")
    assert {"value": "-id", "label": "Number, descending"} in bar.props["sorts"]


async def test_a_reporter_cannot_use_the_staff_filters_by_hand(user: User, db) -> None:
    me = sign_in(user)
    make_issue(me, title="Mine")
    await user.open("/")
    await until(lambda: titles(user) == ["Mine"])
    for name, value in (("show", "unassigned"), ("reporter", "nobody at all")):
        filter_list(user, name, value)  # fields a reporter is not offered: ignored
    filter_list(user, "signature", "0" * 16)  # a signature chip is only ever removed
    filter_list(user, "tag", "x")  # and then one they are offered
    await until(lambda: titles(user) == [])
    filter_list(user, "tag", None)
    await until(lambda: titles(user) == ["Mine"])


async def test_a_number_finds_that_issue(user: User, db) -> None:
    sign_in(user, "MAINTAINER")
    wanted = make_issue(make_user(), title="Something")
    make_issue(make_user(), title="Something else")
    for text in (str(wanted.id), f"#{wanted.id}"):
        await user.open(f"/?q={quote(text)}")
        await until(lambda: titles(user) == ["Something"])


async def test_filing_an_issue_with_a_screenshot(user: User, db) -> None:
    sign_in(user, "REPORTER")
    await user.open("/issues/new")
    user.find("Title").type("Login button does nothing")
    user.find("Description (Markdown)").type("Click **Login**, nothing happens")
    [upload] = user.find(kind=ui.upload).elements
    await upload.handle_uploads([SmallFileUpload("screen.png", "image/png", PNG)])
    await user.should_see("screen.png")
    user.find(kind=ui.button, content="File issue").click()
    await user.should_see("reported by", retries=100)
    await user.should_see("Login button does nothing")
    await user.should_see("screen.png")
    assert len(stored_files()) == 1


async def test_the_preview_follows_text_that_arrives_after_the_switch_to_it(user: User, db) -> None:
    # A browser that acts before its connection is up can deliver the click on "Preview"
    # ahead of the text typed just before it: the preview still shows that text.
    sign_in(user)
    await user.open("/issues/new")

    def preview() -> str:
        return " ".join(e.content for e in user.find(kind=ui.html).elements)

    user.find("Description (Markdown)").type("Some **early** text")
    [tabs] = user.find(kind=ui.tabs).elements
    tabs.value = "Preview"
    await until(lambda: "<strong>early</strong>" in preview())
    [description] = user.find("Description (Markdown)").elements
    description.value = "Some **late** text"
    await until(lambda: "<strong>late</strong>" in preview())


async def test_a_disguised_or_oversized_file_is_refused_and_nothing_stored(user: User, db) -> None:
    me = sign_in(user)
    issue = make_issue(me)
    await user.open(f"/issues/{issue.id}")
    [upload] = user.find(kind=ui.upload).elements
    await upload.handle_uploads([SmallFileUpload("cat.png", "image/png", b"MZ" + bytes(500))])
    await user.should_see("This file type is not allowed")
    await upload.handle_uploads(
        [SmallFileUpload("big.txt", "text/plain", b"a" * (1024 * 1024 + 1))]
    )
    await user.should_see("larger than the limit")
    assert stored_files() == []
    with services.session() as s:
        assert services.issues.get_issue(s, me, issue.id).attachments == []


async def test_the_new_issue_form_keeps_the_draft_when_saving_fails(
    user: User, db, monkeypatch
) -> None:
    sign_in(user)
    await user.open("/issues/new")
    user.find("Title").type("Important draft")

    def down(*args, **kwargs):
        raise services.Unavailable()

    monkeypatch.setattr(services.issues, "create_issue", down)
    user.find(kind=ui.button, content="File issue").click()
    await user.should_see("Try again")
    monkeypatch.undo()
    await user.open("/issues/new")  # even a reload keeps it
    [title] = user.find("Title").elements
    assert title.value == "Important draft"


async def test_someone_elses_issue_looks_exactly_like_a_missing_one(user: User, db) -> None:
    sign_in(user)
    theirs = make_issue(make_user(), title="Their secret")
    await user.open(f"/issues/{theirs.id}")
    await user.should_see("Issue not found")
    await user.should_not_see("Their secret")
    await user.open("/issues/999999")
    await user.should_see("Issue not found")


async def test_reporters_get_no_workflow_buttons_staff_get_the_allowed_moves(
    user: User, db
) -> None:
    me = sign_in(user, "MAINTAINER")
    issue = make_issue(me)
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Move to Triaged")
    await user.should_not_see("Move to Done")
    press(user, "Move to Triaged")
    await user.should_see("Move to In progress")
    await user.should_see("Move to Open")
    with services.session() as s:
        assert services.issues.get_issue(s, me, issue.id).status == "TRIAGED"


async def test_a_click_is_checked_as_any_request_is(user: User, db) -> None:
    """The buttons are markup and a click sends the button's name: a name the page did not
    offer (sent by hand over the page's socket) is checked by the services, as an API
    request would be, and one it does not know does nothing."""
    me = sign_in(user)  # a reporter: no workflow buttons
    issue = make_issue(me)
    await user.open(f"/issues/{issue.id}")
    [buttons] = user.find(kind=ui.html, content="Withdraw my issue").elements
    buttons_clicked = UserInteraction(user, {buttons}, None)
    buttons_clicked.trigger("click", "move:TRIAGED")
    await user.should_see("Only maintainers and admins can change the status.", retries=100)
    buttons_clicked.trigger("click", "explode")
    buttons_clicked.trigger("click", {"not": "a name"})
    with services.session() as s:
        assert services.issues.get_issue(s, me, issue.id).status == "OPEN"


async def test_a_reporter_sees_no_status_buttons(user: User, db) -> None:
    me = sign_in(user)
    issue = make_issue(me)
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Edit")
    await user.should_not_see("Move to Triaged")
    await user.should_not_see("Delete")


async def test_the_edit_form_opens_under_the_buttons_and_closes(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    issue = make_issue(me, title="Original title")
    await user.open(f"/issues/{issue.id}")
    await user.should_not_see("Edit issue")  # made at the first "Edit"
    press(user, "Edit")
    await user.should_see("Edit issue")
    [heading] = user.find("Edit issue").elements
    card = heading.parent_slot.parent
    [move] = user.find(kind=ui.html, content="Move to Triaged").elements
    buttons = move.parent_slot.parent
    siblings = buttons.parent_slot.children
    assert siblings.index(card) == siblings.index(buttons) + 1
    user.find(kind=ui.button, content="Cancel").click()
    await user.should_not_see("Edit issue")


async def test_an_issue_deleted_while_shown_says_so_above_its_heading(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    issue = make_issue(me, title="Soon gone")
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Move to Triaged")
    with services.session() as s:
        services.issues.delete_issue(s, make_user("ADMIN"), issue.id)
    await user.should_see("This issue has been deleted", retries=100)
    await user.should_not_see("Move to Triaged")
    [notice] = user.find("This issue has been deleted").elements
    banner = notice.parent_slot.parent
    assert banner.parent_slot.children.index(banner) == 0


async def test_a_stale_edit_shows_the_current_values(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    issue = make_issue(me, title="Original title")
    await user.open(f"/issues/{issue.id}")
    press(user, "Edit")
    await user.should_see("Edit issue")
    with services.session() as s:  # someone else saves first
        services.issues.update_issue(s, me, issue.id, {"title": "Their new title"})
    [title] = [e for e in user.find("Title").elements if isinstance(e, ui.input)]
    title.value = "My new title"
    user.find(kind=ui.button, content="Save").click()
    await user.should_see("Someone else changed this issue while you were editing")
    await user.should_see("Their new title")
    assert title.value == "My new title"  # the draft is kept
    user.find(kind=ui.button, content="Save mine over it").click()

    def saved() -> str:
        with services.session() as s:
            return services.issues.get_issue(s, me, issue.id).title

    await until(lambda: saved() == "My new title")
    await user.should_not_see("Someone else changed this issue while you were editing")


async def test_comments_render_safe_markdown(user: User, db) -> None:
    me = sign_in(user)
    issue = make_issue(me)
    await user.open(f"/issues/{issue.id}")
    user.find("Add a comment (Markdown)").type("**bold** <script>alert(1)</script>")
    press(user, "Comment")
    await user.should_see("commented")
    html = [e.content for e in user.find(kind=ui.html).elements]
    assert any("<strong>bold</strong>" in h for h in html)
    assert not any("<script>" in h for h in html)


async def test_an_issue_without_a_description_says_so(user: User, db) -> None:
    me = sign_in(user)
    bare = make_issue(me, title="Bare", description="")
    await user.open(f"/issues/{bare.id}")
    await user.should_see("No description provided.")
    described = make_issue(me, title="Described")
    await user.open(f"/issues/{described.id}")
    await user.should_see("broke")
    await user.should_not_see("No description provided.")


async def test_the_assignee_picker_offers_active_staff_and_reporters_get_no_pickers(
    user: User, db
) -> None:
    me = sign_in(user, "MAINTAINER", full_name="Mo Maintainer")
    admin = make_user("ADMIN", full_name="Ada Admin")
    reporter = make_user(full_name="Rey Reporter")
    gone = make_user("MAINTAINER", full_name="Gone Maintainer")
    with services.session() as s:
        services.users.update_user(s, admin, gone.id, {"is_active": False})
    issue = make_issue(reporter, title="Printer jams")
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Printer jams")
    [pickers] = user.find(kind=IssuePickers).elements
    offered = {option["label"] for option in pickers.props["staff"]}
    assert {"Unassigned", "Mo Maintainer", "Ada Admin"} <= offered
    assert not {"Rey Reporter", "Gone Maintainer"} & offered
    pick(user, "assign", me.id)
    await until(lambda: _assignee(me, issue.id) == me.id)
    pick(user, "assign", 0)  # "Unassigned"
    await until(lambda: _assignee(me, issue.id) is None)

    own = make_issue(sign_in(user, "REPORTER"), title="Scanner jams")
    await user.open(f"/issues/{own.id}")
    await user.should_see("Scanner jams")
    await user.should_not_see(kind=IssuePickers)  # neither an assignee nor a tag picker


def _assignee(actor: services.Actor, issue_id: int) -> int | None:
    with services.session() as s:
        found = services.issues.get_issue(s, actor, issue_id).assignee
    return found.id if found else None


async def test_the_timeline_and_comments_are_lists_and_names_in_them_stay_text(
    user: User, db
) -> None:
    me = sign_in(user, "MAINTAINER", full_name='<img src=x onerror="alert(1)"> Mo')
    issue = make_issue(me, title="Printer")
    with services.session() as s:
        services.issues.change_status(s, me, issue.id, "TRIAGED", version=issue.version)
        for body in ("First **look**", "Second look"):
            services.comments.add_comment(s, me, issue.id, {"body": body})
    await user.open(f"/issues/{issue.id}")
    await user.should_see("moved it from Open to Triaged")
    lists = [e.content for e in user.find(kind=ui.html).elements if "<ol" in e.content]
    [timeline] = [html for html in lists if "filed the issue" in html]  # (found as a set)
    [comments] = [html for html in lists if "First" in html]
    name = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Mo"
    assert timeline.count("<li") == 4
    assert f"{name} filed the issue" in timeline
    assert comments.count("<li") == 2
    assert f"{name} · <time" in comments and "<strong>look</strong>" in comments
    assert "<img" not in timeline + comments


@pytest.mark.parametrize("path", ["/", "/issues/new", "/dashboard", "/account", "/admin/users"])
async def test_every_page_wants_a_signed_in_user(user: User, db, path: str) -> None:
    await user.open(path)
    await user.should_see("Sign in")


async def test_a_new_issue_shows_nothing_of_a_deleted_one(user: User, db) -> None:
    delete_the_newest_issue()
    me = sign_in(user, "REPORTER", full_name="Nina Newcomer")
    fresh = make_issue(me, title="My printer jams")
    await user.open(f"/issues/{fresh.id}")
    await user.should_see("My printer jams")
    await user.should_see("Nina Newcomer filed the issue")
    for trace in ("Olga Oldowner", "salaries-2026.png", "commented", "Triaged", "deleted"):
        await user.should_not_see(trace)


async def test_the_url_keeps_its_names_for_every_filter(user: User, db) -> None:
    sign_in(user, "MAINTAINER")
    rita, raj = make_user(full_name="Rita Reporter"), make_user(full_name="Raj Other")
    make_issue(rita, title="Rita's printer", severity="HIGH")
    make_issue(raj, title="Raj's printer", severity="LOW")
    await user.open("/?who=rita")  # part of the reporter's name or email
    assert titles(user) == ["Rita's printer"]
    await user.open(f"/?reporter={raj.id}")  # the reporter's id
    assert titles(user) == ["Raj's printer"]
    await user.open("/?status=BOGUS&severity=HIGH&q=printer")  # a bad value is left out
    assert titles(user) == ["Rita's printer"]


def test_the_list_state_goes_to_the_url_and_back_unchanged() -> None:
    url = "q=jam&tag=ui&status=OPEN&status=DONE&severity=HIGH&reporter=7&who=rita&sort=title&page=3"
    state = ListState.from_url(QueryParams(url))
    assert state.query == services.IssueQuery(
        q="jam",
        tag="ui",
        status=["OPEN", "DONE"],
        severity=["HIGH"],
        reporter_id=7,
        reporter="rita",
        sort="title",
    )
    assert state.page == 3 and parse_qs(state.to_url()) == parse_qs(url)


async def test_a_missing_title_is_said_on_the_field_in_plain_words(user: User, db) -> None:
    sign_in(user, "REPORTER")
    await user.open("/issues/new")
    user.find("Description (Markdown)").type("No title given")
    user.find(kind=ui.button, content="File issue").click()
    await user.should_see("Title is required.")
    [title] = [i for i in user.find(kind=ui.input).elements if i.props.get("label") == "Title"]
    await until(lambda: title.props.get("error") is True)
    assert title.props["error-message"] == "Title is required."
    user.find("Title").type("Now it has one")  # typing clears the mark
    await until(lambda: not title.props.get("error"))


async def test_enter_in_the_title_files_the_issue(user: User, db) -> None:
    sign_in(user, "REPORTER")
    await user.open("/issues/new")
    user.find("Title").type("Filed with Enter").trigger("keydown.enter")
    await user.should_see("reported by", retries=100)


async def test_an_empty_list_invites_a_reporter_to_file_their_first_issue(user: User, db) -> None:
    me = sign_in(user)
    await user.open("/")
    await user.should_see("You have not filed an issue yet.")
    await user.should_not_see(kind=ui.table)  # its "No issues match." would say it again
    await user.open("/?q=nothing")  # a filter that matches nothing is not an empty tracker
    await user.should_not_see("You have not filed an issue yet.")
    [table] = user.find(kind=ui.table).elements  # visible ones only
    assert table.props["no-data-label"] == "No issues match."
    await user.open("/")
    make_issue(me, title="My first one")
    await user.should_not_see("You have not filed an issue yet.", retries=100)
    await user.should_see(kind=ui.table)
    await until(lambda: titles(user) == ["My first one"])


async def test_staff_quick_views_assigned_to_me_and_unassigned(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    mine = make_issue(make_user(), title="Mine to fix")
    make_issue(make_user(), title="Nobody's yet")
    with services.session() as s:
        services.issues.assign(s, me, mine.id, me.id)
    await user.open("/")
    await until(lambda: len(titles(user)) == 2)
    filter_list(user, "show", "assigned")
    await until(lambda: titles(user) == ["Mine to fix"])
    filter_list(user, "show", "unassigned")
    await until(lambda: titles(user) == ["Nobody's yet"])
    await user.open("/?assignee=me")  # the URL keeps the view
    await until(lambda: titles(user) == ["Mine to fix"])


async def test_close_outright_or_withdraw(create_user, db) -> None:
    staff_browser, reporter_browser = create_user(), create_user()
    sign_in(staff_browser, "MAINTAINER")
    me = sign_in(reporter_browser, email="wanda@example.com")
    spam = make_issue(me, title="Not a bug really")
    mine = make_issue(me, title="Never mind")
    await staff_browser.open(f"/issues/{spam.id}")
    press(staff_browser, "Close: invalid")
    await staff_browser.should_see("resolved it as invalid", retries=100)
    await reporter_browser.open(f"/issues/{mine.id}")
    await reporter_browser.should_not_see("Close: won't fix")  # staff only
    press(reporter_browser, "Withdraw my issue")
    await reporter_browser.should_see("resolved it as withdrawn", retries=100)
    await reporter_browser.should_not_see("Withdraw my issue")


async def test_a_search_lists_the_best_matches_first_and_a_capped_total_says_so(
    user: User, db, monkeypatch
) -> None:
    sign_in(user, "MAINTAINER")
    reporter = make_user()
    make_issue(reporter, title="Export hangs")
    make_issue(reporter, title="Spinner forever", description="during the export")
    make_issue(reporter, title="Unrelated")
    await user.open("/?q=export")
    await until(lambda: titles(user) == ["Export hangs", "Spinner forever"])
    [table] = user.find(kind=ui.table).elements
    assert ":pagination-label" not in table.props  # an exact total: Quasar's own label
    for n in range(20):
        make_issue(reporter, title=f"More {n}")
    monkeypatch.setattr(services.queries, "COUNT_CAP", 15)
    # A full page, of a filter the kept counts cannot answer: counted, to 20 (at least past
    # the next page).
    await user.open("/?unassigned=true&per=10")
    await until(lambda: ":pagination-label" in table.props or _new_table(user, table))
    [table] = user.find(kind=ui.table).elements
    assert "+" in table.props[":pagination-label"] and table.pagination["rowsNumber"] == 20
    assert len(titles(user)) == 10  # every issue of the page is listed


def _new_table(user: User, old: ui.table) -> bool:
    [table] = user.find(kind=ui.table).elements
    return table is not old and ":pagination-label" in table.props


async def test_an_older_slower_answer_does_not_replace_a_newer_filters_rows(
    user: User, db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two searches typed one after the other: the first one's answer, arriving last (a busy
    database), is not shown under the second one's words."""
    import asyncio
    import time

    from pages import issue_list

    sign_in(user, "MAINTAINER")
    make_issue(make_user(), title="Alpha crash")
    make_issue(make_user(), title="Beta crash")
    await user.open("/")
    await until(lambda: len(titles(user)) == 2)
    load = issue_list.load

    def slow_for_alpha(s, actor, state):
        if state.query.q == "alpha":
            time.sleep(1.0)
        return load(s, actor, state)

    monkeypatch.setattr(issue_list, "load", slow_for_alpha)
    filter_list(user, "q", "alpha")
    await asyncio.sleep(0.2)
    filter_list(user, "q", "beta")
    await until(lambda: titles(user) == ["Beta crash"])
    await asyncio.sleep(1.2)  # the answer for "alpha" has arrived by now
    assert titles(user) == ["Beta crash"]
