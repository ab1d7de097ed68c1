"""Text search and the list's counts at scale, in process.

    python -m bench search --issues 1000000 --db postgresql
    python -m bench search --issues 100000 --db sqlite

Generates N issues (bench.generate; their searchable text is indexed as the app indexes it),
files a few issues with a rare word, then runs each search as the list page and /api/v1 run
it (`services.issues.list_issues`, a page of 50 with its total), as a maintainer and as the
busiest reporter, each in its own session like a request: once to warm up, then --runs
times. Then the dashboard's counts. Prints a markdown table; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import services
from services import security, stats
from services.models import Issue, IssueText

from .common import database, percentile
from .generate import generate

MAINTAINER = "max.maintainer@example.com"
RARE = "zanzibar"
SEARCHES = [  # (what it shows, q, sort)
    ("very common word 'the'", "the", ""),
    ("common word 'checkout'", "checkout", ""),
    ("common word, newest first", "checkout", "-updated"),
    ("two words 'checkout safari'", "checkout safari", ""),
    ("part of a word 'heckou'", "heckou", ""),
    ('phrase "blank page"', '"blank page"', ""),
    (f"rare word '{RARE}'", RARE, ""),
    ("no match 'xylophone'", "xylophone", ""),
    ("short term 'ui' (no index)", "ui", ""),
    ("an issue's number '#4242'", "#4242", ""),
]


def timed(call: Any, runs: int) -> list[float]:
    with services.session() as s:
        call(s)  # warm-up
    ms = []
    for _ in range(runs):
        started = time.perf_counter()
        with services.session() as s:
            call(s)
        ms.append((time.perf_counter() - started) * 1000)
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--url", help="a database generated before (python -m bench generate): skip generating"
    )
    args = parser.parse_args()
    security.configure_hashing(4)
    with tempfile.TemporaryDirectory() as tmp:
        if args.url:
            services.connect(args.url, upload_dir=Path(tmp) / "uploads")
            measure(args)
            return
        with database(args.db, args.pg_url, Path(tmp)) as url:
            services.connect(url, upload_dir=Path(tmp) / "uploads")
            started = time.perf_counter()
            generate(args.issues)
            made = time.perf_counter() - started
            print(f"<!-- generated and indexed {args.issues:,} issues in {made:.0f} s -->")
            measure(args)


def measure(args: argparse.Namespace) -> None:
    with services.session() as s:
        staff = services.users.actor_for(s, email=MAINTAINER)
        busiest = s.execute(
            select(Issue.reporter_id, func.count())
            .group_by(Issue.reporter_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        reporter = services.users.actor_for(s, user_id=busiest[0])
        for n in range(5):
            services.issues.create_issue(
                s, staff, {"title": f"Rare {n}", "description": f"Seen in {RARE}."}
            )
        size = s.scalar(select(func.sum(func.length(IssueText.body))))
    print(
        f"<!-- searchable text: {size or 0:,} characters; the busiest reporter "
        f"filed {busiest[1]:,} -->"
    )
    print("| db | issues | as | query | total | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|")
    for who, actor in (("maintainer", staff), ("reporter", reporter)):
        for name, q, sort in SEARCHES:
            pages: list[Any] = []

            def call(
                s: Any, q: str = q, sort: str = sort, actor: Any = actor, out: Any = pages
            ) -> None:
                out.append(services.issues.list_issues(s, actor, q=q, sort=sort, page_size=50))

            ms = timed(call, args.runs)
            total = f"{pages[-1].total:,}{'+' if pages[-1].total_capped else ''}"
            _row(args, who, name, total, ms)
    for name, count in (
        ("dashboard: open by severity", stats.open_by_severity),
        ("dashboard: counts by status", stats.counts_by_status),
    ):
        for who, actor in (("maintainer", staff), ("reporter", reporter)):
            ms = timed(lambda s, c=count, a=actor: c(s, a), args.runs)
            _row(args, who, name, "", ms)

    def first_page(s: Any) -> None:
        services.issues.list_issues(s, staff, page_size=50)

    _row(
        args,
        "maintainer",
        "list: first page of 50, with its total",
        "",
        timed(first_page, args.runs),
    )


def _row(args: argparse.Namespace, who: str, name: str, total: str, ms: list[float]) -> None:
    print(
        f"| {args.db} | {args.issues:,} | {who} | {name} | {total} | "
        f"{percentile(ms, 50):.1f} | {percentile(ms, 95):.1f} | {max(ms):.1f} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
