"""Dashboard, user administration and the account page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

import services
from pages.cookies import SESSION as COOKIE
from services.models import DailyStat
from tests.factories import PASSWORD, make_issue, make_user
from tests.pages.conftest import sign_in, until


def _bars(user: User) -> list[int]:
    [plot] = [p for p in user.find(kind=ui.plotly).elements if p.figure["data"][0]["type"] == "bar"]
    return list(plot.figure["data"][0]["y"])


async def test_the_dashboard_counts_a_reporters_own_issues_and_updates_live(user: User, db) -> None:
    me = sign_in(user)
    make_issue(me, severity="HIGH")
    make_issue(make_user(), severity="CRITICAL")  # someone else's: not counted
    await user.open("/dashboard")
    assert _bars(user) == [0, 0, 1, 0]
    assert _by_status(user) == {"Open": 1, "Triaged": 0, "In progress": 0, "Done": 0}
    await user.should_see("Your own issues.")
    make_issue(me, severity="LOW")
    await until(lambda: _bars(user) == [1, 0, 1, 0])
    await until(lambda: _by_status(user)["Open"] == 2)


def _by_status(user: User) -> dict[str, int]:
    """The cards of "Issues by status, now", as drawn."""
    [cards] = user.find(kind=ui.html, content="Issues by status, now").elements
    pairs = re.findall(r'status-text font-medium">([^<]+)</div><div[^>]*>(\d+)<', cards.content)
    return {label: int(count) for label, count in pairs}


def _trend(user: User) -> dict:
    [trend] = [
        p for p in user.find(kind=ui.plotly).elements if p.figure["data"][0]["type"] == "scatter"
    ]
    assert trend.visible
    return trend.figure


def _store_days(counts: list[int]) -> None:
    """OPEN issues at the end of today (stale), yesterday, the day before..."""
    with services.session() as s:
        for n, count in enumerate(counts):
            s.add(
                DailyStat(
                    day=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=n),
                    status="OPEN",
                    severity="LOW",
                    count=count,
                )
            )
        s.commit()


async def test_the_trend_ends_with_the_live_counts_on_day_ticks(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    make_issue(me)
    _store_days([5, 2, 3])  # today's stored 5 is stale: one issue is open right now
    await user.open("/dashboard")
    figure = _trend(user)
    open_line = figure["data"][0]
    assert open_line["name"] == "Open" and list(open_line["y"]) == [3, 2, 1]
    today = dt.datetime.now(dt.UTC).date()
    assert open_line["x"][-1] == today.isoformat()
    axis = figure["layout"]["xaxis"]
    assert axis["tickformat"] == "%b %d"  # whole days, never hours
    first_day = today - dt.timedelta(days=89)  # the whole 90 days, the gap included
    assert axis["range"][0][:10] == (first_day - dt.timedelta(days=1)).isoformat()
    await user.should_see(f"Daily counts start on {today - dt.timedelta(days=2):%b %d, %Y}")
    await user.should_not_see("tracker stats backfill")  # that is for admins
    await user.should_see("Unresolved issues by severity")
    await user.should_see("Open, triaged or in progress: every issue not done yet.")

    make_issue(me)  # the chart follows the cards, not the 5-minute job
    await until(lambda: list(_trend(user)["data"][0]["y"]) == [3, 2, 2])


async def test_admins_are_told_how_to_backfill_missing_days(user: User, db) -> None:
    sign_in(user, "ADMIN")
    await user.open("/dashboard")
    await user.should_see("No daily counts are recorded yet")
    since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=89)
    await user.should_see(f"tracker stats backfill --since {since.isoformat()}")
    assert list(_trend(user)["data"][0]["y"]) == [0]  # today, live, even with no history


async def test_an_admin_creates_a_user_and_changes_a_role(user: User, db) -> None:
    sign_in(user, "ADMIN")
    target = make_user(email="promote.me@example.com")
    await user.open("/admin/users")
    await user.should_see("promote.me@example.com")
    user.find("Email").type("new.person@example.com")
    user.find("Full name").type("New Person")
    user.find(kind=ui.button, content="Create").click()
    await user.should_see("Created new.person@example.com.", retries=100)
    label = f"Role of {target.full_name or target.email}"
    [role] = [e for e in user.find(kind=ui.select).elements if e.props.get("aria-label") == label]
    role.value = "MAINTAINER"
    await user.should_see("Change the role of User promote.me@example.com from Reporter to Main")
    user.find(kind=ui.button, content="Confirm").click()
    await until(lambda: _role_of(target.id) == "MAINTAINER")
    with services.session() as s:
        assert services.users.actor_for(s, email="new.person@example.com").role == "REPORTER"


async def test_deactivating_asks_first_and_cancel_changes_nothing(user: User, db) -> None:
    sign_in(user, "ADMIN")
    target = make_user(email="carl@example.com", full_name="Carl Maint")
    await user.open("/admin/users")
    [switch] = [
        e
        for e in user.find(kind=ui.switch).elements
        if e.props.get("aria-label") == "Deactivate Carl Maint"
    ]
    switch.value = False
    await user.should_see("Deactivate Carl Maint? They are signed out everywhere")
    user.find(kind=ui.button, content="Cancel").click()
    await until(lambda: switch.value is True)
    with services.session() as s:
        assert services.users.actor_for(s, user_id=target.id).is_active
    switch.value = False
    await user.should_see("Deactivate Carl Maint? They are signed out everywhere")
    user.find(kind=ui.button, content="Confirm").click()
    await user.should_see("Updated carl@example.com.", retries=100)
    with services.session() as s, pytest.raises(services.AuthenticationFailed):
        services.users.actor_for(s, user_id=target.id)


async def test_an_admin_cannot_lock_themselves_out(user: User, db) -> None:
    sign_in(user, "ADMIN", full_name="Ada Admin")
    await user.open("/admin/users")
    await user.should_see("Ada Admin")
    [mine] = [
        e
        for e in user.find(kind=ui.switch).elements
        if e.props.get("aria-label") == "Deactivate Ada Admin"
    ]
    [role] = [
        e
        for e in user.find(kind=ui.select).elements
        if e.props.get("aria-label") == "Role of Ada Admin"
    ]
    assert not mine.enabled and not role.enabled
    # Their own password is changed on /account with the current one, not reset here.
    await user.should_see("Change my password")
    resets = [b.props.get("aria-label") for b in user.find(kind=ui.button).elements]
    assert "Reset the password of Ada Admin" not in resets


async def test_a_deactivated_account_is_told_so_at_sign_in(user: User, db) -> None:
    gone = make_user(email="gone@example.com")
    admin = make_user("ADMIN")
    with services.session() as s:
        services.users.update_user(s, admin, gone.id, {"is_active": False})
    await user.open("/login")
    user.find("Email").type("gone@example.com")
    user.find("Password").type(PASSWORD)
    user.find(kind=ui.button, content="Sign in").click()
    await user.should_see(services.auth.DEACTIVATED, retries=100)


def _role_of(user_id: int) -> str:
    with services.session() as s:
        return services.users.actor_for(s, user_id=user_id).role.value


async def test_changing_my_password_keeps_me_signed_in_here_only(user: User, db) -> None:
    me = sign_in(user)
    with services.session() as s:
        other_browser, _ = services.auth.login(s, me.email, PASSWORD)
    await user.open("/account")
    fields = {e.props["label"]: e for e in user.find(kind=ui.input).elements}
    fields["Current password"].value = PASSWORD
    fields["New password"].value = fields["New password again"].value = "a much better passphrase"
    user.find(kind=ui.button, content="Change password").click()
    await user.should_see("Password changed", retries=100)
    with services.session() as s:
        assert services.auth.resolve_session(s, other_browser) is None
        mine = user.http_client.cookies.get(COOKIE, domain="test.local")
        assert services.auth.resolve_session(s, mine).id == me.id


async def test_named_tokens_are_shown_once_listed_and_revoked(user: User, db) -> None:
    me = sign_in(user)
    await user.open("/account")
    await user.should_see("No tokens yet.")
    user.find("Token name").type("nightly export")
    user.find(kind=ui.button, content="Create token").click()
    await user.should_see("Copy it now: it is not shown again.", retries=100)
    [shown] = [
        e for e in user.find(ui.input).elements if e.props.get("aria-label") == "Your new token"
    ]
    with services.session() as s:
        assert services.auth.actor_from_api_token(s, shown.value).id == me.id
    await user.should_see("nightly export")
    await user.should_see(f"…{shown.value[-4:]}")
    user.find("Token name").type("laptop")
    user.find(kind=ui.button, content="Create token").click()
    await user.should_see("laptop", retries=100)
    [revoke] = [
        b
        for b in user.find(ui.button).elements
        if b.props.get("aria-label") == "Revoke token nightly export"  # named for its row
    ]
    UserInteraction(user, {revoke}, None).click()
    await user.should_see("Token “nightly export” revoked.", retries=100)
    with services.session() as s:
        assert [t.name for t in services.tokens.list_tokens(s, me)] == ["laptop"]
        with pytest.raises(services.AuthenticationFailed):
            services.auth.actor_from_api_token(s, shown.value)
    user.find(kind=ui.button, content="Revoke all my tokens").click()
    await user.should_see("Every script and tool using one stops working at once.")
    with services.session() as s:
        assert len(services.tokens.list_tokens(s, me)) == 1  # asked first: nothing yet
    user.find(kind=ui.button, content="Yes, revoke them all").click()
    await user.should_see("All your API tokens are revoked.", retries=100)
    with services.session() as s:
        assert services.tokens.list_tokens(s, me) == []


async def test_the_shortcuts_dialog_is_made_once_however_often_it_is_asked_for(
    user: User, db
) -> None:
    sign_in(user)
    await user.open("/")
    await user.should_see("Issues")
    # The browser reads the keys itself (tests/e2e/test_keyboard.py presses them) and sends
    # only `?`, as a page event.
    await user.should_not_see(kind=ui.keyboard)
    for _ in range(3):
        UserInteraction(user, {user.client.layout}, None).trigger("shortcuts")
        await user.should_see("Keyboard shortcuts")
        [heading] = user.find("Keyboard shortcuts").elements  # one dialog, not one per press
        [dialog] = [a for a in heading.ancestors() if isinstance(a, ui.dialog)]
        assert dialog.value  # open
        dialog.close()


async def test_a_page_slower_than_niceguis_three_seconds_still_answers(
    user: User, db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NiceGUI gives a page 3 s to build by default, then answers with a 500 and its own
    error page, worded for developers (a soak on an overloaded machine met it once). A busy
    server's slow page is shown instead (pages.frame.BUILD_SECONDS)."""
    import time

    from pages import issue_list

    sign_in(user)
    load = issue_list.load

    def slow_load(*args, **kwargs):
        time.sleep(3.5)  # off the event loop, as a busy database would be
        return load(*args, **kwargs)

    monkeypatch.setattr(issue_list, "load", slow_load)
    await user.open("/")
    await user.should_see("You have not filed an issue yet.")
    await user.should_not_see("response_timeout")


async def test_what_every_page_shares_is_in_its_head_once_however_often_the_app_is_built(
    user: User, db
) -> None:
    from nicegui import Client

    from pages import filter_bar, frame, issue_list, shortcuts, utilities

    for register in (frame.register, issue_list.register, utilities.register):
        register()  # the app is built again (the tests do; so may a reload)
    head = Client.shared_head_html
    for mark in (".skip-link {", ".issue-table td.cell-title", "trackerFilterOptions"):
        assert head.count(mark) == 1, mark
    assert head.count(utilities.URL) == 1 and head.count(shortcuts.MARK) == 1
    sign_in(user)
    await user.open("/")
    await user.should_see("Open · 0")
    assert filter_bar.OPTIONS_SCRIPT in Client.shared_head_html
