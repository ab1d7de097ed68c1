"""Where analysis work goes once its pending row has committed: the RQ queue `tracker-intake`
when Redis is configured (`tracker worker` serves it), otherwise a small pool of threads in
this process (the embedded default). Either way the job is `pipeline.run_analysis(id)`, which
reads untrusted files only in a sandboxed child process, so no event loop ever parses one."""

from __future__ import annotations

import logging

from ..background import LocalPool, queue
from ..db import runtime

log = logging.getLogger(__name__)

QUEUE = "tracker-intake"
JOB = "services.intake.pipeline.run_analysis"
JOB_TIMEOUT = 300
LOCAL_WORKERS = 1  # the embedded default shares its machine with the web process

enabled = True  # tests switch the hand-over off and run the job themselves
_local = LocalPool("tracker-intake", LOCAL_WORKERS)


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
                _local.submit(_run, analysis_id)
    except Exception as e:
        log.warning("could not queue analyses %s (%s); the sweep retries", analysis_ids, e)


def wait_idle(timeout: float = 60.0) -> bool:
    """For tests and the CLI: wait until the in-process pool has nothing left to do."""
    return _local.wait_idle(timeout)


def _run(analysis_id: int) -> object:
    from .pipeline import run_analysis  # the pipeline imports this module

    return run_analysis(analysis_id)


def _enqueue(redis_url: str, analysis_ids: list[int]) -> None:
    jobs = queue(QUEUE, redis_url)
    for analysis_id in analysis_ids:
        jobs.enqueue(
            JOB,
            analysis_id,
            job_id=f"analysis-{analysis_id}",  # queued twice = once
            job_timeout=JOB_TIMEOUT,
            result_ttl=86400,
            failure_ttl=7 * 86400,
        )
