"""Team insights over time (staff only): flow in and out, time to triage and to done."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import stats
from .enums import Severity, Status, Verb
from .models import Activity
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
    created: dict[dt.date, int] = defaultdict(int)
    resolved: dict[dt.date, int] = defaultdict(int)
    query = select(Activity.verb, Activity.status_after, Activity.created_at).where(
        Activity.verb.in_((Verb.CREATED, Verb.STATUS)),
        Activity.created_at >= _start(since),
        Activity.created_at < _start(until, 1),
    )
    for verb, status_after, at in s.execute(query):
        if verb == Verb.CREATED:
            created[at.date()] += 1
        elif status_after == Status.DONE:
            resolved[at.date()] += 1
    days = [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]
    return [DayFlow(day=d, created=created[d], resolved=resolved[d]) for d in days]


def cycle_times(s: Session, actor: Actor, since: dt.date, until: dt.date) -> list[CycleTime]:
    """For issues filed in the range: median hours from filing to the first TRIAGED and to
    the first DONE, per severity (at filing)."""
    _staff(s, actor)
    filed = select(Activity.issue_id, Activity.severity_after, Activity.created_at).where(
        Activity.verb == Verb.CREATED,
        Activity.created_at >= _start(since),
        Activity.created_at < _start(until, 1),
    )
    born = {issue_id: (str(severity), at) for issue_id, severity, at in s.execute(filed)}
    firsts: dict[tuple[int, str], dt.datetime] = {}
    if born:
        moves = (
            select(Activity.issue_id, Activity.status_after, Activity.created_at)
            .where(
                Activity.verb == Verb.STATUS,
                Activity.status_after.in_((Status.TRIAGED, Status.DONE)),
                Activity.created_at >= _start(since),
            )
            .order_by(Activity.created_at)
        )
        for issue_id, status, at in s.execute(moves):
            if issue_id in born:
                firsts.setdefault((issue_id, str(status)), at)
    to_triage: dict[str, list[float]] = defaultdict(list)
    to_done: dict[str, list[float]] = defaultdict(list)
    count: dict[str, int] = defaultdict(int)
    for issue_id, (severity, at) in born.items():
        count[severity] += 1
        if (t := firsts.get((issue_id, Status.TRIAGED.value))) is not None:
            to_triage[severity].append((t - at).total_seconds() / 3600)
        if (t := firsts.get((issue_id, Status.DONE.value))) is not None:
            to_done[severity].append((t - at).total_seconds() / 3600)
    return [
        CycleTime(
            severity=sev.value,
            issues=count[sev.value],
            median_hours_to_triage=_median(to_triage[sev.value]),
            median_hours_to_done=_median(to_done[sev.value]),
        )
        for sev in Severity
    ]


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
