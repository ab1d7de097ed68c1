"""Per-user write limits (services/quotas.py), counted from the database: issues, comments
and files per hour, imported issues per day. Over a limit: RateLimited with the seconds
until the write fits, and nothing written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import threading

import pytest
from sqlalchemy import func, select, update

import services
from services import RateLimited
from services.models import Activity, Comment, Issue
from services.quotas import WriteLimits
from tests.factories import make_issue, make_user


@pytest.fixture
def limits(db, monkeypatch):
    """Set some write limits for this test (the rest keep their defaults)."""

    def set_limits(**kw: int) -> None:
        monkeypatch.setattr(services.runtime(), "limits", WriteLimits(**kw))

    return set_limits


def count(model) -> int:
    with services.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def age_activity(minutes: float, *, user_id: int, first: int = 1) -> None:
    """Move the user's oldest `first` activity rows `minutes` into the past."""
    with services.session() as s:
        ids = s.scalars(
            select(Activity.id).where(Activity.actor_id == user_id).order_by(Activity.id)
        ).all()[:first]
        at = services.models.utcnow() - dt.timedelta(minutes=minutes)
        s.execute(update(Activity).where(Activity.id.in_(ids)).values(created_at=at))
        s.commit()


def test_issues_per_hour_are_capped_and_say_when_to_try_again(limits):
    limits(issues_per_hour=3)
    reporter, other = make_user(), make_user()
    for _ in range(3):
        make_issue(reporter)
    age_activity(50, user_id=reporter.id)  # the first of the three leaves in ten minutes
    with pytest.raises(RateLimited) as refused:
        make_issue(reporter, title="One too many")
    assert 590 <= refused.value.retry_after <= 600
    assert refused.value.message == (
        "You have filed 3 issues in the last hour; the limit is 3. Try again in 10 minutes."
    )
    assert count(Issue) == 3  # nothing written
    make_issue(other)  # another user has a limit of their own
    age_activity(61, user_id=reporter.id)  # an hour later the slot is free again
    make_issue(reporter, title="Now it fits")


def test_comments_per_hour_are_capped(limits):
    limits(comments_per_hour=2)
    reporter = make_user()
    issue = make_issue(reporter)
    with services.session() as s:
        for n in range(2):
            services.comments.add_comment(s, reporter, issue.id, {"body": f"note {n}"})
        with pytest.raises(RateLimited, match="You have written 2 comments in the last hour"):
            services.comments.add_comment(s, reporter, issue.id, {"body": "spam"})
    assert count(Comment) == 2


def test_files_per_hour_are_capped(limits):
    limits(attachments_per_hour=2)
    reporter = make_user()
    issue = make_issue(reporter)
    with services.session() as s:
        for n in range(2):
            services.attachments.save_attachment(
                s, reporter, issue.id, filename=f"{n}.txt", content=b"log line\n"
            )
        with pytest.raises(RateLimited, match="You have attached 2 files in the last hour"):
            services.attachments.save_attachment(
                s, reporter, issue.id, filename="2.txt", content=b"log line\n"
            )
    assert len(list(services.runtime().upload_dir.rglob("*.txt"))) == 0  # random names only
    assert sum(1 for p in services.runtime().upload_dir.rglob("*") if p.is_file()) == 2


def test_imports_have_a_daily_limit_of_their_own(limits):
    limits(imported_issues_per_day=5, issues_per_hour=2)
    admin = make_user("ADMIN")

    def run_import(rows: int, *, dry_run: bool = False):
        text = "title\n" + "".join(f"Imported {n}\n" for n in range(rows))
        with services.session() as s:
            return services.csvio.import_issues(s, admin, io.StringIO(text), dry_run=dry_run)

    assert run_import(3).imported == 3
    for _ in range(2):  # filing by hand is counted apart: the import did not use it up
        make_issue(admin)
    with pytest.raises(RateLimited) as refused:
        run_import(3, dry_run=True)  # a dry run says so before anything is tried
    assert "You have imported 3 issues in the last 24 hours; 3 more" in refused.value.message
    with pytest.raises(RateLimited):
        run_import(3)
    assert count(Issue) == 5
    assert run_import(2).imported == 2  # what still fits
    with pytest.raises(services.InvalidInput, match="At most 5 issues can be imported"):
        run_import(6)  # can never fit: not a matter of waiting


def test_the_limit_holds_for_a_burst_of_writers_at_once(limits):
    """Many requests of one user at the same moment (on PostgreSQL: in parallel
    transactions) still get exactly the limit through."""
    limits(issues_per_hour=5)
    reporter = make_user()
    start = threading.Barrier(12)
    outcomes: list[str] = []

    def create() -> None:
        start.wait()
        try:
            make_issue(reporter)
            outcomes.append("created")
        except RateLimited:
            outcomes.append("refused")

    threads = [threading.Thread(target=create) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created"] * 5 + ["refused"] * 7
    assert count(Issue) == 5


def test_a_notebook_gets_the_same_defaults(db):
    assert services.runtime().limits == WriteLimits()
    assert dataclasses.asdict(WriteLimits()) == {
        "issues_per_hour": 60,
        "comments_per_hour": 300,
        "attachments_per_hour": 200,
        "imported_issues_per_day": 20_000,
    }
