"""daily_stats: issue counts per day, status and severity, from the activity table.

Every activity row keeps the issue's (status, severity) before and after its change, so
the counts at any moment are the current counts with the later changes undone — plain SQL
sums, no replay. A day's row set (all 16 status x severity rows, zeros included) is upserted
in one transaction: running twice, or concurrently, leaves one row set; a run killed
half-way leaves the previous one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from sqlalchemy import Date, cast, func, literal, null, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .db import begin_write
from .enums import Severity, Status, Verb
from .events import ChangeEvent, emit
from .models import Activity, DailyStat, Issue, utcnow

Counts = Counter[tuple[str, str]]
STATE_VERBS = (Verb.CREATED, Verb.STATUS, Verb.EDITED, Verb.DELETED)


def refresh_day(s: Session, day: dt.date) -> dict[str, int]:
    """Recompute one day (as of its end, or now for today) and replace its row set.
    For jobs and operators; returns the counts per status."""
    counts = counts_at(s, _end_of(day))
    s.rollback()  # end the read; the write takes SQLite's lock up front
    begin_write(s)
    _write(s, day, counts)
    emit(s, ChangeEvent("stats", "updated"))
    s.commit()
    return _by_status(counts)


def is_closed(s: Session, day: dt.date) -> bool:
    """Whether the day's row set was computed after the day was over (its final counts)."""
    oldest = s.scalar(select(func.min(DailyStat.computed_at)).where(DailyStat.day == day))
    return oldest is not None and oldest >= _start_of(day + dt.timedelta(days=1))


def backfill(
    s: Session,
    since: dt.date,
    until: dt.date | None = None,
    *,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Recompute every day from `since` to `until` (default today), newest first, one
    transaction per day. Returns the number of days written."""
    until = until or utcnow().date()
    if since > until:
        return 0
    counts = counts_at(s, _end_of(until))
    deltas = _daily_deltas(s, _start_of(since), _end_of(until))
    s.rollback()
    day, written = until, 0
    while day >= since:
        begin_write(s)
        _write(s, day, counts)
        if day == until:
            emit(s, ChangeEvent("stats", "updated"))
        s.commit()
        written += 1
        if progress:
            progress(1)
        counts.subtract(deltas.get(day, Counter()))  # undo that day's changes: the day before
        day -= dt.timedelta(days=1)
    return written


def counts_at(s: Session, moment: dt.datetime) -> Counts:
    """Issues per (status, severity) as they were at `moment` (now or in the past): the
    current counts with every later change undone, in one statement (one snapshot)."""
    current = select(
        null(), null(), Issue.status, Issue.severity, func.count(), literal(1)
    ).group_by(Issue.status, Issue.severity)
    later = _transitions(s).add_columns(literal(-1)).where(Activity.created_at >= moment)
    counts: Counts = Counter()
    for sb, vb, sa, va, n, sign in s.execute(union_all(current, later)):
        after = (None, None) if sa is None else (str(sa), str(va))  # enums from `issues`
        _apply(counts, (sb, vb), after, sign * n)
    return counts


def _daily_deltas(s: Session, start: dt.datetime, end: dt.datetime) -> dict[dt.date, Counts]:
    day = activity_day(s)
    query = (
        _transitions(s)
        .add_columns(day)
        .where(Activity.created_at >= start, Activity.created_at < end)
        .group_by(day)
    )
    out: dict[dt.date, Counts] = {}
    for sb, vb, sa, va, n, when in s.execute(query):
        when = dt.date.fromisoformat(when) if isinstance(when, str) else when
        _apply(out.setdefault(when, Counter()), (sb, vb), (sa, va), n)
    return out


def _transitions(s: Session):  # type: ignore[no-untyped-def]
    """(state before, state after, how many) of the state-changing activity rows."""
    columns = (
        Activity.status_before,
        Activity.severity_before,
        Activity.status_after,
        Activity.severity_after,
    )
    return select(*columns, func.count()).where(Activity.verb.in_(STATE_VERBS)).group_by(*columns)


def _apply(
    counts: Counts,
    before: tuple[str | None, str | None],
    after: tuple[str | None, str | None],
    n: int,
) -> None:
    """Add n times the change before -> after (n < 0 undoes it)."""
    if before[0] is not None and before[1] is not None:
        counts[(before[0], before[1])] -= n
    if after[0] is not None and after[1] is not None:
        counts[(after[0], after[1])] += n


def _write(s: Session, day: dt.date, counts: Counts) -> None:
    """Upsert the day's 16 rows (all statuses x severities, zeros included)."""
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [
        {
            "day": day,
            "status": st.value,
            "severity": sev.value,
            "count": max(0, counts[(st.value, sev.value)]),
            "computed_at": utcnow(),
        }
        for st in Status
        for sev in Severity
    ]
    stmt = insert(DailyStat).values(rows)
    s.execute(
        stmt.on_conflict_do_update(
            index_elements=["day", "status", "severity"],
            set_={"count": stmt.excluded.count, "computed_at": stmt.excluded.computed_at},
        )
    )


def activity_day(s: Session):  # type: ignore[no-untyped-def]
    """SQL for the UTC day of Activity.created_at (a date, or 'YYYY-MM-DD' on SQLite)."""
    if s.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", Activity.created_at), Date)
    return func.date(Activity.created_at)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _end_of(day: dt.date) -> dt.datetime:
    return min(_start_of(day + dt.timedelta(days=1)), utcnow())


def _by_status(counts: Counts) -> dict[str, int]:
    out = dict.fromkeys((st.value for st in Status), 0)
    for (status, _), n in counts.items():
        if status in out:
            out[status] += max(0, n)
    return out
