"""Saved views on the pages: "Save view" on the list, the header's menu of views (the shown
one highlighted, live), and /views to rename, delete and (admins) share."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

import pytest
from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from starlette.datastructures import QueryParams

import services
from pages import issue_list
from pages.issue_list import ListState
from services import filters
from tests.factories import make_issue, make_user
from tests.pages.conftest import filter_bar, filter_list, sign_in, titles, until


def _views(actor) -> list[services.views.ViewInfo]:
    with services.session() as s:
        return services.views.list_views(s, actor)


def _save(actor, name, query="", **kw) -> services.views.ViewInfo:
    with services.session() as s:
        return services.views.save_view(s, actor, {"name": name, "query": query, **kw})


def _layout(user: User) -> list[int]:
    """The ids of the page layout's own elements (header, page, dialogs and what else)."""
    return [e.id for e in user.client.layout.default_slot.children]


def _menu(user: User) -> ui.menu:
    [menu] = user.find(marker="views-menu").elements
    return menu


def _links(user: User) -> dict[str, bool]:
    """The menu's views: name -> highlighted."""
    return {
        item.default_slot.children[0].text: bool(item.props.get("active"))
        for item in _menu(user).default_slot.children
        if isinstance(item, ui.item) and item.props.get("href", "/views") != "/views"
    }


@pytest.mark.parametrize(
    "url",
    [
        "",
        "status=DONE&status=OPEN&severity=HIGH&sort=title&page=2&per=50",
        "q=printer+on+fire&tag=ui&who=ana&reporter=7&assignee=me&unassigned=true",
        "signature=abc123&sort=-severity&focus=search",
    ],
)
def test_the_list_and_saved_views_read_a_url_alike(url) -> None:
    state = ListState.from_url(QueryParams(url))
    assert filters.query_from_url(state.to_url()) == state.query  # a view of the list
    saved = filters.url_of(filters.query_from_url(url))
    assert filters.url_of(ListState.from_url(QueryParams(saved)).query) == saved  # opening it


