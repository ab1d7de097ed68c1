"""The bell counts live, the list shows what changed and marks read, /account keeps the
preferences."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from nicegui.testing import User

import services
from tests.factories import in_another_process, make_issue, make_user
from tests.pages.conftest import sign_in, until

BELL = re.compile(r'<a [^>]*href="/notifications" aria-label="([^"]*)"[^>]*>(.*?)</a>')


def _bell(user: User) -> tuple[str, str]:
    """The bell as the header draws it: its label and the count on its badge ("" if none)."""
    [end] = user.find(marker="account").elements
    found = BELL.search(end.content)
    assert found, end.content
    badge = re.search(r'q-badge[^"]*">([^<]*)</span>', found.group(2))
    return found.group(1), badge.group(1) if badge else ""


def _badge(user: User) -> str:
    return _bell(user)[1]


async def test_the_bell_counts_live_when_a_maintainer_acts(
    create_user: Callable[[], User], db
) -> None:
    browser = create_user()
    reporter = sign_in(browser)
    maintainer = sign_in(create_user(), "MAINTAINER")
    issue = make_issue(reporter, title="Export hangs")
    await browser.open("/")
    await until(lambda: _bell(browser) == ("Notifications", ""))
    with services.session() as s:
        services.issues.change_status(s, maintainer, issue.id, "TRIAGED")
    await until(lambda: _badge(browser) == "1")
    assert _bell(browser) == ("Notifications, 1 unread", "1")
    with services.session() as s:
        services.comments.add_comment(s, maintainer, issue.id, {"body": "Reproduced."})
    await until(lambda: _badge(browser) == "2")


async def test_the_list_shows_who_did_what_and_marks_read(
    create_user: Callable[[], User], db
) -> None:
    browser = create_user()
    reporter = sign_in(browser)
    maintainer = sign_in(create_user(), "MAINTAINER", full_name="Mia Maintainer")
    issue = make_issue(reporter, title="<b>Export</b> hangs")
    with services.session() as s:
        services.issues.change_status(s, maintainer, issue.id, "TRIAGED")
        services.comments.add_comment(s, maintainer, issue.id, {"body": "On it."})
    await browser.open("/notifications")
    await browser.should_see("Mia Maintainer changed the status from OPEN to TRIAGED")
    await browser.should_see("Mia Maintainer commented")
    await browser.should_see(f"#{issue.id} <b>Export</b> hangs")  # a title is text
    browser.find("Mark all read").click()
    await until(lambda: _unread(reporter) == 0)
    await until(lambda: _badge(browser) == "")


async def test_a_duplicates_reporter_reads_how_the_original_moved_on_their_own_issue(
    create_user: Callable[[], User], db
) -> None:
    browser = create_user()
    me = sign_in(browser)
    maintainer = make_user("MAINTAINER", full_name="Mia Maintainer")
    original = make_issue(make_user(), title="Someone else's secret")
    mine = make_issue(me, title="My report")
    with services.session() as s:
        services.duplicates.mark_duplicate(s, maintainer, mine.id, original.id)
    with services.session() as s:
        services.issues.change_status(s, maintainer, original.id, "TRIAGED")
    await browser.open("/notifications")
    await browser.should_see("The issue yours duplicates moved to TRIAGED")
    await browser.should_see(f"#{mine.id} My report")
    await browser.should_not_see("Someone")  # names no one, and not the original's title


def _unread(actor: services.Actor) -> int:
    with services.session() as s:
        return services.notify.unread_count(s, actor)


async def test_account_keeps_notification_preferences(create_user: Callable[[], User], db) -> None:
    browser = create_user()
    me = sign_in(browser, "MAINTAINER")
    await browser.open("/account")
    await browser.should_see("Notifications")
    browser.find("Comments that @mention me").click()
    browser.find("Email").elements.pop().value = "digest"
    browser.find("New issues").elements.pop().value = "high"
    browser.find("Save notification preferences").click()
    await browser.should_see("Notification preferences saved.")
    with services.session() as s:
        prefs = services.notify.get_preferences(s, me)
    assert (prefs.mentions, prefs.email, prefs.new_issues) == (False, "digest", "high")


async def test_a_reporter_is_not_offered_every_new_issue(
    create_user: Callable[[], User], db
) -> None:
    browser = create_user()
    sign_in(browser)
    await browser.open("/account")
    await browser.should_see("Email")
    await browser.should_not_see("New issues")


async def test_bells_count_live_what_another_process_notified(
    db, create_user: Callable[[], User]
) -> None:
    """Without Redis, notifications written by another process (a real one here: mail-in,
    the CLI, the worker or a notebook alike) reach open pages through the activity watcher:
    a staff bell (new issues followed) and a reporter's. (`db` first: the app starts its
    watcher only when the database is connected before it.)"""
    staff_browser, reporter_browser = create_user(), create_user()
    maintainer = sign_in(staff_browser, "MAINTAINER")
    reporter = sign_in(reporter_browser)
    make_user("ADMIN", email="ops@example.com")
    with services.session() as s:
        prefs = services.notify.get_preferences(s, maintainer).model_dump()
        services.notify.update_preferences(s, maintainer, prefs | {"new_issues": "all"})
    for browser in (staff_browser, reporter_browser):
        await browser.open("/")
        await until(lambda browser=browser: _bell(browser) == ("Notifications", ""))
    script = """
        with services.session() as s:
            issue = services.issues.create_issue(s, actor, {"title": "By mail"})
        with services.session() as s:
            admin = services.users.actor_for(s, email="ops@example.com")
            services.issues.change_status(s, admin, issue.id, "TRIAGED")
        """
    await asyncio.to_thread(in_another_process, db, script, email=reporter.email)
    await until(lambda: _badge(staff_browser) == "1")
    await until(lambda: _badge(reporter_browser) == "1")
