"""Without Redis, what another process commits reaches this process's pages: the web
process watches the activity table and turns rows it did not write into events."""

from __future__ import annotations

import services
from services.events import ChangeEvent
from services.watch import BULK_AT, ActivityWatcher
from tests.factories import in_another_process, make_issue, make_user


def _watcher(db: str) -> tuple[ActivityWatcher, list[ChangeEvent]]:
    seen: list[ChangeEvent] = []
    watcher = ActivityWatcher(services.runtime().engine, interval=3600, sink=seen.append)
    watcher.start()  # the baseline; polls happen by hand below
    return watcher, seen


def file_elsewhere(db: str, title: str) -> None:
    """An issue filed by another process (a notebook, the CLI)."""
    in_another_process(
        db,
        f"""
        with services.session() as s:
            services.issues.create_issue(s, actor, {{"title": {title!r}}})
        """,
    )


def test_another_processs_changes_become_events(db) -> None:
    admin = make_user("ADMIN", email="admin@example.com")
    old = make_issue(admin, title="Filed before the watch began")
    watcher, seen = _watcher(db)
    try:
        assert watcher.poll() == []  # nothing old is replayed
        in_another_process(
            db,
            f"""
            with services.session() as s:
                services.issues.create_issue(s, actor, {{"title": "From a notebook"}})
            with services.session() as s:
                services.comments.add_comment(s, actor, {old.id}, {{"body": "from elsewhere"}})
            """,
        )
        changes = watcher.poll()
        with services.session() as s:
            [new] = services.issues.list_issues(s, admin, q="From a notebook").items
        assert changes == [
            ChangeEvent("issue", "created", new.id, admin.id),
            ChangeEvent("comment", "created", old.id, admin.id),
        ]
        assert seen == changes
        assert watcher.poll() == []  # each row once
    finally:
        watcher.stop()


def test_this_processs_own_writes_are_not_delivered_twice(db, sent) -> None:
    admin = make_user("ADMIN", email="admin@example.com")
    watcher, seen = _watcher(db)
    try:
        issue = make_issue(admin)
        assert ChangeEvent("issue", "created", issue.id, admin.id) in sent  # by the bus
        assert watcher.poll() == [] and seen == []
    finally:
        watcher.stop()


def test_many_rows_at_once_are_one_bulk_event_and_stats_are_noticed(db) -> None:
    make_user("ADMIN", email="admin@example.com")
    watcher, _ = _watcher(db)
    try:
        in_another_process(
            db,
            f"""
            for n in range({BULK_AT + 5}):
                with services.session() as s:
                    services.issues.create_issue(s, actor, {{"title": f"Imported {{n}}"}})
            services.jobs.refresh_today()
            """,
        )
        assert watcher.poll() == [ChangeEvent("issue", "bulk"), ChangeEvent("stats", "updated")]
        assert watcher.poll() == []
    finally:
        watcher.stop()


def test_a_database_that_went_away_is_retried(db) -> None:
    make_user("ADMIN", email="admin@example.com")
    watcher, _ = _watcher(db)
    try:
        watcher._connection().invalidate()  # as if the server dropped the connection
        assert watcher.poll() == []  # logged, not raised
        file_elsewhere(db, "After the outage")
        assert [c.op for c in watcher.poll()] == ["created"]
    finally:
        watcher.stop()


def test_a_watcher_stopped_before_it_starts_never_polls(db) -> None:
    """An app stopped while its watcher was still starting (a quick test, a quick Ctrl-C)
    must not leave a thread reading the database behind."""
    import threading

    watcher = ActivityWatcher(services.runtime().engine, interval=0.01)
    watcher.stop()
    watcher.start()
    assert not [t for t in threading.enumerate() if t.name == "tracker-watch" and t.is_alive()]


def test_another_processs_notifications_reach_their_recipients_bells(db) -> None:
    """A notification written elsewhere (mail-in, the CLI, the worker, a notebook) becomes
    the event its writer's process would have sent: whose bell, nothing more. Staff bells
    too, which no issue event names."""
    make_user("ADMIN", email="admin@example.com")
    reporter, maintainer = make_user("REPORTER"), make_user("MAINTAINER")
    with services.session() as s:
        prefs = services.notify.get_preferences(s, maintainer).model_dump()
        services.notify.update_preferences(s, maintainer, prefs | {"new_issues": "all"})
    issue = make_issue(reporter)
    watcher, _ = _watcher(db)
    try:
        in_another_process(
            db,
            f"""
            with services.session() as s:
                services.issues.change_status(s, actor, {issue.id}, "TRIAGED")
            with services.session() as s:
                services.issues.create_issue(s, actor, {{"title": "Filed by mail"}})
            """,
        )
        bells = [c for c in watcher.poll() if c.kind == "notification"]
        assert bells == [
            ChangeEvent("notification", "created", user_id=reporter.id),
            ChangeEvent("notification", "created", user_id=maintainer.id),
        ]
        assert watcher.poll() == []
    finally:
        watcher.stop()


def test_this_processs_own_notifications_are_not_delivered_twice(db) -> None:
    """Only the recipients of other processes' notifications are told, even when this
    process notified someone in the same second."""
    admin = make_user("ADMIN", email="admin@example.com")
    mine, theirs = make_user("REPORTER"), make_user("REPORTER")
    here, there = make_issue(mine), make_issue(theirs)
    watcher, seen = _watcher(db)
    try:
        with services.session() as s:
            services.issues.change_status(s, admin, here.id, "TRIAGED")
        assert watcher.poll() == [] and seen == []
        with services.session() as s:
            services.issues.change_status(s, admin, here.id, "IN_PROGRESS")
        in_another_process(
            db,
            f"""
            with services.session() as s:
                services.issues.change_status(s, actor, {there.id}, "TRIAGED")
            """,
        )
        bells = [c for c in watcher.poll() if c.kind == "notification"]
        assert bells == [ChangeEvent("notification", "created", user_id=theirs.id)]
    finally:
        watcher.stop()


def test_watchers_start_and_stop_while_other_threads_open_databases(db) -> None:
    """Each app starts and stops its watcher on a thread while other threads may connect
    (every sessionmaker is a new class of session). Stopping one failed now and then ("not
    in deque"), which cut the app's shutdown short and left its pages' listeners behind."""
    import threading

    from sqlalchemy.orm import sessionmaker

    engine = services.runtime().engine
    done = threading.Event()

    def connect_again_and_again() -> None:
        while not done.is_set():
            with sessionmaker(engine)() as s:
                s.flush()

    others = [threading.Thread(target=connect_again_and_again) for _ in range(2)]
    for thread in others:
        thread.start()
    try:
        for _ in range(200):
            watcher, _ = _watcher(db)
            watcher.stop()
    finally:
        done.set()
        for thread in others:
            thread.join()
    watcher, seen = _watcher(db)
    try:  # and a watcher still tells this process's rows from another's
        make_issue(make_user("ADMIN", email="admin@example.com"))
        assert watcher.poll() == [] and seen == []
        file_elsewhere(db, "From a notebook")
        assert [c.op for c in watcher.poll()] == ["created"]
    finally:
        watcher.stop()
