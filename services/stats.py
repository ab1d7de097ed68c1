"""Counts for the dashboard; a reporter's counts cover only their own issues."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from . import db
from .db import begin_write
from .enums import Severity, Status
from .filters import IssueFilter
from .models import DailyStat, IssueCount
from .permissions import NOBODY, is_staff, load_actor, require, visible_reporter
from .schemas import Actor, DailyCount

log = logging.getLogger(__name__)


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


# The filter fields the kept counts can answer; any other narrows by more than they know.
COUNTED_BY = frozenset({"status", "severity", "reporter_id", "sort"})


def matching(s: Session, f: IssueFilter) -> int | None:
    """How many issues a filter of statuses, severities and one reporter (or none) matches,
    from the counts the triggers keep: exact, and a few rows read however many issues there
    are. None for any other filter. `f` is narrowed to what the asker may see already."""
    if not f.model_dump(exclude_defaults=True).keys() <= COUNTED_BY:
        return None
    statuses, severities = {str(st) for st in f.status}, {str(sev) for sev in f.severity}
    return sum(
        n
        for (status, severity), n in _scope_counts(s, f.reporter_id or 0).items()
        if (not statuses or status in statuses) and (not severities or severity in severities)
    )


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
    """Issues per (status, severity): the sums of the deltas the database's triggers write
    in the transaction of every change (migration 0015), for everyone or one reporter. A
    few dozen rows whatever the number of issues; folded together once they grow."""
    reporter_id = visible_reporter(load_actor(s, actor), None)
    if reporter_id == NOBODY:
        return {}
    return _scope_counts(s, 0 if reporter_id is None else reporter_id)


# Built once: every list and dashboard runs it (building a statement costs more than its run).
_SCOPE_COUNTS = (
    select(IssueCount.status, IssueCount.severity, func.sum(IssueCount.n), func.count())
    .where(IssueCount.reporter_id == bindparam("scope"))
    .group_by(IssueCount.status, IssueCount.severity)
)


def _scope_counts(s: Session, scope: int) -> dict[tuple[str, str], int]:
    """One scope's counts: everyone's (0) or one reporter's."""
    rows = s.execute(_SCOPE_COUNTS, {"scope": scope}).all()
    if sum(r[3] for r in rows) > FOLD_AT and not db.writing(s):
        fold(scope)
    return {(str(st), str(sev)): int(n) for st, sev, n, _ in rows if n}


def fold(scope: int) -> None:
    """Replace one scope's deltas by one row per (status, severity), in its own transaction;
    a failure (a busy database) leaves them for the next read."""
    try:
        with db.session() as w:
            begin_write(w)
            if w.get_bind().dialect.name == "postgresql":
                # One statement, one snapshot: rows other transactions add meanwhile stay.
                w.execute(text(_FOLD_PG), {"scope": scope})
            else:  # SQLite: one writer at a time, so two statements are as good
                last = w.scalar(select(func.max(IssueCount.id)))
                w.execute(text(_FOLD_SQLITE_SUM), {"scope": scope, "last": last})
                w.execute(text(_FOLD_SQLITE_DROP), {"scope": scope, "last": last})
            w.commit()
    except Exception as e:
        log.warning("could not fold the issue counts of scope %s (%s)", scope, e)


FOLD_AT = 200  # delta rows of one scope (everyone, or a reporter) before they are folded
_FOLD_PG = """
WITH gone AS (DELETE FROM issue_counts WHERE reporter_id = :scope RETURNING status, severity, n)
INSERT INTO issue_counts (reporter_id, status, severity, n)
SELECT :scope, status, severity, sum(n) FROM gone GROUP BY status, severity HAVING sum(n) <> 0
"""
_FOLD_SQLITE_SUM = """
INSERT INTO issue_counts (reporter_id, status, severity, n)
SELECT :scope, status, severity, sum(n) FROM issue_counts WHERE reporter_id = :scope
AND id <= :last GROUP BY status, severity HAVING sum(n) <> 0
"""
_FOLD_SQLITE_DROP = "DELETE FROM issue_counts WHERE reporter_id = :scope AND id <= :last"
