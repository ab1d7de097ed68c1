"""Fault drill: a worker killed mid-job. The day keeps the row set it had, and the next run
of the schedule writes it once, with the right counts.

What recovers the day is the schedule, not RQ: the cron job carries no Retry, so RQ never
runs a killed job again (it stays "started" until its heartbeat lapses, about 90 s, and a
worker's clean-up then marks it failed as abandoned). The next `*/5` tick of
tracker-refresh-today recomputes today; the drill brings that tick forward by calling the
scheduler's own enqueue for the registered job instead of waiting for the clock. A killed
close-yesterday is made good the same way: every refresh first closes yesterday if its row
set predates midnight (tests/jobs/test_jobs.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.results import Result
from rq_scheduler import Scheduler
from sqlalchemy import Connection, func, select, text

import services
from services import Actor, jobs
from services.enums import Severity, Status
from services.intake import dispatch
from services.models import DailyStat, Issue
from tests.factories import make_issue, make_user
from tests.serverproc import tracker
from tracker_app import worker

REDIS_URL = os.environ.get("TRACKER_TEST_REDIS_URL")
TICK = "tracker-refresh-today"
WAIT_SECONDS = 20

pytestmark = [
    pytest.mark.skipif(
        not REDIS_URL, reason="a real `tracker worker` needs the real Redis (set in CI)"
    ),
    pytest.mark.skipif(
        sys.platform != "linux", reason="finds the work horse to kill through /proc"
    ),
]

Counts = dict[tuple[str, str], int]


def test_a_worker_killed_mid_job_leaves_the_day_intact_and_the_next_run_writes_it_once(
    db, redis_client, tmp_path: Path
) -> None:
    if not db.startswith("postgresql"):
        pytest.skip("the drill holds a PostgreSQL row lock to catch the job inside its write")
    today = dt.datetime.now(dt.UTC).date()
    admin, staff, reporter = make_user("ADMIN"), make_user("MAINTAINER"), make_user()
    first = [make_issue(reporter, severity=sev) for sev in ("LOW", "HIGH", "HIGH", "CRITICAL")]
    _advance(staff, first[1].id, Status.TRIAGED)
    jobs.refresh_today()  # an earlier tick: what the dashboard shows until the next one
    shown_before = _stored(today)

    # Work the next tick must count: new issues, moves along the workflow, a deletion.
    make_issue(reporter, severity="MEDIUM")
    make_issue(reporter, severity="CRITICAL")
    _advance(staff, first[1].id, Status.IN_PROGRESS, Status.DONE)
    _advance(staff, first[3].id, Status.TRIAGED)
    with services.session() as s:
        services.issues.delete_issue(s, admin, first[0].id)
    expected = _counts_from_issues()
    assert expected != _counts(shown_before)  # so a stale row set cannot pass for a new one

    queue = Queue(worker.QUEUE, connection=redis_client)
    queue.empty()
    # `tracker worker` also serves the analysis queue, which servers of other tests that
    # share this Redis may have filled: this drill is about the daily job alone.
    Queue(dispatch.QUEUE, connection=redis_client).empty()
    scheduler = Scheduler(queue_name=worker.QUEUE, connection=redis_client)
    for job in scheduler.get_jobs():
        scheduler.cancel(job)
    worker.register_schedules(scheduler)
    env = _worker_env(db, tmp_path)
    log_path = tmp_path / "killed-worker.log"
    killed: subprocess.Popen[bytes] | None = None
    locker = services.db.make_engine(db)
    try:
        with locker.connect() as lock:
            # Hold the last row the job's upsert writes: it updates the other 15 rows of the
            # day, then waits for this one, inside its transaction.
            lock.execute(
                text(
                    "SELECT id FROM daily_stats "
                    "WHERE day = :day AND status = 'DONE' AND severity = 'CRITICAL' FOR UPDATE"
                ),
                {"day": today},
            ).one()
            _tick(scheduler)
            with log_path.open("wb") as log:
                killed = subprocess.Popen(
                    [tracker(), "worker"],
                    env=env,
                    cwd=tmp_path,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,  # the container: the worker and all it forks
                )
            backend = _backend_waiting_for(lock, killed, log_path)
            assert len(_session(killed.pid)) > 1, "the job runs in a forked work horse"
            # As when the container dies: everything, and nothing gets to clean up. The
            # worker first, so it cannot notice its horse dying and mark the job failed.
            killed.kill()
            killed.wait()
            assert _kill_session(killed.pid) == []
            lock.rollback()  # release: the killed run's insert may proceed, never its commit
            _wait_until_gone(lock, backend)

        assert _stored(today) == shown_before, "the killed run changed the day's rows"
        assert Job.fetch(TICK, connection=redis_client).get_status() != JobStatus.FINISHED

        _tick(scheduler)  # the next tick of the schedule
        second = subprocess.run(
            [tracker(), "worker", "--burst"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr[-3000:]
        done = Job.fetch(TICK, connection=redis_client)
        assert done.get_status() == JobStatus.FINISHED, second.stderr[-3000:]

        shown_after = _stored(today)
        assert len(shown_after) == len(Status) * len(Severity)  # one row set, no duplicates
        assert _counts(shown_after) == expected
        assert done.return_value() == {
            st.value: sum(n for (status, _), n in expected.items() if status == st.value)
            for st in Status
        }
        with services.session() as s:
            overview = {j.name: j for j in jobs.job_overview(s, admin)}
        assert overview[jobs.REFRESH_TODAY].last_ok is True
        assert overview[jobs.REFRESH_TODAY].last_attempts == 1
    finally:
        if killed is not None:
            if killed.poll() is None:
                killed.kill()
                killed.wait()
            _kill_session(killed.pid)
        locker.dispose()
        _forget_jobs(redis_client, queue, scheduler)


def _advance(actor: Actor, issue_id: int, *steps: Status) -> None:
    for step in steps:
        with services.session() as s:
            services.issues.change_status(s, actor, issue_id, step)


def _stored(day: dt.date) -> list[tuple[str, str, int, dt.datetime]]:
    """The day's daily_stats rows as the dashboard reads them."""
    with services.session() as s:
        rows = s.scalars(select(DailyStat).where(DailyStat.day == day))
        return sorted((str(r.status), str(r.severity), r.count, r.computed_at) for r in rows)


