"""Counts for the dashboard; a reporter's counts cover only their own issues."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .enums import Severity, Status
from .models import DailyStat, Issue
from .permissions import is_staff, load_actor, require, visible_reporter
from .schemas import Actor, DailyCount


def open_by_severity(s: Session, actor: Actor) -> dict[str, int]:
    """Issues not DONE, per severity (every severity present, zeros included)."""
    out = dict.fromkeys((sev.value for sev in Severity), 0)
    for (status, severity), n in _counts(s, actor).items():
        if status != Status.DONE:
            out[severity] += n
    return out


def counts_by_status(s: Session, actor: Actor) -> dict[str, int]:
    """Issues per status (every status present, zeros included)."""
    out = dict.fromkeys((st.value for st in Status), 0)
    for (status, _), n in _counts(s, actor).items():
        out[status] += n
    return out


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


def history_start(s: Session, actor: Actor) -> dt.date | None:
    """The first day daily_stats has counts for (None before the first job run); staff only."""
    require(is_staff(load_actor(s, actor)), "Only staff can see team-wide trends.")
    return s.scalar(select(func.min(DailyStat.day)))


def _counts(s: Session, actor: Actor) -> dict[tuple[str, str], int]:
    """Issues per (status, severity), answered from one covering index."""
    reporter_id = visible_reporter(load_actor(s, actor), None)
    query = select(Issue.status, Issue.severity, func.count()).group_by(
        Issue.status, Issue.severity
    )
    if reporter_id is not None:
        query = query.where(Issue.reporter_id == reporter_id)
    return {(str(st), str(sev)): n for st, sev, n in s.execute(query)}
