"""The job functions, their records and retries, RQ workers and the scheduler."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rq import Queue
from rq_scheduler import Scheduler
from sqlalchemy import func, select, update

import services
from services import daily, jobs
from services.intake import dispatch
from services.models import DailyStat, JobRun
from tests.factories import make_issue, make_user
from tests.services.test_daily import _stored
from tracker_app import worker


def _today_rows() -> int:
    with services.session() as s:
        today = dt.datetime.now(dt.UTC).date()
        return len(s.scalars(select(DailyStat).where(DailyStat.day == today)).all())


def YESTERDAY() -> dt.date:
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


def _computed_at(day: dt.date) -> dt.datetime:
    with services.session() as s:
        return s.scalar(select(func.min(DailyStat.computed_at)).where(DailyStat.day == day))


def test_a_job_run_is_recorded_with_its_result(db, sent):
    make_issue(make_user("MAINTAINER"))
    counts = jobs.refresh_today()
    assert counts["OPEN"] == 1 and _today_rows() == 16
    assert any(e.kind == "stats" for e in sent)  # open dashboards refresh
    admin = make_user("ADMIN")
    with services.session() as s:
        overview = {j.name: j for j in jobs.job_overview(s, admin)}
    assert (
        overview["refresh-today"].last_ok is True
        and "OPEN 1" in overview["refresh-today"].last_message
    )
    assert overview["close-yesterday"].last_message == "never ran"


def test_failures_are_retried_with_backoff_then_recorded(db):
    calls, waits = [], []

    def flaky(s):
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("database hiccup")
        return {"ok": 1}

    assert jobs.run_recorded("flaky", flaky, backoff=(1, 2, 3), sleep=waits.append) == {"ok": 1}
    assert waits == [1, 2]

    def broken(s):
        raise RuntimeError("always")

    with pytest.raises(RuntimeError):
        jobs.run_recorded("broken", broken, backoff=(1, 2), sleep=waits.append)
    with services.session() as s:
        runs = {r.name: r for r in s.scalars(select(JobRun))}
    assert runs["flaky"].ok and runs["flaky"].attempts == 3
    assert not runs["broken"].ok and runs["broken"].attempts == 3
    # The panel shows the kind of error; its text (SQL, values, hosts) stays in the log.
    assert runs["broken"].message == "RuntimeError (the details are in the server log)"
    admin, maintainer = make_user("ADMIN"), make_user("MAINTAINER")
    with services.session() as s:
        assert [f["name"] for f in jobs.recent_failures(s, admin)] == ["broken"]
        with pytest.raises(services.PermissionDenied):
            jobs.job_overview(s, maintainer)


def test_a_job_forgets_its_runs_older_than_a_month(db):
    long_ago = services.models.utcnow() - dt.timedelta(days=jobs.KEEP_DAYS + 1)
    with services.session() as s:
        s.add_all(
            [
                JobRun(name="refresh-today", started_at=long_ago, ok=True, message="old"),
                JobRun(name="refresh-today", started_at=services.models.utcnow(), message="new"),
            ]
        )
        s.commit()
    jobs.refresh_today()
    with services.session() as s:
        kept = s.scalars(select(JobRun.message).where(JobRun.name == "refresh-today")).all()
    assert "old" not in kept and "new" in kept and len(kept) == 2


def test_recompute_today_now_is_for_admins_only_and_runs_once(db):
    make_issue(make_user())
    admin, maintainer = make_user("ADMIN"), make_user("MAINTAINER")
    with services.session() as s, pytest.raises(services.PermissionDenied):
        jobs.recompute_today(s, maintainer)
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(JobRun)) == 0
        assert jobs.recompute_today(s, admin)["OPEN"] == 1
    assert _today_rows() == 16


def test_an_rq_worker_runs_the_job_from_the_queue(db, redis_client):
    make_issue(make_user())
    queue = Queue(worker.QUEUE, connection=redis_client)
    job = queue.enqueue("services.jobs.refresh_today")
    worker.SimpleWorker([queue], connection=redis_client).work(burst=True)
    assert job.get_status(refresh=True) == "finished"
    assert job.return_value()["OPEN"] == 1 and _today_rows() == 16


def test_a_worker_listens_for_commands_briefly_so_it_exits_promptly(redis_client):
    # RQ's listener read for 60 s at a time, and stopping it waits for the read (redis-py 8):
    # every `tracker worker` exit, and every burst, took up to a minute more.
    for kind in (worker.Worker, worker.SimpleWorker):
        w = kind([Queue(worker.QUEUE, connection=redis_client)], connection=redis_client)
        w.subscribe()
        try:
            assert w.pubsub_thread.sleep_time == worker.LISTEN_SECONDS == 1
        finally:
            w.unsubscribe()


def test_the_scheduler_registers_each_job_once(redis_client):
    scheduler = Scheduler(queue_name=worker.QUEUE, connection=redis_client)
    for job in scheduler.get_jobs():
        scheduler.cancel(job)
    assert sorted(worker.register_schedules(scheduler)) == [
        "tracker-close-yesterday",
        "tracker-intake-sweep",
        "tracker-mail-digests",
        "tracker-mail-sweep",
        "tracker-refresh-today",
        "tracker-storage-sweep",
        "tracker-webhooks-sweep",
    ]
    assert worker.register_schedules(scheduler) == []  # a restart changes nothing
    jobs_now = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs_now) == {
        "tracker-refresh-today",
        "tracker-close-yesterday",
        "tracker-intake-sweep",
        "tracker-storage-sweep",
        "tracker-mail-sweep",
        "tracker-mail-digests",
        "tracker-webhooks-sweep",
    }
    assert jobs_now["tracker-storage-sweep"].func_name == "services.storage.sweep.run_sweep"
    assert jobs_now["tracker-refresh-today"].meta["cron_string"] == "*/5 * * * *"
    stale = jobs_now["tracker-close-yesterday"]
    stale.meta["cron_string"] = "0 3 * * *"  # an older version's schedule
    stale.save_meta()
    assert worker.register_schedules(scheduler) == ["tracker-close-yesterday"]
    assert len(list(scheduler.get_jobs())) == len(worker.SCHEDULES)


@pytest.mark.skipif(
    not os.environ.get("TRACKER_TEST_REDIS_URL"),
    reason="a real `tracker worker --burst` needs the real Redis (set in CI)",
)
def test_a_real_worker_process_drains_the_queue(db, redis_client, tmp_path: Path):
    make_issue(make_user())
    redis_url = os.environ["TRACKER_TEST_REDIS_URL"]
    Queue(worker.QUEUE, connection=redis_client).empty()
    Queue(dispatch.QUEUE, connection=redis_client).empty()  # other tests' servers fill it
    job_id = worker.enqueue(
        redis_client, "services.jobs.recompute_day", dt.datetime.now(dt.UTC).date().isoformat()
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "PYTEST_"))}
    env.update(TRACKER_DATABASE_URL=db, TRACKER_REDIS_URL=redis_url, TRACKER_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "tracker"), "worker", "--burst"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    from rq.job import Job

    assert Job.fetch(job_id, connection=redis_client).get_status() == "finished"
    assert _today_rows() == 16


async def test_the_embedded_timer_refreshes_today_and_closes_yesterday_once(db):
    from tracker_app.web import run_due_jobs

    make_issue(make_user())
    await run_due_jobs()
    first = _computed_at(YESTERDAY())
    await run_due_jobs()
    assert _computed_at(YESTERDAY()) == first  # closed once, not again
    assert _today_rows() == 16
    with services.session() as s:
        names = [r.name for r in s.scalars(select(JobRun).order_by(JobRun.id))]
    assert names == ["refresh-today", "refresh-today"]


def test_a_close_that_never_finished_is_done_by_the_next_refresh(db):
    """A worker killed during close-yesterday (or no scheduler at 00:15) leaves yesterday
    with a snapshot from before midnight; the next refresh replaces it, once."""
    reporter = make_user()
    make_issue(reporter)
    yesterday = YESTERDAY()
    with services.session() as s:
        daily.refresh_day(s, yesterday)  # written at "23:55": not final
        s.execute(
            update(DailyStat)
            .where(DailyStat.day == yesterday)
            .values(count=99, computed_at=dt.datetime.combine(yesterday, dt.time(23, 55), dt.UTC))
        )
        s.commit()
    jobs.refresh_today()
    closed = _computed_at(yesterday)
    assert closed.date() > yesterday
    # The issue was filed today: at the end of yesterday every count was 0, not the 99.
    assert set(_stored(yesterday).values()) == {0} and len(_stored(yesterday)) == 16
    assert _stored(dt.datetime.now(dt.UTC).date())[("OPEN", "MEDIUM")] == 1
    jobs.refresh_today()
    assert _computed_at(yesterday) == closed