def _counts(rows: list[tuple[str, str, int, dt.datetime]]) -> Counts:
    return {(status, severity): n for status, severity, n, _ in rows}


def _counts_from_issues() -> Counts:
    """What today's row set must say: the issues as they are now, counted directly."""
    with services.session() as s:
        found = {
            (str(status), str(severity)): n
            for status, severity, n in s.execute(
                select(Issue.status, Issue.severity, func.count()).group_by(
                    Issue.status, Issue.severity
                )
            )
        }
    return {
        (st.value, sev.value): found.get((st.value, sev.value), 0)
        for st in Status
        for sev in Severity
    }


def _tick(scheduler: Scheduler) -> None:
    """What rq-scheduler does when the cron time of tracker-refresh-today comes."""
    job = {j.id: j for j in scheduler.get_jobs()}[TICK]
    scheduler.enqueue_job(job)


def _worker_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "NICEGUI_", "TRACKER_", "COV_"))
    }
    assert REDIS_URL is not None
    env.update(
        TRACKER_DATABASE_URL=database_url,
        TRACKER_REDIS_URL=REDIS_URL,
        TRACKER_DATA_DIR=str(data_dir),
    )
    return env


def _backend_waiting_for(lock: Connection, proc: subprocess.Popen[bytes], log_path: Path) -> int:
    """The PostgreSQL backend of the job, waiting for our row lock: the job has counted and
    is half-way through its write, inside its transaction."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        pid = lock.execute(
            text(
                "SELECT pid FROM pg_locks "
                "WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid)) LIMIT 1"
            )
        ).scalar()
        if pid is not None:
            return int(pid)
        assert proc.poll() is None, log_path.read_text()[-3000:]
        time.sleep(0.1)
    pytest.fail(f"the job never reached its write:\n{log_path.read_text()[-3000:]}")


def _wait_until_gone(conn: Connection, backend: int) -> None:
    """Until the killed job's backend has ended (its transaction rolled back)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        alive = conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": backend}
        ).scalar()
        conn.rollback()  # pg_stat_activity is a snapshot per transaction
        if not alive:
            return
        time.sleep(0.1)
    pytest.fail(f"the killed job's database session {backend} is still there")


def _session(leader: int) -> list[int]:
    """The live processes of the session `leader` started, read from /proc. RQ's work horse
    takes a process group of its own (so killing the worker's group would miss it), but it
    stays in the session."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, _pgrp, session = stat.read_text().rsplit(")", 1)[1].split()[:4]
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(session) == leader and state not in ("Z", "X"):  # dead, not yet reaped
            found.append(int(stat.parent.name))
    return found


def _kill_session(leader: int) -> list[int]:
    """SIGKILL every process of the session; returns any that would not die."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (left := _session(leader)) and time.monotonic() < deadline:
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    return left


def _forget_jobs(redis_client, queue: Queue, scheduler: Scheduler) -> None:
    """Leave no schedule, queued job or abandoned entry behind for other tests."""
    queue.empty()
    for job in scheduler.get_jobs():
        scheduler.cancel(job)
    # ValueError: RQ cannot delete a job whose execution records have already expired.
    with contextlib.suppress(NoSuchJobError, ValueError):
        job = Job.fetch(TICK, connection=redis_client)
        Result.delete_all(job)
        StartedJobRegistry(worker.QUEUE, connection=redis_client).remove_executions(job)
        job.delete()
