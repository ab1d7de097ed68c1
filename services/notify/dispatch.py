"""Where mail work goes once its outbox row has committed: the RQ queue `tracker-mail` when
Redis is configured (`tracker worker` serves it; a burst's mail is scheduled for the end of
its burst), otherwise a timer and a thread in this process. Either way the job is
`outbox.deliver(id)`, which is idempotent; `outbox.sweep` hands over anything left behind."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..db import runtime
from ..models import utcnow

log = logging.getLogger(__name__)

QUEUE = "tracker-mail"
JOB = "services.notify.outbox.deliver"
JOB_TIMEOUT = 300

enabled = True  # tests may switch the hand-over off and run the job themselves
_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_timers: set[threading.Timer] = set()
_pending: set[Future[object]] = set()


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
                _later(outbox_id, max(0.0, (when - utcnow()).total_seconds()))
    except Exception as e:
        log.warning("could not queue mails %s (%s); the sweep retries", due, e)


def wait_idle(timeout: float = 60.0) -> bool:
    """For tests: wait until the in-process timers and pool have nothing left to do."""
    deadline = utcnow() + dt.timedelta(seconds=timeout)
    while utcnow() < deadline:
        with _lock:
            timers, futures = list(_timers), list(_pending)
        if not timers and not futures:
            return True
        for timer in timers:
            timer.join(timeout=timeout)
        for future in futures:
            future.result(timeout=timeout)
    return False


def finish(timeout: float = 60.0) -> None:
    """Before a short-lived process exits (the CLI): send what is due now, and leave mail
    still collecting its burst to the sweep of a long-running process."""
    with _lock:
        later = [t for t in _timers if t.interval > 1.0]
        for timer in later:
            timer.cancel()
            _timers.discard(timer)
    wait_idle(timeout)


def _later(outbox_id: int, delay: float) -> None:
    timer = threading.Timer(delay, _run_local, args=(outbox_id,))
    timer.daemon = True
    with _lock:
        _timers.add(timer)
    timer.start()


def _run_local(outbox_id: int) -> None:
    global _pool
    from .outbox import deliver  # outbox imports this module

    with _lock:
        _timers.difference_update({t for t in _timers if t is threading.current_thread()})
        if _pool is None:
            _pool = ThreadPoolExecutor(1, thread_name_prefix="tracker-mail")
        future = _pool.submit(_quietly, deliver, outbox_id)
        _pending.add(future)
    future.add_done_callback(_forget)


def _quietly(work: object, outbox_id: int) -> object:
    try:
        return work(outbox_id)  # type: ignore[operator]
    except Exception:
        log.exception("mail %s failed (the sweep retries it)", outbox_id)
        return None


def _forget(future: Future[object]) -> None:
    with _lock:
        _pending.discard(future)


def connection(redis_url: str) -> Any:
    from redis import Redis

    return Redis.from_url(redis_url, socket_connect_timeout=2)


def _enqueue(redis_url: str, due: list[tuple[int, dt.datetime]]) -> None:
    from rq import Queue

    queue = Queue(QUEUE, connection=connection(redis_url))
    for outbox_id, when in due:
        options = {"job_timeout": JOB_TIMEOUT, "result_ttl": 86400, "failure_ttl": 7 * 86400}
        if when > utcnow():
            queue.enqueue_at(when, JOB, outbox_id, **options)
        else:
            queue.enqueue(JOB, outbox_id, **options)
