"""The dashboard, insights and issue-list queries at scale, in process.

    python -m bench queries --issues 100000,1000000 [--db postgresql|sqlite]

Generates N issues (bench.generate) and a year of daily_stats (services.daily.backfill, as
the nightly job leaves it), then calls the service functions the pages and /api/v1 call, as
a maintainer, each in its own session like a request: once to warm up, then --runs times.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import services
from services import daily, insights, security, stats

from .common import database, percentile
from .generate import generate

Query = Callable[[Any, services.Actor], object]
MAINTAINER = "max.maintainer@example.com"


def queries(today: dt.date) -> list[tuple[str, Query]]:
    """(name, call) of what the pages run; the insights page shows the last 30 days."""
    month, year = today - dt.timedelta(days=29), today - dt.timedelta(days=364)
    trend = today - dt.timedelta(days=90)
    list_issues = services.issues.list_issues
    return [
        ("dashboard: open by severity", stats.open_by_severity),
        ("dashboard: counts by status", stats.counts_by_status),
        ("dashboard: 90-day trend", lambda s, a: stats.daily_series(s, a, since=trend)),
        ("insights: daily series, 30 days", lambda s, a: stats.daily_series(s, a, since=month)),
        ("insights: flow, 30 days", lambda s, a: insights.flow(s, a, month, today)),
        ("insights: cycle times, 30 days", lambda s, a: insights.cycle_times(s, a, month, today)),
        (
            "insights: oldest open, 10",
            lambda s, a: list_issues(s, a, status="OPEN", sort="created", page_size=10),
        ),
        ("insights: flow, 365 days", lambda s, a: insights.flow(s, a, year, today)),
        ("insights: cycle times, 365 days", lambda s, a: insights.cycle_times(s, a, year, today)),
        ("insights: daily CSV, 365 days", lambda s, a: insights.daily_csv(s, a, year, today)),
        ("list: first page (25)", lambda s, a: list_issues(s, a, page_size=25)),
        (
            "list: open+triaged, high+critical, tag regression",
            lambda s, a: list_issues(
                s,
                a,
                status=["OPEN", "TRIAGED"],
                severity=["HIGH", "CRITICAL"],
                tag="regression",
                page_size=25,
            ),
        ),
        ("list: search 'checkout'", lambda s, a: list_issues(s, a, q="checkout", page_size=25)),
        (
            "list: search 'no such words'",
            lambda s, a: list_issues(s, a, q="no such words", page_size=25),
        ),
    ]


def timed(call: Query, actor: services.Actor, runs: int) -> list[float]:
    with services.session() as s:
        call(s, actor)  # warm-up
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        with services.session() as s:
            call(s, actor)
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", default="100000,1000000")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    security.configure_hashing(4)
    print(
        "| db | issues | query | runs | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|---|---|"
    )
    for n in [int(x) for x in args.issues.split(",")]:
        with (
            tempfile.TemporaryDirectory() as tmp,
            database(args.db, args.pg_url, Path(tmp)) as url,
        ):
            services.connect(url, upload_dir=Path(tmp) / "uploads")
            started = time.perf_counter()
            generate(n)
            made = time.perf_counter() - started
            today = dt.datetime.now(dt.UTC).date()
            with services.session() as s:
                daily.backfill(s, today - dt.timedelta(days=364), today)
                actor = services.users.actor_for(s, email=MAINTAINER)
            for name, call in queries(today):
                ms = [t * 1000 for t in timed(call, actor, args.runs)]
                print(
                    f"| {args.db} | {n:,} | {name} | {len(ms)} | {percentile(ms, 50):.1f} | "
                    f"{percentile(ms, 95):.1f} | {max(ms):.1f} |",
                    flush=True,
                )
            print(f"<!-- generated {n:,} issues in {made:.0f} s -->", flush=True)


if __name__ == "__main__":
    main()
