"""Where mail work goes once its outbox row has committed: the RQ queue `tracker-mail` when
Redis is configured (`tracker worker` serves it; a burst's mail is scheduled for the end of
its burst), otherwise a timer and a thread in this process. Either way the job is
`outbox.deliver(id)`, which is idempotent; `outbox.sweep` hands over anything left behind."""

from __future__ import annotations

import datetime as dt
import logging

from ..background import LocalPool, queue
from ..db import runtime
from ..models import utcnow

log = logging.getLogger(__name__)

QUEUE = "tracker-mail"
JOB = "services.notify.outbox.deliver"
JOB_TIMEOUT = 300

enabled = True  # tests may switch the hand-over off and run the job themselves
_local = LocalPool("tracker-mail")


def submit(due: list[tuple[int, dt.datetime]]) -> None:
    """Hand outbox rows over, each to run at its time; a failed hand-over only logs (the
    sweep hands the row over again)."""
    if not due or not enabled:
        return
    try:
        redis_url = runtime().redis_url
        if redis_url:
            _enqueue(redis_url, due)
        else:
            for outbox_id, when in due:
                delay = max(0.0, (when - utcnow()).total_seconds())
                _local.submit(_deliver, outbox_id, delay=delay)
    except Exception as e:
        log.warning("could not queue mails %s (%s); the sweep retries", due, e)


def wait_idle(timeout: float = 60.0) -> bool:
    """For tests: wait until the in-process timers and pool have nothing left to do."""
    return _local.wait_idle(timeout)


def finish(timeout: float = 60.0) -> None:
    """Before a short-lived process exits (the CLI): send what is due now, and leave mail
    still collecting its burst to the sweep of a long-running process."""
    _local.cancel_delayed(longer_than=1.0)
    wait_idle(timeout)


def _deliver(outbox_id: int) -> object:
    from .outbox import deliver  # outbox imports this module

    return deliver(outbox_id)


def _enqueue(redis_url: str, due: list[tuple[int, dt.datetime]]) -> None:
    jobs = queue(QUEUE, redis_url)
    for outbox_id, when in due:
        options = {"job_timeout": JOB_TIMEOUT, "result_ttl": 86400, "failure_ttl": 7 * 86400}
        if when > utcnow():
            jobs.enqueue_at(when, JOB, outbox_id, **options)
        else:
            jobs.enqueue(JOB, outbox_id, **options)
