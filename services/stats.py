"""Counts for the dashboard; a reporter's counts cover only their own issues."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .enums import Role, Severity, Status
from .models import DailyStat, Issue
from .permissions import is_staff, load_actor, require
from .schemas import Actor, DailyCount


def open_by_severity(s: Session, actor: Actor) -> dict[str, int]:
    """Issues not DONE, per severity (every severity present, zeros included)."""
    query = select(Issue.severity, func.count()).where(Issue.status != Status.DONE)
    counts = _grouped(s, actor, query, Issue.severity)
    return {sev.value: counts.get(sev.value, 0) for sev in Severity}


def counts_by_status(s: Session, actor: Actor) -> dict[str, int]:
    """Issues per status (every status present, zeros included)."""
    counts = _grouped(s, actor, select(Issue.status, func.count()), Issue.status)
    return {st.value: counts.get(st.value, 0) for st in Status}


def daily_series(
    s: Session, actor: Actor, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[DailyCount]:
    """The daily_stats rows between two days (inclusive), oldest first. Team-wide numbers,
    so staff only."""
    require(is_staff(load_actor(s, actor)), "Only staff can see team-wide trends.")
    query = select(DailyStat).order_by(DailyStat.day, DailyStat.status, DailyStat.severity)
    if since:
        query = query.where(DailyStat.day >= since)
    if until:
        query = query.where(DailyStat.day <= until)
    return [
        DailyCount(day=r.day, status=r.status, severity=r.severity, count=r.count)
        for r in s.scalars(query)
    ]


def _grouped(s: Session, actor: Actor, query, column) -> dict[str, int]:  # type: ignore[no-untyped-def]
    user = load_actor(s, actor)
    if user.role == Role.REPORTER:
        query = query.where(Issue.reporter_id == user.id)
    return {str(key): n for key, n in s.execute(query.group_by(column))}