async def test_a_user_saves_the_lists_filters_and_finds_them_in_the_header(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    await user.open("/?status=OPEN&sort=-severity&page=2")
    UserInteraction(user, {filter_bar(user)}, None).trigger("save")
    await user.should_see("Save this list as a view")
    user.find(marker="view-name").type(" <b>Open first</b> ").trigger("keydown.enter")
    await user.should_see("Saved the view “<b>Open first</b>”.")
    [view] = _views(me)
    assert (view.name, view.query) == ("<b>Open first</b>", "status=OPEN&sort=-severity")
    _menu(user).open()
    await until(lambda: _links(user) == {"<b>Open first</b>": True})
    await user.should_see("Manage views")
    # Live: a view saved elsewhere appears; the list shows another query, so none is lit.
    _save(me, "All of them")
    await until(lambda: _links(user) == {"<b>Open first</b>": True, "All of them": False})
    filter_list(user, "q", "printer")
    _menu(user).close()
    _menu(user).open()
    await until(lambda: _links(user) == {"<b>Open first</b>": False, "All of them": False})


async def test_a_name_in_use_is_said_under_the_field_and_may_be_replaced(user: User, db) -> None:
    me = sign_in(user, "REPORTER")
    kept = _save(me, "Mine")
    await user.open("/?severity=LOW")
    UserInteraction(user, {filter_bar(user)}, None).trigger("save")
    await user.should_see("Save this list as a view")
    user.find(marker="view-submit").click()
    await until(lambda: _field(user).error == "Name is required.")
    await user.should_not_see(marker="view-shared")  # sharing is for admins
    user.find(marker="view-name").type("MINE")
    user.find(marker="view-submit").click()
    await until(lambda: _field(user).error == "You already have a view named “Mine”.")
    user.find(marker="view-replace").click()
    await user.should_see("Saved the view “MINE”.")
    [view] = _views(me)
    assert (view.id, view.query) == (kept.id, "severity=LOW")


def _field(user: User) -> ui.input:
    [field] = user.find(marker="view-name").elements
    return field


async def test_an_admin_shares_a_view_and_a_reporter_sees_only_their_issues_in_it(
    user: User, db
) -> None:
    admin = sign_in(user, "ADMIN")
    await user.open("/?severity=HIGH")
    UserInteraction(user, {filter_bar(user)}, None).trigger("save")
    await user.should_see("Save this list as a view")
    user.find(marker="view-name").type("High ones")
    user.find(marker="view-shared").click()
    user.find(marker="view-submit").click()
    await user.should_see("Saved the view “High ones”.")
    [view] = _views(admin)
    assert view.shared and view.url == "/?severity=HIGH"
    await user.open("/views")
    await user.should_see("severity HIGH")
    user.find(marker=f"share-{view.id}").click()
    await user.should_see("No longer shared.")
    user.find(marker=f"share-{view.id}").click()
    await user.should_see("Shared with everyone.")

    reporter = sign_in(user, "REPORTER")  # the same browser, now a reporter's
    make_issue(reporter, title="Mine and high", severity="HIGH")
    make_issue(make_user(), title="Someone else's, high", severity="HIGH")
    await user.open("/views")
    await user.should_see("High ones")
    await user.should_see("shared")
    for action in ("rename", "delete", "share"):
        await user.should_not_see(marker=f"{action}-{view.id}")
    await user.open(view.url)
    await until(lambda: titles(user) == ["Mine and high"])


async def test_only_the_menus_that_list_a_view_hear_of_it(
    create_user: Callable[[], User], db, monkeypatch
) -> None:
    browser = create_user()
    me = sign_in(browser, "MAINTAINER")
    admin, other = make_user("ADMIN"), make_user("MAINTAINER")
    await browser.open("/")
    _menu(browser).open()
    await browser.should_see("No saved views yet: “Save view” on the issue list adds one.")
    reloads: list[int] = []
    monkeypatch.setattr(issue_list, "load", lambda *a: reloads.append(1))
    asked: list[int] = []
    real_list = services.views.list_views

    def counting(s, actor):
        asked.append(actor.id)
        return real_list(s, actor)

    monkeypatch.setattr(services.views, "list_views", counting)
    _save(other, "Someone else's")
    _save(admin, "Admin's own")
    await asyncio.sleep(0.8)  # ample time for a live push to arrive, were one sent
    assert asked == []
    _save(admin, "For everyone", shared=True)  # what the list shows: lit
    await until(lambda: _links(browser) == {"For everyone": True})
    assert asked == [me.id] and reloads == []  # the list itself did not reload


async def test_views_are_renamed_and_deleted_on_their_page(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    view = _save(me, "Old name", "tag=ui")
    other = _save(me, "Taken")
    await user.open("/views")
    user.find(marker=f"rename-{view.id}").click()
    await user.should_see("Rename “Old name”")
    user.find(marker="view-name").clear().type("taken")
    user.find(marker="view-submit").click()
    await until(lambda: _field(user).error == "You already have a view named “Taken”.")
    await user.should_not_see(marker="view-replace")
    user.find(marker="view-name").clear().type("New name")
    user.find(marker="view-submit").click()
    await user.should_see("Renamed to “New name”.")
    await user.should_see("New name")
    user.find(marker=f"delete-{other.id}").click()
    await user.should_see("Delete the view “Taken”?")
    user.find("Confirm").click()
    await user.should_see("Deleted the view “Taken”.")
    assert [v.name for v in _views(me)] == ["New name"]


async def test_a_rename_dialog_stays_open_while_the_list_behind_it_changes(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    view = _save(me, "Old name")
    await user.open("/views")
    page_alone = _layout(user)
    user.find(marker=f"rename-{view.id}").click()
    await user.should_see("Rename “Old name”")
    _save(me, "Saved in another tab")  # the list behind the dialog is rebuilt
    await user.should_see("Saved in another tab")
    gc.collect()  # what the rebuild let go of is freed now, not at some later moment
    await user.should_see(marker="view-name")
    user.find(marker="view-name").clear().type("New name")
    user.find(marker="view-submit").click()
    await user.should_see("Renamed to “New name”.")
    assert sorted(v.name for v in _views(me)) == ["New name", "Saved in another tab"]
    assert _layout(user) == page_alone  # the dialog left nothing behind
