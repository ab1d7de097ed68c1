"""The daily_stats job at scale on PostgreSQL.

    python -m bench daily --issues 100000,1000000

Generates N issues with consistent status histories (bench.generate: COPY, a few minutes
for a million; the ORM path would take half an hour), then times the job for today, for
yesterday, for a day half a year back, and a 365-day backfill. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import services
from services import daily, security

from .common import database
from .generate import generate


def timed(work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with services.session() as s:
        work(s)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", default="100000,1000000")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    security.configure_hashing(4)
    today = dt.datetime.now(dt.UTC).date()
    print("| issues | activity rows | job | seconds |\n|---|---|---|---|")
    for n in [int(x) for x in args.issues.split(",")]:
        with (
            tempfile.TemporaryDirectory() as tmp,
            database("postgresql", args.pg_url, Path(tmp)) as url,
        ):
            services.connect(url, upload_dir=Path(tmp) / "uploads")
            started = time.perf_counter()
            rows = generate(n)["activity"]
            made = time.perf_counter() - started
            runs = [
                ("today", lambda s: daily.refresh_day(s, today)),
                ("yesterday", lambda s: daily.refresh_day(s, today - dt.timedelta(days=1))),
                (
                    "a day 180 days back",
                    lambda s: daily.refresh_day(s, today - dt.timedelta(days=180)),
                ),
                (
                    "backfill of 365 days",
                    lambda s: daily.backfill(s, today - dt.timedelta(days=364), today),
                ),
            ]
            for name, work in runs:
                print(f"| {n:,} | {rows:,} | {name} | {timed(work):.2f} |", flush=True)
            print(f"<!-- generated {n:,} issues in {made:.0f} s -->", flush=True)


if __name__ == "__main__":
    main()
