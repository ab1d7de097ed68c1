"""daily_stats from the activity table, checked against hand-computed histories."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select, update

import services
from services import daily
from services.models import Activity, DailyStat
from tests.factories import make_issue, make_user

D = dt.date(2026, 3, 10)  # a Tuesday in the past


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _backdate(issue_id: int, times: list[dt.datetime]) -> None:
    """Move an issue's activity rows (in order) to the given times."""
    with services.session() as s:
        ids = s.scalars(
            select(Activity.id).where(Activity.issue_id == issue_id).order_by(Activity.id)
        ).all()
        assert len(ids) == len(times), (ids, times)
        for row_id, when in zip(ids, times, strict=True):
            s.execute(update(Activity).where(Activity.id == row_id).values(created_at=when))
        s.commit()


def _stored(day: dt.date) -> dict[tuple[str, str], int]:
    with services.session() as s:
        rows = s.execute(
            select(DailyStat.status, DailyStat.severity, DailyStat.count).where(
                DailyStat.day == day
            )
        ).all()
    return {(str(st), str(sev)): n for st, sev, n in rows}


def _nonzero(counts) -> dict[tuple[str, str], int]:
    return {k: v for k, v in counts.items() if v}


def _history(db):
    """Three issues with a known story over three days (D-1, D, D+1):
    a: HIGH, filed D-1; triaged D; done D+1.
    b: LOW, filed D; severity raised to CRITICAL on D; deleted D+1.
    c: MEDIUM, filed D+1.
    """
    staff, admin = make_user("MAINTAINER"), make_user("ADMIN")
    a = make_issue(staff, severity="HIGH")
    b = make_issue(staff, severity="LOW")
    c = make_issue(staff, severity="MEDIUM")
    with services.session() as s:
        services.issues.change_status(s, staff, a.id, "TRIAGED")
        services.issues.change_status(s, staff, a.id, "IN_PROGRESS")
        services.issues.change_status(s, staff, a.id, "DONE")
        services.issues.update_issue(s, staff, b.id, {"severity": "CRITICAL"})
        services.comments.add_comment(s, staff, b.id, {"body": "no state change"})
        services.issues.delete_issue(s, admin, b.id)
    prev, nxt = D - dt.timedelta(days=1), D + dt.timedelta(days=1)
    _backdate(a.id, [at(prev), at(D, 9), at(nxt, 9), at(nxt, 10), at(nxt, 10)])  # + resolution
    _backdate(b.id, [at(D, 8), at(D, 14), at(D, 15), at(nxt, 11)])
    _backdate(c.id, [at(nxt, 16)])
    return prev, nxt


EXPECTED = {
    "prev": {("OPEN", "HIGH"): 1},
    "D": {("TRIAGED", "HIGH"): 1, ("OPEN", "CRITICAL"): 1},
    "next": {("DONE", "HIGH"): 1, ("OPEN", "MEDIUM"): 1},
}


def test_counts_at_any_moment_follow_the_history(db):
    prev, nxt = _history(db)
    with services.session() as s:
        assert _nonzero(daily.counts_at(s, at(prev, 23))) == EXPECTED["prev"]
        assert _nonzero(daily.counts_at(s, at(D, 23))) == EXPECTED["D"]
        assert _nonzero(daily.counts_at(s, at(D, 10))) == {
            ("TRIAGED", "HIGH"): 1,
            ("OPEN", "LOW"): 1,
        }
        assert _nonzero(daily.counts_at(s, at(nxt, 23))) == EXPECTED["next"]
        assert _nonzero(daily.counts_at(s, at(prev, 1))) == {}


def test_refresh_is_idempotent_and_writes_one_row_set(db):
    _history(db)
    with services.session() as s:
        by_status = daily.refresh_day(s, D)
    with services.session() as s:
        again = daily.refresh_day(s, D)
    assert by_status == again == {"OPEN": 1, "TRIAGED": 1, "IN_PROGRESS": 0, "DONE": 0}
    stored = _stored(D)
    assert len(stored) == 16 and _nonzero(stored) == EXPECTED["D"]


def test_backfill_matches_the_story_day_by_day(db):
    prev, nxt = _history(db)
    done: list[int] = []
    with services.session() as s:
        assert daily.backfill(s, prev - dt.timedelta(days=1), nxt, progress=done.append) == 4
    assert sum(done) == 4
    assert _nonzero(_stored(prev - dt.timedelta(days=1))) == {}
    assert _nonzero(_stored(prev)) == EXPECTED["prev"]
    assert _nonzero(_stored(D)) == EXPECTED["D"]
    assert _nonzero(_stored(nxt)) == EXPECTED["next"]
    with services.session() as s:  # and a recompute of one day agrees with the backfill
        daily.refresh_day(s, D)
    assert _nonzero(_stored(D)) == EXPECTED["D"]


def test_today_equals_the_live_counts(db):
    staff = make_user("MAINTAINER")
    for severity in ("LOW", "LOW", "HIGH"):
        make_issue(staff, severity=severity)
    with services.session() as s:
        daily.refresh_day(s, dt.datetime.now(dt.UTC).date())
        live = services.stats.counts_by_status(s, staff)
    today = _stored(dt.datetime.now(dt.UTC).date())
    assert sum(today.values()) == sum(live.values()) == 3
    assert today[("OPEN", "LOW")] == 2


def test_concurrent_runs_leave_exactly_one_row_set(db):
    _history(db)
    errors: list[BaseException] = []

    def run():
        try:
            with services.session() as s:
                daily.refresh_day(s, D)
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with services.session() as s:
        rows = s.scalar(select(func.count()).select_from(DailyStat).where(DailyStat.day == D))
    assert rows == 16 and _nonzero(_stored(D)) == EXPECTED["D"]


def test_a_failed_run_leaves_the_previous_row_set(db, monkeypatch):
    _history(db)
    with services.session() as s:
        daily.refresh_day(s, D)
    before = _stored(D)

    def broken(*args, **kwargs):
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(
        daily,
        "_write",
        lambda s, day, counts: (
            s.execute(update(DailyStat).where(DailyStat.day == day).values(count=999)),
            broken(),
        ),
    )
    try:
        with services.session() as s:
            daily.refresh_day(s, D)
    except RuntimeError:
        pass
    assert _stored(D) == before
