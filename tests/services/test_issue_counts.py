"""The dashboard's counts come from `issue_counts`, kept by database triggers in the
transaction of each change (migration 0015): after any mix of changes, through the services
or around them with SQL, they equal counting the issues, for staff and for each reporter."""

from __future__ import annotations

import random

from sqlalchemy import delete, func, select, update

import services
from services import demo, stats
from services.models import Issue, IssueCount
from tests.factories import make_issue, make_user, team


def _truth(reporter_id: int | None = None) -> dict[str, int]:
    query = select(Issue.status, func.count()).group_by(Issue.status)
    if reporter_id is not None:
        query = query.where(Issue.reporter_id == reporter_id)
    with services.session() as s:
        counted = dict.fromkeys((st.value for st in services.Status), 0)
        counted.update({str(st): n for st, n in s.execute(query)})
        return counted


def _open_truth() -> dict[str, int]:
    query = (
        select(Issue.severity, func.count()).where(Issue.status != "DONE").group_by(Issue.severity)
    )
    with services.session() as s:
        counted = dict.fromkeys((sev.value for sev in services.Severity), 0)
        counted.update({str(sev): n for sev, n in s.execute(query)})
        return counted


def _shown(actor) -> dict[str, int]:
    with services.session() as s:
        return stats.counts_by_status(s, actor)


def _rows() -> int:
    with services.session() as s:
        return s.scalar(select(func.count()).select_from(IssueCount)) or 0


def test_counts_follow_every_kind_of_change(db, monkeypatch):
    people = team()
    admin, maintainer = people["admin"], people["maintainer"]
    reporters = [people["reporter"], people["other"]]
    rng = random.Random(5)
    issues = [
        make_issue(rng.choice(reporters), severity=rng.choice(["LOW", "HIGH", "CRITICAL"]))
        for _ in range(12)
    ]
    moves = {"OPEN": "TRIAGED", "TRIAGED": "IN_PROGRESS", "IN_PROGRESS": "DONE"}
    with services.session() as s:
        for issue in issues[:8]:
            current = services.issues.get_issue(s, maintainer, issue.id)
            services.issues.change_status(s, maintainer, issue.id, moves[current.status])
        services.issues.update_issue(s, maintainer, issues[0].id, {"severity": "LOW"})
        services.issues.update_issue(s, maintainer, issues[1].id, {"title": "Only the title"})
        services.issues.delete_issue(s, admin, issues[2].id)
        services.duplicates.mark_duplicate(s, maintainer, issues[3].id, issues[4].id)
    with services.session() as s:  # around the services: a bulk UPDATE and DELETE in SQL
        s.execute(
            update(Issue)
            .where(Issue.id.in_([i.id for i in issues[5:9]]))
            .values(severity="CRITICAL")
        )
        s.execute(
            update(Issue).where(Issue.id == issues[9].id).values(reporter_id=people["other"].id)
        )
        s.execute(delete(Issue).where(Issue.id == issues[10].id))
        s.commit()
    with services.session() as s:
        demo.ensure_demo_users(s)
        demo.seed_issues(s, 30, seed=3)  # rows inserted without the ORM
    with services.session() as s:
        assert stats.open_by_severity(s, maintainer) == _open_truth()
    assert _shown(maintainer) == _truth()
    for reporter in reporters:
        assert _shown(reporter) == _truth(reporter.id)
    assert sum(_truth().values()) == 12 - 2 + 30
    with services.session() as s:  # every demo reporter's own counts too
        seeded = s.scalars(select(Issue.reporter_id).distinct()).all()
    for reporter_id in seeded:
        with services.session() as s:
            someone = services.users.actor_for(s, user_id=reporter_id)
        if someone.role == "REPORTER":
            assert _shown(someone) == _truth(reporter_id)


def test_folding_the_deltas_keeps_the_counts(db, monkeypatch):
    maintainer, reporter = make_user("MAINTAINER"), make_user()
    for n in range(6):
        issue = make_issue(reporter, severity="HIGH" if n % 2 else "LOW")
        with services.session() as s:
            services.issues.change_status(s, maintainer, issue.id, "TRIAGED")
    before = _rows()
    monkeypatch.setattr(stats, "FOLD_AT", 5)
    assert _shown(maintainer) == _truth()  # more than 5 rows: folded after this read
    folded = _rows()
    assert folded < before
    assert _shown(maintainer) == _truth()
    assert _shown(reporter) == _truth(reporter.id)  # its own scope, folded in turn
    assert _rows() < folded
    assert _shown(reporter) == _truth(reporter.id)


def test_a_reporter_counts_only_their_own(db):
    mine, theirs = make_user(), make_user()
    make_issue(mine)
    make_issue(theirs)
    make_issue(theirs)
    assert _shown(mine)["OPEN"] == 1
    assert _shown(make_user("MAINTAINER"))["OPEN"] == 3


def _listed_total(actor, **criteria) -> tuple[int, bool]:
    with services.session() as s:
        page = services.issues.list_issues(s, actor, page_size=1, **criteria)
        return page.total, page.total_capped


def _counted(**where) -> int:
    query = select(func.count()).select_from(Issue)
    for column, values in where.items():
        query = query.where(getattr(Issue, column).in_(values))
    with services.session() as s:
        return s.scalar(query) or 0


def test_a_list_filtered_by_status_severity_or_reporter_takes_its_total_from_the_counts(
    db, monkeypatch
):
    people = team()
    maintainer, reporter = people["maintainer"], people["reporter"]
    rng = random.Random(7)
    for _ in range(14):
        issue = make_issue(
            rng.choice([reporter, people["other"]]), severity=rng.choice(["LOW", "HIGH"])
        )
        if rng.random() < 0.5:
            with services.session() as s:
                services.issues.change_status(s, maintainer, issue.id, "TRIAGED")
    with services.session() as s:  # around the services, as a bulk fix would
        s.execute(update(Issue).where(Issue.id % 3 == 0).values(severity="CRITICAL"))
        s.commit()

    def no_counting(*args, **kwargs):
        raise AssertionError("counted the rows instead of reading the kept counts")

    monkeypatch.setattr(services.queries, "count_capped", no_counting)
    assert _listed_total(maintainer) == (_counted(), False)
    assert _listed_total(maintainer, status="OPEN,TRIAGED", severity="CRITICAL") == (
        _counted(status=["OPEN", "TRIAGED"], severity=["CRITICAL"]),
        False,
    )
    assert _listed_total(maintainer, reporter_id=reporter.id, status="TRIAGED") == (
        _counted(reporter_id=[reporter.id], status=["TRIAGED"]),
        False,
    )
    assert _listed_total(reporter, severity="LOW,HIGH") == (
        _counted(reporter_id=[reporter.id], severity=["LOW", "HIGH"]),
        False,
    )
    monkeypatch.undo()  # any other filter counts the rows
    assert _listed_total(maintainer, unassigned=True, status="TRIAGED") == (
        _counted(status=["TRIAGED"]),
        False,
    )
