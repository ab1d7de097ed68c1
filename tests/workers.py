"""What each pytest-xdist worker has to itself: its Redis database and its ports.

`pytest` runs the suite in parallel (`-n auto` in pyproject.toml). Every worker is a process
of its own with its own temporary folders, SQLite files and PostgreSQL schemas (see
tests/pgschema.py); what the machine shares is made per worker here:

- Redis: worker N uses database `base - N` of TRACKER_TEST_REDIS_URL (base 15: 15, 14, ...),
  so one worker's queues and jobs are never another's. The run stops if that would go below 0.
- Ports: worker N hands out ports from a range of its own below the kernel's ephemeral range
  (which `bind(("127.0.0.1", 0))` and outgoing connections draw from), so two workers never
  pick the same "free" port between the check and the server's own bind, and a port left
  free on purpose ("nobody listens there") stays free.

Without xdist (`-n 0`) the process counts as worker 0.
"""

from __future__ import annotations

import os
import random
import socket
from urllib.parse import urlsplit, urlunsplit

PORTS_FROM = 20000  # below the usual ephemeral range (32768-60999 on Linux)
PORTS_PER_WORKER = 500


def worker_id() -> str:
    """`gw0`, `gw1`, ... under xdist; `main` when run serially."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def worker_index() -> int:
    name = worker_id()
    return int(name[2:]) if name.startswith("gw") else 0


def redis_url_for_worker(url: str, index: int | None = None) -> str:
    """`url` with its database number lowered by the worker's index."""
    index = worker_index() if index is None else index
    parts = urlsplit(url)
    path = parts.path.strip("/")
    base = int(path) if path else 0
    db = base - index
    if db < 0:
        raise RuntimeError(
            f"TRACKER_TEST_REDIS_URL uses database {base}: too low for worker {index} "
            f"(each worker takes the next lower one); choose a higher database or fewer workers"
        )
    return urlunsplit(parts._replace(path=f"/{db}"))


_next: int | None = None


def free_port() -> int:
    """A local TCP port that nobody listens on now, from this worker's own range; the
    same port is not handed out again before the range has gone round once."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` consecutive free ports (for `tracker serve --workers`), as `free_port`."""
    global _next
    low = PORTS_FROM + worker_index() * PORTS_PER_WORKER
    if _next is None:
        _next = random.randrange(PORTS_PER_WORKER)  # another run on the machine: elsewhere
    for _ in range(PORTS_PER_WORKER):
        first = _next
        _next = (_next + 1) % PORTS_PER_WORKER
        if first + count > PORTS_PER_WORKER:
            continue
        ports = [low + first + n for n in range(count)]
        if all(_bindable(port) for port in ports):
            _next = (first + count) % PORTS_PER_WORKER
            return ports
    raise RuntimeError(f"no {count} free ports in {low}-{low + PORTS_PER_WORKER - 1}")


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
