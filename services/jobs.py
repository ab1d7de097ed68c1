"""Background jobs: the functions RQ runs (and the embedded timer calls), each recorded in
`job_runs` with its result, retried with backoff on failure."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import daily
from .db import begin_write, session
from .errors import DomainError
from .models import JobRun, utcnow
from .permissions import can_run_jobs, load_actor, require
from .schemas import Actor

log = logging.getLogger(__name__)
T = TypeVar("T")

REFRESH_TODAY = "refresh-today"
CLOSE_YESTERDAY = "close-yesterday"
RECOMPUTE_DAY = "recompute-day"
SCHEDULED = (REFRESH_TODAY, CLOSE_YESTERDAY)
BACKOFF_SECONDS = (2.0, 10.0, 30.0)  # waits before the 2nd, 3rd and 4th attempt
KEEP_DAYS = 30


def refresh_today(*, backoff: tuple[float, ...] = BACKOFF_SECONDS) -> dict[str, int]:
    """Recompute today's daily_stats (scheduled every few minutes). Closes yesterday first
    if its close never finished (a worker killed mid-job, a scheduler down at 00:15): RQ
    does not re-run a killed job, the next refresh does, once."""

    def work(s: Session) -> dict[str, int]:
        today = utcnow().date()
        yesterday = today - dt.timedelta(days=1)
        if not daily.is_closed(s, yesterday):
            log.info("closing %s, which was not closed", yesterday)
            daily.refresh_day(s, yesterday)
        return daily.refresh_day(s, today)

    return run_recorded(REFRESH_TODAY, work, backoff=backoff)


def recompute_today(s: Session, actor: Actor) -> dict[str, int]:
    """ADMIN: recompute today now (the Jobs panel's button), recorded like a scheduled run
    but tried once: the admin learns the outcome at once and may simply try again."""
    require(can_run_jobs(load_actor(s, actor)), "Only administrators can run jobs.")
    s.rollback()  # the job writes in sessions of its own; hold nothing open meanwhile
    return refresh_today(backoff=())


def close_yesterday() -> dict[str, int]:
    """Recompute yesterday once it is over (scheduled shortly after midnight UTC)."""
    day = utcnow().date() - dt.timedelta(days=1)
    return run_recorded(CLOSE_YESTERDAY, lambda s: daily.refresh_day(s, day))


def recompute_day(day: str) -> dict[str, int]:
    """Recompute one day given as YYYY-MM-DD (for operators and one-off jobs)."""
    when = dt.date.fromisoformat(day)
    return run_recorded(RECOMPUTE_DAY, lambda s: daily.refresh_day(s, when))


def run_recorded(
    name: str,
    work: Callable[[Session], T],
    *,
    backoff: tuple[float, ...] = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `work(session)` with retries and backoff, recording the run in job_runs; the last
    error is raised after the final attempt (so RQ marks the job failed)."""
    started = utcnow()
    attempt = 0
    while True:
        attempt += 1
        try:
            with session() as s:
                result = work(s)
        except Exception as e:
            if attempt > len(backoff):
                _record(name, started, ok=False, attempts=attempt, message=_failure(e))
                raise
            log.warning("job %s failed (attempt %d): %s; retrying", name, attempt, e)
            sleep(backoff[attempt - 1])
            continue
        _record(name, started, ok=True, attempts=attempt, message=_summary(result))
        log.info(
            "job",
            extra={
                "job": name,
                "ok": True,
                "attempts": attempt,
                "ms": round((utcnow() - started).total_seconds() * 1000, 1),
            },
        )
        return result


@dataclass(frozen=True)
class JobSummary:
    name: str
    last_started: dt.datetime | None
    last_ok: bool | None
    last_message: str
    last_attempts: int
    failures_7d: int
    last_success: dt.datetime | None


def job_overview(s: Session, actor: Actor) -> list[JobSummary]:
    """ADMIN: per job, the last run and its result, the last success, failures in 7 days."""
    require(can_run_jobs(load_actor(s, actor)), "Only administrators can see jobs.")
    week = utcnow() - dt.timedelta(days=7)
    names = sorted(set(SCHEDULED) | set(s.scalars(select(JobRun.name).distinct())))
    out = []
    for name in names:
        runs = select(JobRun).where(JobRun.name == name)
        last = s.scalar(runs.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1))
        success = s.scalar(
            runs.where(JobRun.ok.is_(True)).order_by(JobRun.started_at.desc()).limit(1)
        )
        failures = len(s.scalars(runs.where(JobRun.ok.is_(False), JobRun.started_at >= week)).all())
        out.append(
            JobSummary(
                name=name,
                last_started=last.started_at if last else None,
                last_ok=last.ok if last else None,
                last_message=last.message if last else "never ran",
                last_attempts=last.attempts if last else 0,
                failures_7d=failures,
                last_success=success.started_at if success else None,
            )
        )
    return out


def recent_failures(s: Session, actor: Actor, *, limit: int = 20) -> list[dict[str, Any]]:
    """ADMIN: the latest failed runs, newest first."""
    require(can_run_jobs(load_actor(s, actor)), "Only administrators can see jobs.")
    rows = s.scalars(
        select(JobRun).where(JobRun.ok.is_(False)).order_by(JobRun.started_at.desc()).limit(limit)
    )
    return [
        {"name": r.name, "started_at": r.started_at, "attempts": r.attempts, "message": r.message}
        for r in rows
    ]


def _record(name: str, started: dt.datetime, *, ok: bool, attempts: int, message: str) -> None:
    """Write the run (and forget runs older than a month); a failure here only logs."""
    try:
        with session() as s:
            begin_write(s)
            s.add(
                JobRun(
                    name=name,
                    started_at=started,
                    finished_at=utcnow(),
                    ok=ok,
                    attempts=attempts,
                    message=message[:2000],
                )
            )
            cutoff = utcnow() - dt.timedelta(days=KEEP_DAYS)
            # Each job forgets its own old runs: the (name, started_at) index finds them, where
            # a cutoff alone read every run on each write (one per analysed text or file).
            s.execute(delete(JobRun).where(JobRun.name == name, JobRun.started_at < cutoff))
            s.commit()
    except Exception:
        log.exception("could not record the run of job %s", name)


def _failure(error: Exception) -> str:
    """What the Jobs panel shows of a failure: a domain error's message (written for people),
    else only the kind of error. The text of others can hold SQL, values or host names; it
    goes to the log of whoever ran the job (the RQ worker, the web process)."""
    if isinstance(error, DomainError):
        return error.message
    return f"{type(error).__name__} (the details are in the server log)"


def _summary(result: Any) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{k} {v}" for k, v in result.items())
    return str(result)
