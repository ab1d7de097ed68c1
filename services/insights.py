"""Team insights over time (staff only): flow in and out, time to triage and to done."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from . import daily, stats
from .enums import Resolution, Severity, Status, Verb
from .models import Activity, Issue
from .permissions import is_staff, load_actor, require
from .schemas import Actor


@dataclass(frozen=True)
class DayFlow:
    day: dt.date
    created: int
    resolved: int


@dataclass(frozen=True)
class CycleTime:
    severity: str
    issues: int
    median_hours_to_triage: float | None
    median_hours_to_done: float | None


def flow(s: Session, actor: Actor, since: dt.date, until: dt.date) -> list[DayFlow]:
    """Issues filed and issues moved to DONE, per day (every day of the range)."""
    _staff(s, actor)
    day = daily.activity_day(s)
    resolved = and_(Activity.verb == Verb.STATUS, Activity.status_after == Status.DONE)
    query = (
        select(
            day,
            func.sum(case((Activity.verb == Verb.CREATED, 1), else_=0)),
            func.sum(case((resolved, 1), else_=0)),
        )
        .where(
            Activity.verb.in_((Verb.CREATED, Verb.STATUS)),
            Activity.created_at >= _start(since),
            Activity.created_at < _start(until, 1),
        )
        .group_by(day)
    )
    counts = {
        (dt.date.fromisoformat(d) if isinstance(d, str) else d): (int(c), int(r))
        for d, c, r in s.execute(query)
    }
    days = [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]
    return [DayFlow(d, *counts.get(d, (0, 0))) for d in days]


def cycle_times(s: Session, actor: Actor, since: dt.date, until: dt.date) -> list[CycleTime]:
    """For issues filed in the range: median hours from filing to the first TRIAGED and to
    the first DONE, per severity (at filing). One row per issue filed, hours computed in SQL."""
    _staff(s, actor)
    born, move = aliased(Activity), aliased(Activity)

    def hours_to(status: Status):  # type: ignore[no-untyped-def]
        first = func.min(case((move.status_after == status, move.created_at)))
        if s.get_bind().dialect.name == "postgresql":
            return func.extract("epoch", first - born.created_at) / 3600.0
        return (func.julianday(first) - func.julianday(born.created_at)) * 24.0

    query = (
        select(
            born.severity_after,
            hours_to(Status.TRIAGED),
            hours_to(Status.DONE),
            Issue.resolution,
        )
        .outerjoin(Issue, Issue.id == born.issue_id)
        .outerjoin(
            move,
            and_(
                move.issue_id == born.issue_id,
                move.verb == Verb.STATUS,
                move.status_after.in_((Status.TRIAGED, Status.DONE)),
                move.created_at >= _start(since),
            ),
        )
        .where(
            born.verb == Verb.CREATED,
            born.created_at >= _start(since),
            born.created_at < _start(until, 1),
        )
        .group_by(born.id, born.severity_after, born.created_at, Issue.resolution)
    )
    to_triage: dict[str, list[float]] = defaultdict(list)
    to_done: dict[str, list[float]] = defaultdict(list)
    count: dict[str, int] = defaultdict(int)
    for severity, triage_hours, done_hours, resolution in s.execute(query):
        count[str(severity)] += 1
        if triage_hours is not None:
            to_triage[str(severity)].append(float(triage_hours))
        if done_hours is not None and resolution == Resolution.FIXED:  # work done, not a no
            to_done[str(severity)].append(float(done_hours))
    return [
        CycleTime(
            severity=sev.value,
            issues=count[sev.value],
            median_hours_to_triage=_median(to_triage[sev.value]),
            median_hours_to_done=_median(to_done[sev.value]),
        )
        for sev in Severity
    ]


def resolutions(s: Session, actor: Actor, since: dt.date, until: dt.date) -> dict[str, int]:
    """How the issues closed in the range ended (those still DONE), by resolution."""
    _staff(s, actor)
    closed = select(Activity.issue_id).where(
        Activity.verb == Verb.STATUS,
        Activity.status_after == Status.DONE,
        Activity.created_at >= _start(since),
        Activity.created_at < _start(until, 1),
    )
    rows = s.execute(
        select(Issue.resolution, func.count())
        .where(Issue.status == Status.DONE, Issue.id.in_(closed))
        .group_by(Issue.resolution)
    )
    found = {str(r.value if r else Resolution.FIXED.value): int(n) for r, n in rows}
    return {r.value: found.get(r.value, 0) for r in Resolution}


def daily_csv(s: Session, actor: Actor, since: dt.date, until: dt.date) -> str:
    """The daily_stats rows of the range as CSV (day, status, severity, count)."""
    rows = stats.daily_series(s, actor, since=since, until=until)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "status", "severity", "count"])
    for r in rows:
        writer.writerow([r.day.isoformat(), r.status.value, r.severity.value, r.count])
    return out.getvalue()


def _staff(s: Session, actor: Actor) -> None:
    require(is_staff(load_actor(s, actor)), "Only maintainers and admins can see insights.")


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _start(day: dt.date, plus_days: int = 0) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=plus_days), dt.time(), tzinfo=dt.UTC)
