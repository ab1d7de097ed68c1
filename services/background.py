"""Background work of this process when there is no Redis (the embedded default): a few
threads per kind of work, optional delays, and a wait for tests and short-lived commands.
With Redis the same jobs go to RQ queues instead (`queue`). The intake, the similarity
vectors, mail and webhooks each keep one `LocalPool`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class LocalPool:
    def __init__(self, name: str, workers: int = 1) -> None:
        self.name = name
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pending: set[Future[object]] = set()
        self._timers: set[threading.Timer] = set()

    def submit(self, work: Callable[..., object], *args: Any, delay: float = 0.0) -> None:
        """Run `work(*args)` on one of the threads (after `delay` seconds); a failure is
        logged, never raised: the callers' sweeps hand lost work over again."""
        if delay > 0:
            timer = threading.Timer(delay, self._submit_from_timer, (work, *args))
            timer.daemon = True
            with self._lock:
                self._timers.add(timer)
            timer.start()
            return
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix=self.name)
            future = self._pool.submit(self._quietly, work, *args)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until nothing is running or waiting on a timer; False if `timeout` passed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                timers = [t for t in self._timers if t.is_alive()]
                futures = list(self._pending)
            if not timers and not futures:
                return True
            left = max(0.0, deadline - time.monotonic())
            for timer in timers:
                timer.join(timeout=left)
            for future in futures:
                future.result(timeout=left)
        return False

    def cancel_delayed(self, longer_than: float) -> None:
        """Drop work still waiting on a timer of more than `longer_than` seconds (a command
        about to exit leaves it to a long-running process's sweep)."""
        with self._lock:
            for timer in [t for t in self._timers if t.interval > longer_than]:
                timer.cancel()
                self._timers.discard(timer)

    def _submit_from_timer(self, work: Callable[..., object], *args: Any) -> None:
        self.submit(work, *args)
        with self._lock:  # after the hand-over, so wait_idle never sees a gap
            self._timers.discard(threading.current_thread())  # type: ignore[arg-type,unused-ignore]

    def _quietly(self, work: Callable[..., object], *args: Any) -> object:
        try:
            return work(*args)
        except Exception:
            log.exception("%s: background work %s failed", self.name, args)
            return None

    def _forget(self, future: Future[object]) -> None:
        with self._lock:
            self._pending.discard(future)


def redis_connection(redis_url: str) -> Any:
    from redis import Redis

    return Redis.from_url(redis_url, socket_connect_timeout=2)


def queue(name: str, redis_url: str) -> Any:
    """The RQ queue `name` on `redis_url`."""
    from rq import Queue

    return Queue(name, connection=redis_connection(redis_url))
