"""RQ entry points: the worker, and the scheduler with its (idempotent) schedules."""

from __future__ import annotations

import logging
from typing import Any

import rq
from redis import Redis
from rq import Queue
from rq.worker import BaseWorker
from rq_scheduler import Scheduler

from services.intake import dispatch
from services.notify import dispatch as mail
from services.webhooks import dispatch as webhook_dispatch

log = logging.getLogger(__name__)

QUEUE = "tracker"
# (job id, cron in UTC, function): today every five minutes, yesterday at 00:15 UTC,
# analyses, mail and webhook deliveries that never reached a worker handed over again every
# five minutes, stored files no attachment points at (services.storage.sweep) removed every
# hour, and the daily digests (each user's once a day, after TRACKER_MAIL_DIGEST_HOUR).
SCHEDULES = [
    ("tracker-refresh-today", "*/5 * * * *", "services.jobs.refresh_today"),
    ("tracker-close-yesterday", "15 0 * * *", "services.jobs.close_yesterday"),
    ("tracker-intake-sweep", "*/5 * * * *", "services.intake.sweep"),
    ("tracker-storage-sweep", "40 * * * *", "services.storage.sweep.run_sweep"),
    ("tracker-mail-sweep", "*/5 * * * *", "services.notify.outbox.sweep"),
    ("tracker-mail-digests", "*/10 * * * *", "services.notify.digest.send_digests"),
    ("tracker-webhooks-sweep", "*/5 * * * *", "services.webhooks.sweep"),
]
JOB_TIMEOUT = 900
RESULT_TTL = 7 * 86400
# How often a worker's command listener (RQ's pub/sub thread) wakes up. RQ's own 60 s made
# every worker exit (a SIGTERM, the end of --burst) take up to a minute: since redis-py 8,
# stopping the listener waits for its current read to end.
LISTEN_SECONDS = 1


def _subscribe(worker: BaseWorker) -> None:
    """RQ's Worker.subscribe, with a listener that wakes every LISTEN_SECONDS."""
    worker.pubsub = worker.connection.pubsub()
    worker.pubsub.subscribe(**{worker.pubsub_channel_name: worker.handle_payload})
    worker.pubsub_thread = worker.pubsub.run_in_thread(
        sleep_time=LISTEN_SECONDS,
        daemon=True,
        exception_handler=worker._pubsub_exception_handler,
    )


class Worker(rq.Worker):
    """RQ's worker (a work horse process per job) that exits promptly."""

    def subscribe(self) -> None:
        _subscribe(self)


class SimpleWorker(rq.SimpleWorker):
    """RQ's worker that runs jobs in its own process (the tests), exiting promptly."""

    def subscribe(self) -> None:
        _subscribe(self)


def connection(redis_url: str) -> Redis:
    return Redis.from_url(redis_url)


def run_worker(redis: Redis, *, burst: bool = False) -> bool:
    """Process jobs until stopped (or, with burst, until the queue is empty). A SIGTERM
    lets the current job finish first."""
    # File analysis has its own queue, so it never delays the daily stats.
    queues = [Queue(name, connection=redis) for name in queue_names()]
    worker = Worker(queues, connection=redis)
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="INFO"))


def queue_names() -> list[str]:
    """The queues a worker serves: the scheduled jobs, file analysis, mail, webhooks (each
    its own, so none delays the daily stats)."""
    return [QUEUE, dispatch.QUEUE, mail.QUEUE, webhook_dispatch.QUEUE]


def register_schedules(scheduler: Scheduler) -> list[str]:
    """Make sure each scheduled job exists exactly once with its current cron; returns the
    ids that were (re)created. Safe to run at every start."""
    existing = {job.id: job for job in scheduler.get_jobs()}
    changed = []
    for job_id, cron, func in SCHEDULES:
        job = existing.get(job_id)
        if job is not None and job.meta.get("cron_string") == cron and job.func_name == func:
            continue
        if job is not None:
            scheduler.cancel(job)
        scheduler.cron(
            cron,
            func=func,
            id=job_id,
            queue_name=QUEUE,
            timeout=JOB_TIMEOUT,
            result_ttl=RESULT_TTL,
            use_local_timezone=False,
        )
        changed.append(job_id)
    return changed


def run_scheduler(redis: Redis, *, interval: int = 30) -> None:
    scheduler = Scheduler(queue_name=QUEUE, connection=redis, interval=interval)
    changed = register_schedules(scheduler)
    log.info("schedules registered (changed: %s)", ", ".join(changed) or "none")
    scheduler.run()


def enqueue(redis: Redis, func: str, *args: Any) -> str:
    """Queue a one-off job (e.g. a recompute); returns its id."""
    return str(Queue(QUEUE, connection=redis).enqueue(func, *args, job_timeout=JOB_TIMEOUT).id)
