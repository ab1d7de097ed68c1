"""Shared pieces of the benchmarks: a seeded database, a real server process, statistics."""

from __future__ import annotations

import os
import secrets
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import services
from services import demo, security
from tests.pgschema import pg_schema
from tests.serverproc import running_server
from tracker_app import migrate

BENCH_PASSWORD = "benchmark passphrase 42"
# A benchmark's one user writes far more than any person: it measures speed, not the
# per-user write limits (those would answer 429 after the first minute).
NO_WRITE_LIMITS = {
    "TRACKER_MAX_ISSUES_PER_HOUR": str(10**9),
    "TRACKER_MAX_COMMENTS_PER_HOUR": str(10**9),
    "TRACKER_MAX_ATTACHMENTS_PER_HOUR": str(10**9),
    "TRACKER_MAX_IMPORTED_ISSUES_PER_DAY": str(10**9),
    "TRACKER_MAX_UPLOAD_MB_PER_DAY": str(10**6),
}


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: Sequence[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{percentile(ms, 50):.1f} | {percentile(ms, 95):.1f} | {max(ms):.1f} | "
        f"{statistics.mean(ms):.1f}"
    )


@contextmanager
def database(kind: str, pg_url: str | None, data_dir: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file, or a throw-away PostgreSQL schema."""
    if kind == "sqlite":
        url = f"sqlite:///{data_dir / 'bench.db'}"
        migrate.upgrade(url)
        yield url
        return
    assert pg_url, "--pg-url is needed for PostgreSQL"
    with pg_schema("bench", lambda: services.runtime().engine.dispose(), base_url=pg_url) as url:
        migrate.upgrade(url)
        yield url


def seed(url: str, data_dir: Path, issues: int, redis_url: str | None) -> services.Actor:
    """Demo data plus a maintainer whose password the benchmark knows."""
    security.configure_hashing(4)
    services.connect(
        url,
        upload_dir=data_dir / "uploads",
        redis_url=redis_url,
        secret_key="bench-" + secrets.token_hex(16),
    )
    with services.session() as s:
        demo.ensure_demo_users(s)
    with services.session() as s:
        demo.seed_issues(s, issues)
    with services.session() as s:
        view = services.users.provision(
            s, {"email": "bench@example.com", "role": "MAINTAINER", "password": BENCH_PASSWORD}
        )
    return services.Actor(**view.model_dump(include={"id", "email", "full_name", "role"}))


def login_token(email: str = "bench@example.com") -> str:
    with services.session() as s:
        token, _ = services.auth.login(s, email, BENCH_PASSWORD)
    return token


@contextmanager
def server(
    url: str, data_dir: Path, redis_url: str | None, **extra: str
) -> Iterator[tuple[str, int]]:
    """`tracker serve` as in production (its own process), with any further TRACKER_*
    settings in `extra`; yields (base URL, pid)."""
    settings = {"TRACKER_DATABASE_URL": url, **NO_WRITE_LIMITS, **extra}
    if redis_url:
        settings["TRACKER_REDIS_URL"] = redis_url
    with running_server(data_dir, **settings) as running:
        yield running.url, running.pid


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system, every thread) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    """A memory figure of a process from /proc/<pid>/status (VmRSS now, VmHWM its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0
