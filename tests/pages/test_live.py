"""Two browsers at once: changes show up live, and only where they may be seen."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from nicegui import ui
from nicegui.testing import User

import services
from pages import issue_detail, issue_list
from tests.factories import PASSWORD, make_issue, make_user
from tests.pages.conftest import press, sign_in, titles, until


async def test_a_maintainer_watches_a_new_issue_arrive_and_triages_it(
    create_user: Callable[[], User], db
) -> None:
    reporter_browser, maintainer_browser = create_user(), create_user()
    reporter = sign_in(reporter_browser, email="rita@example.com")
    sign_in(maintainer_browser, "MAINTAINER")
    await maintainer_browser.open("/")
    assert titles(maintainer_browser) == []

    # Filed through the services: NiceGUI's simulated users share one global `ui.navigate`,
    # so the redirect after saving on the page can land in the maintainer's simulated
    # browser instead (tests/e2e files through the real page in Chromium).
    make_issue(reporter, title="Invoice PDF is blank")
    await until(lambda: titles(maintainer_browser) == ["Invoice PDF is blank"])
    await maintainer_browser.should_see("Open · 1", retries=100)
    issue_id = maintainer_browser.find(kind=ui.table).elements.pop().rows[0]["id"]
    await reporter_browser.open(f"/issues/{issue_id}")
    await reporter_browser.should_see("reported by")

    await maintainer_browser.open(f"/issues/{issue_id}")
    press(maintainer_browser, "Move to Triaged")
    await reporter_browser.should_see(
        "Triaged", retries=100
    )  # the reporter's open page moved by itself
    await reporter_browser.should_see("moved it from Open to Triaged", retries=100)


async def test_a_reporter_never_receives_another_reporters_issue(
    create_user: Callable[[], User], db, monkeypatch
) -> None:
    alice, bob = create_user(), create_user()
    alice_actor = sign_in(alice)
    bob_actor = sign_in(bob)
    make_issue(alice_actor, title="Alice's own")
    await alice.open("/")
    queried: list[int] = []
    real_load = issue_list.load

    def counting_load(s, actor, f):
        queried.append(actor.id)
        return real_load(s, actor, f)

    monkeypatch.setattr(issue_list, "load", counting_load)
    make_issue(bob_actor, title="Bob's private trouble")
    staff = make_user("MAINTAINER")
    with services.session() as s:
        services.issues.change_status(s, staff, 2, "TRIAGED")
    await asyncio.sleep(0.8)  # ample time for a live push to arrive, were one sent
    assert titles(alice) == ["Alice's own"]
    assert alice_actor.id not in queried  # her page did not even query for Bob's changes
    await alice.should_see("Open · 1")


async def test_a_change_elsewhere_keeps_the_filters(create_user: Callable[[], User], db) -> None:
    browser = create_user()
    me = sign_in(browser, "MAINTAINER")
    first = make_issue(me, title="Alpha bug", severity="HIGH")
    second = make_issue(me, title="Beta bug", severity="LOW")
    await browser.open("/?severity=HIGH")
    with services.session() as s:
        services.issues.update_issue(s, me, first.id, {"title": "Alpha bug, renamed"})
        services.issues.update_issue(s, me, second.id, {"title": "Beta bug, renamed"})
    await until(lambda: titles(browser) == ["Alpha bug, renamed"])
    await browser.should_see("Open · 2")  # the counts follow; the filter stays


async def test_a_change_elsewhere_keeps_a_half_written_comment(
    create_user: Callable[[], User], db
) -> None:
    browser = create_user()
    me = sign_in(browser, "MAINTAINER")
    issue = make_issue(me, title="Before")
    await browser.open(f"/issues/{issue.id}")
    [comment] = browser.find("Add a comment (Markdown)").elements
    comment.value = "I was in the middle of"
    with services.session() as s:
        services.issues.update_issue(s, me, issue.id, {"title": "After"})
    await browser.should_see("After", retries=100)
    assert comment.value == "I was in the middle of"


async def test_a_deactivated_users_open_page_stops_working(
    create_user: Callable[[], User], db
) -> None:
    browser = create_user()
    me = sign_in(browser, "MAINTAINER")
    issue = make_issue(me)
    await browser.open(f"/issues/{issue.id}")
    admin = make_user("ADMIN")
    with services.session() as s:
        services.users.update_user(s, admin, me.id, {"is_active": False})
    await browser.should_see("Sign in")


async def test_signing_out_ends_the_session_for_good(user: User, db) -> None:
    me = make_user(email="out@example.com")
    await user.open("/login")
    user.find("Email").type("out@example.com")
    user.find("Password").type(PASSWORD)
    user.find(kind=ui.button, content="Sign in").click()
    await user.should_see("New issue")
    # The sign-out button submits a form: a POST (tests/e2e clicks it in Chromium).
    [account] = user.find(marker="account").elements
    assert isinstance(account, ui.html)
    form = r'<form method="post" action="/auth/logout"><button [^>]*type="submit"[^>]*>'
    assert re.search(form, account.content)
    response = await user.http_client.post(
        "/auth/logout", headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/login"
    await user.open("/")
    await user.should_see("Sign in")
    with services.session() as s:
        assert services.auth.authenticate(s, me.email, PASSWORD).id == me.id


async def test_the_app_stopping_stops_its_watch_on_the_database(db) -> None:
    """Without Redis the app watches the activity table on a thread; when the app stops,
    that thread stops too (a watcher left behind would keep reading a database that has
    gone, or hold locks another process needs)."""
    import threading
    from pathlib import Path

    from nicegui.testing.user_simulation import user_simulation

    def watching() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "tracker-watch" and t.is_alive()}

    before = watching()
    main = Path(__file__).with_name("app_main.py")
    async with user_simulation(main_file=main) as browser:
        await browser.open("/login")
        for _ in range(100):  # the app starts its watcher as a task
            if watching() - before:
                break
            await asyncio.sleep(0.05)
        assert len(watching() - before) == 1
    assert not watching() - before


async def test_a_change_made_while_the_page_loads_still_reaches_it(
    user: User, db, monkeypatch
) -> None:
    """A comment committed after the issue page read the issue but before it began to watch
    (what a file's analysis finishing as a maintainer opens the page does): the page shows it
    by itself, without waiting for the next change."""
    maintainer = sign_in(user, "MAINTAINER")
    issue = make_issue(maintainer, title="Checkout crashes")
    real_load = issue_detail.load
    loads: list[int] = []

    def load_then_someone_comments(s, actor, issue_id):
        data = real_load(s, actor, issue_id)
        if not loads:
            with services.session() as other:
                services.comments.add_comment(
                    other, maintainer, issue_id, {"body": "Arrived while the page loaded"}
                )
        loads.append(issue_id)
        return data

    monkeypatch.setattr(issue_detail, "load", load_then_someone_comments)
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Checkout crashes")
    await user.should_see("Arrived while the page loaded", retries=100)
    assert len(loads) == 2  # the page read the issue again once, for that comment


async def test_a_watcher_that_fails_to_stop_does_not_stop_the_shutdown(db, monkeypatch) -> None:
    """NiceGUI runs no later shutdown handler once one fails. A watcher that cannot stop is
    logged, and the app still stops: its pages no longer listen for changes, and a new app
    can start in the same process (what every later page test of the worker needs)."""
    from pathlib import Path

    from nicegui import core
    from nicegui.testing.user_simulation import user_simulation

    from services import events, watch

    def broken_stop(self) -> None:
        raise RuntimeError("cannot stop")

    listening, watching = len(events._listeners), list(watch._watchers)
    real_stop = watch.ActivityWatcher.stop
    monkeypatch.setattr(watch.ActivityWatcher, "stop", broken_stop)
    main = Path(__file__).with_name("app_main.py")
    try:
        async with user_simulation(main_file=main) as browser:
            await browser.open("/login")
            await until(lambda: len(events._listeners) > listening)
            await until(lambda: len(watch._watchers) > len(watching))
        assert len(events._listeners) == listening
        assert not core.app.is_started
    finally:  # the watcher that would not stop polls a database about to go: stop it
        for left in [w for w in watch._watchers if w not in watching]:
            real_stop(left)
