"""Where analysis work goes once its pending row has committed: the RQ queue `tracker-intake`
when Redis is configured (`tracker worker` serves it), otherwise a small pool of threads in
this process (the embedded default). Either way the job is `pipeline.run_analysis(id)`, which
reads untrusted files only in a sandboxed child process, so no event loop ever parses one."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..db import runtime

log = logging.getLogger(__name__)

QUEUE = "tracker-intake"
JOB = "services.intake.pipeline.run_analysis"
JOB_TIMEOUT = 300
LOCAL_WORKERS = 1  # the embedded default shares its machine with the web process

enabled = True  # tests switch the hand-over off and run the job themselves
_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_pending: set[Future[object]] = set()


def submit(analysis_ids: list[int]) -> None:
    """Hand analyses to the queue; an enqueue that fails is only logged: the pending rows
    stay, and `sweep` (on a timer, and at start) hands them over again."""
    if not analysis_ids or not enabled:
        return
    redis_url = runtime().redis_url
    try:
        if redis_url:
            _enqueue(redis_url, analysis_ids)
        else:
            for analysis_id in analysis_ids:
                _submit_local(analysis_id)
    except Exception as e:
        log.warning("could not queue analyses %s (%s); the sweep retries", analysis_ids, e)


def wait_idle(timeout: float = 60.0) -> bool:
    """For tests and the CLI: wait until the in-process pool has nothing left to do."""
    with _lock:
        futures = list(_pending)
    for future in futures:
        future.result(timeout=timeout)
    return True


def _submit_local(analysis_id: int) -> None:
    global _pool
    from .pipeline import run_analysis  # the pipeline imports this module

    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(LOCAL_WORKERS, thread_name_prefix="tracker-intake")
        future = _pool.submit(_quietly, run_analysis, analysis_id)
        _pending.add(future)
    future.add_done_callback(_forget)


def connection(redis_url: str) -> Any:
    from redis import Redis

    return Redis.from_url(redis_url, socket_connect_timeout=2)


def _quietly(work: Callable[[int], object], analysis_id: int) -> object:
    try:
        return work(analysis_id)
    except Exception:
        log.exception("analysis %s failed", analysis_id)
        return None


def _forget(future: Future[object]) -> None:
    with _lock:
        _pending.discard(future)


def _enqueue(redis_url: str, analysis_ids: list[int]) -> None:
    from rq import Queue

    queue = Queue(QUEUE, connection=connection(redis_url))
    for analysis_id in analysis_ids:
        queue.enqueue(
            JOB,
            analysis_id,
            job_id=f"analysis-{analysis_id}",  # queued twice = once
            job_timeout=JOB_TIMEOUT,
            result_ttl=86400,
            failure_ttl=7 * 86400,
        )
