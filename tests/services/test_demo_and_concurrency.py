"""Demo data is coherent with its activity; SQLite takes concurrent writers."""

from __future__ import annotations

import threading

from sqlalchemy import select

import services
from services import demo
from services.models import Activity, Issue
from tests.factories import make_user


def test_demo_issues_have_histories_that_replay_to_their_status(db, sent):
    with services.session() as s:
        accounts = demo.ensure_demo_users(s)
    assert all(password for _, _, password in accounts)
    with services.session() as s:
        again = demo.ensure_demo_users(s)
    assert all(password is None for _, _, password in again)  # existing ones are kept
    done: list[int] = []
    with services.session() as s:
        assert demo.seed_issues(s, 120, progress=done.append) == 120
    assert sum(done) == 120 and sent[-1].op == "bulk"
    with services.session() as s:
        rows = s.execute(select(Issue.id, Issue.status, Issue.severity)).all()
        history = s.execute(select(Activity).order_by(Activity.created_at, Activity.id)).scalars()
        replay: dict[int, str] = {}
        for a in history:
            if a.verb == "created":
                replay[a.issue_id] = "OPEN"
            elif a.verb == "status":
                assert replay[a.issue_id] == a.old_value
                replay[a.issue_id] = a.new_value
    assert len(rows) == 120
    assert {i: st.value for i, st, _ in rows} == replay
    assert len({st for _, st, _ in rows}) == 4 and len({sev for _, _, sev in rows}) == 4


def test_concurrent_writers_do_not_fail(db):
    writers, per_writer = 20, 5  # SQLite: no "database is locked" for any of them
    actors = [make_user() for _ in range(writers)]
    errors: list[BaseException] = []

    def write(actor):
        try:
            for n in range(per_writer):
                with services.session() as s:
                    issue = services.issues.create_issue(s, actor, {"title": f"parallel {n}"})
                with services.session() as s:
                    services.comments.add_comment(s, actor, issue.id, {"body": "me too"})
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    admin = make_user("ADMIN")
    with services.session() as s:
        assert services.issues.list_issues(s, admin).total == writers * per_writer
