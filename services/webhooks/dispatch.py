"""Where a delivery goes once its row has committed: the RQ queue `tracker-webhooks` when
Redis is configured (`tracker worker` serves it; a retry is scheduled with `enqueue_in`),
otherwise a small pool of threads in this process (a retry waits on a timer). Either way the
job is `send.send_delivery(id)`; a hand-over that is lost (a crash, Redis down) is made
again by `record.sweep`."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..db import runtime

log = logging.getLogger(__name__)

QUEUE = "tracker-webhooks"
JOB = "services.webhooks.send.send_delivery"
JOB_TIMEOUT = 60
LOCAL_WORKERS = 2

enabled = True  # tests may switch the hand-over off and run the job themselves
_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_pending: set[Future[object]] = set()
_timers: set[threading.Timer] = set()


def submit(delivery_ids: list[int], *, delay: float = 0.0) -> None:
    """Hand deliveries to the queue (after `delay` seconds); a failure is only logged: the
    rows stay pending and the sweep hands them over again."""
    if not delivery_ids or not enabled:
        return
    redis_url = runtime().redis_url
    try:
        if redis_url:
            _enqueue(redis_url, delivery_ids, delay)
        elif delay > 0:
            timer = threading.Timer(delay, _submit_later, [list(delivery_ids)])
            timer.daemon = True
            with _lock:
                _timers.add(timer)
            timer.start()
        else:
            for delivery_id in delivery_ids:
                _submit_local(delivery_id)
    except Exception as e:
        log.warning("could not queue deliveries %s (%s); the sweep retries", delivery_ids, e)


def wait_idle(timeout: float = 30.0) -> bool:
    """For tests: wait until the in-process pool (and its timers) have nothing left."""
    pause = threading.Event()
    for _ in range(int(timeout * 20)):
        with _lock:
            futures = list(_pending)
            timers = [t for t in _timers if t.is_alive()]
        if not futures and not timers:
            return True
        for future in futures:
            future.result(timeout=timeout)
        pause.wait(0.05)
    return False


def _submit_later(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        _submit_local(delivery_id)
    with _lock:  # after the hand-over, so wait_idle never sees a gap
        _timers.discard(threading.current_thread())


def _submit_local(delivery_id: int) -> None:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(LOCAL_WORKERS, thread_name_prefix="tracker-webhooks")
        future = _pool.submit(_quietly, delivery_id)
        _pending.add(future)
    future.add_done_callback(_forget)


def _quietly(delivery_id: int) -> object:
    from .send import send_delivery  # send imports this module

    try:
        return send_delivery(delivery_id)
    except Exception:
        log.exception("webhook delivery %s failed", delivery_id)
        return None


def _forget(future: Future[object]) -> None:
    with _lock:
        _pending.discard(future)


def connection(redis_url: str) -> Any:
    from redis import Redis

    return Redis.from_url(redis_url, socket_connect_timeout=2)


def _enqueue(redis_url: str, delivery_ids: list[int], delay: float) -> None:
    from rq import Queue

    queue = Queue(QUEUE, connection=connection(redis_url))
    for delivery_id in delivery_ids:
        options: dict[str, Any] = {
            "job_timeout": JOB_TIMEOUT,
            "result_ttl": 3600,
            "failure_ttl": 7 * 86400,
        }
        if delay > 0:
            queue.enqueue_in(dt.timedelta(seconds=delay), JOB, delivery_id, **options)
        else:
            queue.enqueue(JOB, delivery_id, **options)
