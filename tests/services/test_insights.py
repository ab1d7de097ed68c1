"""Insights: flow per day and median cycle times, against a hand-made history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

import services
from services import insights
from services.models import Activity
from tests.factories import make_issue, make_user

D = dt.date(2026, 4, 1)


def _at(day_offset: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(D + dt.timedelta(days=day_offset), dt.time(hour), tzinfo=dt.UTC)


def _retime(issue_id: int, times: list[dt.datetime]) -> None:
    with services.session() as s:
        ids = s.scalars(
            select(Activity.id).where(Activity.issue_id == issue_id).order_by(Activity.id)
        ).all()
        for row_id, when in zip(ids, times, strict=True):
            s.execute(update(Activity).where(Activity.id == row_id).values(created_at=when))
        s.commit()


@pytest.fixture
def story(db):
    staff = make_user("MAINTAINER")
    fast = make_issue(staff, severity="HIGH")  # filed D 08:00, triaged 10:00, done D+1 08:00
    slow = make_issue(staff, severity="HIGH")  # filed D 09:00, triaged D+1 09:00
    low = make_issue(staff, severity="LOW")  # filed D+1 12:00, never triaged
    with services.session() as s:
        for target in ("TRIAGED", "IN_PROGRESS", "DONE"):
            services.issues.change_status(s, staff, fast.id, target)
        services.issues.change_status(s, staff, slow.id, "TRIAGED")
    _retime(fast.id, [_at(0, 8), _at(0, 10), _at(0, 12), _at(1, 8), _at(1, 8)])  # + resolution
    _retime(slow.id, [_at(0, 9), _at(1, 9)])
    _retime(low.id, [_at(1, 12)])
    return staff


def test_flow_counts_filed_and_resolved_per_day(story):
    with services.session() as s:
        days = insights.flow(s, story, D - dt.timedelta(days=1), D + dt.timedelta(days=1))
    assert [(d.created, d.resolved) for d in days] == [(0, 0), (2, 0), (1, 1)]


def test_median_times_by_severity(story):
    with services.session() as s:
        times = {c.severity: c for c in insights.cycle_times(s, story, D, D + dt.timedelta(days=1))}
    assert times["HIGH"].issues == 2
    assert times["HIGH"].median_hours_to_triage == 13.0  # median of 2 h and 24 h
    assert times["HIGH"].median_hours_to_done == 24.0
    assert times["LOW"].issues == 1 and times["LOW"].median_hours_to_triage is None
    assert times["CRITICAL"].issues == 0


def test_insights_are_for_staff(story):
    reporter = make_user()
    with services.session() as s, pytest.raises(services.PermissionDenied):
        insights.flow(s, reporter, D, D)


def test_the_daily_series_exports_as_csv(story):
    with services.session() as s:
        services.daily.backfill(s, D, D + dt.timedelta(days=1))
    with services.session() as s:
        text = insights.daily_csv(s, story, D, D + dt.timedelta(days=1))
    lines = text.strip().splitlines()
    assert lines[0] == "day,status,severity,count" and len(lines) == 1 + 2 * 16
    assert {
        "2026-04-01,IN_PROGRESS,HIGH,1",
        "2026-04-01,OPEN,HIGH,1",
        "2026-04-02,DONE,HIGH,1",
        "2026-04-02,TRIAGED,HIGH,1",
        "2026-04-02,OPEN,LOW,1",
    } <= set(lines)
