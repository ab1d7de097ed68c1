"""The daily_stats job at scale on PostgreSQL.

    python -m bench.daily_job --issues 100000,1000000

Generates N issues with consistent status histories straight in SQL (generate_series;
the ORM path would take half an hour for a million), then times the job for today,
for yesterday, for a day half a year back, and a 365-day backfill. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

import services
from services import daily, demo, security

from .common import database

ISSUES = """
INSERT INTO issues (title, description, description_html, severity, status, reporter_id,
                    version, created_at, updated_at)
SELECT 'Generated issue ' || g, 'Generated.', '<p>Generated.</p>',
       (ARRAY['LOW','MEDIUM','HIGH','CRITICAL'])[1 + (g % 4)],
       (ARRAY['OPEN','TRIAGED','IN_PROGRESS','DONE'])[1 + ((g / 4) % 4)],
       :reporter, 1,
       now() - make_interval(days => g % 400, mins => g % 1440),
       now() - make_interval(days => (g % 400) / 2)
FROM generate_series(1, :n) AS g
"""
CREATED = """
INSERT INTO activity (issue_id, reporter_id, actor_id, verb, field, new_value, status_after,
                      severity_after, created_at)
SELECT id, reporter_id, reporter_id, 'created', 'severity', severity, 'OPEN', severity,
       created_at
FROM issues
"""
MOVES = """
INSERT INTO activity (issue_id, reporter_id, actor_id, verb, field, old_value, new_value,
                      status_before, severity_before, status_after, severity_after, created_at)
SELECT i.id, i.reporter_id, i.reporter_id, 'status', 'status', m.prev, m.next, m.prev,
       i.severity, m.next, i.severity,
       LEAST(now(), i.created_at + make_interval(hours => m.k * 20))
FROM issues i
JOIN (VALUES (1, 'OPEN', 'TRIAGED'), (2, 'TRIAGED', 'IN_PROGRESS'), (3, 'IN_PROGRESS', 'DONE'))
     AS m(k, prev, next)
  ON m.k < array_position(ARRAY['OPEN','TRIAGED','IN_PROGRESS','DONE'], i.status::text)
"""


def generate(n: int) -> None:
    with services.session() as s:
        demo.ensure_demo_users(s)
    with services.session() as s:
        reporter = services.users.actor_for(s, email="rob.reporter@example.com").id
        s.execute(text(ISSUES), {"n": n, "reporter": reporter})
        s.execute(text(CREATED))
        s.execute(text(MOVES))
        s.commit()
    with services.runtime().engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


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
            generate(n)
            made = time.perf_counter() - started
            with services.session() as s:
                rows = s.execute(text("SELECT count(*) FROM activity")).scalar_one()
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
