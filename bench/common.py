"""Shared pieces of the benchmarks: a seeded database, a real server process, statistics."""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

import services
from services import demo, security
from tracker_app import migrate

BENCH_PASSWORD = "benchmark passphrase 42"


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
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}options=-csearch_path%3D{schema}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        services.runtime().engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, data_dir: Path, redis_url: str | None) -> Iterator[tuple[str, int]]:
    """`tracker serve` as in production (its own process); yields (base URL, pid)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "NICEGUI_"))}
    env.update(TRACKER_DATABASE_URL=url, TRACKER_DATA_DIR=str(data_dir))
    if redis_url:
        env["TRACKER_REDIS_URL"] = redis_url
    port = free_port()
    tracker = str(Path(sys.executable).parent / "tracker")
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [tracker, "serve", "--port", str(port)],
        env=env,
        cwd=data_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError((data_dir / "server.log").read_text())
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
