"""Where a delivery goes once its row has committed: the RQ queue `tracker-webhooks` when
Redis is configured (`tracker worker` serves it; a retry is scheduled with `enqueue_in`),
otherwise a small pool of threads in this process (a retry waits on a timer). Either way the
job is `send.send_delivery(id)`; a hand-over that is lost (a crash, Redis down) is made
again by `record.sweep`."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from ..background import LocalPool, queue
from ..db import runtime

log = logging.getLogger(__name__)

QUEUE = "tracker-webhooks"
JOB = "services.webhooks.send.send_delivery"
JOB_TIMEOUT = 60
LOCAL_WORKERS = 2

enabled = True  # tests may switch the hand-over off and run the job themselves
_local = LocalPool("tracker-webhooks", LOCAL_WORKERS)


def submit(delivery_ids: list[int], *, delay: float = 0.0) -> None:
    """Hand deliveries to the queue (after `delay` seconds); a failure is only logged: the
    rows stay pending and the sweep hands them over again."""
    if not delivery_ids or not enabled:
        return
    redis_url = runtime().redis_url
    try:
        if redis_url:
            _enqueue(redis_url, delivery_ids, delay)
        else:
            for delivery_id in delivery_ids:
                _local.submit(_send, delivery_id, delay=delay)
    except Exception as e:
        log.warning("could not queue deliveries %s (%s); the sweep retries", delivery_ids, e)


def wait_idle(timeout: float = 30.0) -> bool:
    """For tests: wait until the in-process pool (and its timers) have nothing left."""
    return _local.wait_idle(timeout)


def _send(delivery_id: int) -> object:
    from .send import send_delivery  # send imports this module

    return send_delivery(delivery_id)


def _enqueue(redis_url: str, delivery_ids: list[int], delay: float) -> None:
    jobs = queue(QUEUE, redis_url)
    for delivery_id in delivery_ids:
        options: dict[str, Any] = {
            "job_timeout": JOB_TIMEOUT,
            "result_ttl": 3600,
            "failure_ttl": 7 * 86400,
        }
        if delay > 0:
            jobs.enqueue_in(dt.timedelta(seconds=delay), JOB, delivery_id, **options)
        else:
            jobs.enqueue(JOB, delivery_id, **options)
