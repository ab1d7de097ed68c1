"""Realistic tracker data, fast: issues with bug-report text, tags, comments, attachment
rows (no files) and status histories in the activity table.

    python -m bench generate --issues 10000|100000|1000000 [--db postgresql|sqlite]

Rows are planned in Python from a seeded random.Random (the same N gives the same data) and
loaded in chunks: COPY on PostgreSQL (then the sequences are set and the tables vacuumed and
analysed, as autovacuum would), executemany in one transaction on SQLite. Other benchmarks
call `generate(n)` after services.connect(...). Issues are filed evenly over the last 400
days, ids in filing order; the activity rows are what the app writes (created, status
moves, a few severity edits), so services.daily and services.insights see a real history.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import heapq
import io
import itertools
import math
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import services
from services import demo, security
from services.db import begin_write
from services.enums import Role
from services.events import ChangeEvent, emit
from services.models import Tag, User

from . import bugtext
from .common import database

CHUNK = 20_000
DAY = 86_400.0
SPAN = 400 * DAY
TAGS = ["backend", "ui", "regression", "performance", "security", "billing", "mobile", "api"]
SEVERITIES = ["LOW"] * 30 + ["MEDIUM"] * 40 + ["HIGH"] * 22 + ["CRITICAL"] * 8
STAGES = [0] * 3 + [1] * 2 + [2] * 2 + [3] * 4  # how far along the workflow an issue gets
MOVES = [  # (from, to, mean hours until the move)
    ("OPEN", "TRIAGED", 18.0),
    ("TRIAGED", "IN_PROGRESS", 72.0),
    ("IN_PROGRESS", "DONE", 96.0),
]
TAG_COUNTS = [0, 1, 1, 1, 2, 2, 3]  # for triaged issues; untriaged ones have none
COMMENTS = [0] * 35 + [1] * 30 + [2] * 20 + [3] * 10 + [4] * 5
ATTACHMENTS = [0] * 80 + [1] * 15 + [2] * 5
COLUMNS = {
    "issues": "id title description description_html severity status reporter_id assignee_id "
    "version created_at updated_at",
    "issue_tags": "issue_id tag_id",
    "comments": "id issue_id author_id body body_html created_at",
    "attachments": "id issue_id filename stored_name content_type size sha256 uploader_id "
    "created_at",
    "activity": "id issue_id reporter_id actor_id verb field old_value new_value status_before "
    "severity_before status_after severity_after created_at",
}
Rows = dict[str, list[tuple[Any, ...]]]
TIMED = ("comments", "attachments", "activity")  # tables whose ids follow time
SETTLE_TRIES = 10
VISIBLE = "SELECT relallvisible >= relpages FROM pg_class WHERE oid = CAST(:table AS regclass)"


def generate(n: int, *, seed: int = 7) -> dict[str, int]:
    """Add n issues with everything around them (demo users and tags made if missing);
    returns the rows added per table."""
    with services.session() as s:
        demo.ensure_demo_users(s)
    with services.session() as s:
        begin_write(s)
        postgres = s.get_bind().dialect.name == "postgresql"
        planner = Planner(s, n, random.Random(seed), postgres)
        if postgres:
            _skip_foreign_key_checks(s)
        added: Counter[str] = Counter()
        for batch in _planned_ahead(planner, n, _csv if postgres else None):
            for table, (count, data) in batch.items():
                (_copy if postgres else _insert)(s, table, data)
                added[table] += count
        emit(s, ChangeEvent("issue", "bulk"))
        s.commit()
    if postgres:
        _settle(added)  # first: the text is read faster from analysed tables
    with services.session() as s:  # COPY and executemany bypass the ORM: index the text here
        begin_write(s)
        services.fulltext.refresh(s, range(planner.next["issues"], planner.next["issues"] + n))
        s.commit()
    if postgres:
        _settle(Counter(), ("issue_texts",))
    return {table: added[table] for table in COLUMNS}


class Planner:
    """Plans the rows of issue after issue; ids continue from what the tables hold. Comments,
    attachments and activity get their ids (and places in the table) in time order, as in
    real use: they wait in a heap until no issue filed later can add an earlier row."""

    def __init__(self, s: Session, n: int, rng: random.Random, postgres: bool) -> None:
        self.n, self.rng = n, rng
        self.text = bugtext.BugText(rng)
        bugtext.check_rendering(self.text, rng)
        active = select(User.id, User.role).where(User.is_active.is_(True)).order_by(User.id)
        users = s.execute(active).all()
        self.staff = [u for u, role in users if role != Role.REPORTER]
        self.reporters = [u for u, role in users if role == Role.REPORTER] * 3 + self.staff
        services.queries.ensure_tags(s, TAGS)
        self.tags = list(s.scalars(select(Tag.id).where(Tag.name.in_(TAGS)).order_by(Tag.id)))
        self.next = {
            t: (s.scalar(text(f"SELECT max(id) FROM {t}")) or 0) + 1 for t in ("issues", *TIMED)
        }
        self.pending: dict[str, list[tuple[float, int, tuple[Any, ...]]]] = {t: [] for t in TIMED}
        self.order = itertools.count()
        self.now = time.time()
        self.stamp = _pg_stamp if postgres else _sqlite_stamp

    def chunk(self, start: int, size: int) -> Rows:
        rows: Rows = {table: [] for table in COLUMNS}
        for i in range(start, start + size):
            self._issue(rows, self.next["issues"] + i, self._filed(i + self.rng.random()))
        end = start + size
        self._release(rows, self._filed(end) if end < self.n else math.inf)
        return rows

    def _filed(self, position: float) -> float:
        """Issues are filed evenly over SPAN, in id order."""
        return self.now - SPAN + position * SPAN / self.n

    def _issue(self, rows: Rows, issue_id: int, filed: float) -> None:
        rng = self.rng
        reporter, severity = rng.choice(self.reporters), rng.choice(SEVERITIES)
        history = [(filed, reporter, "created", "severity", None, severity, "OPEN", severity)]
        history += self._moves(filed, severity)
        *_, status, severity = history[-1]
        triaged = len(history) > 1
        assignee = None
        if status in ("IN_PROGRESS", "DONE") or (triaged and rng.random() < 0.3):
            assignee = rng.choice(self.staff)
        tags = rng.sample(self.tags, rng.choice(TAG_COUNTS)) if triaged else []
        rows["issue_tags"] += [(issue_id, t) for t in tags]
        self._activity(issue_id, reporter, history)
        touched = [history[-1][0]]
        touched += self._comments(issue_id, reporter, filed)
        touched += self._attachments(issue_id, reporter, filed)
        title, description, html = self.text.issue(rng)
        row = (issue_id, title, description, html, severity, status, reporter, assignee)
        # version: one per recorded change; comments and attachments only touch updated_at
        rows["issues"].append((*row, len(history), self.stamp(filed), self.stamp(max(touched))))

    def _activity(self, issue_id: int, reporter: int, history: list[tuple[Any, ...]]) -> None:
        """One row per change, with the issue's (status, severity) before and after it."""
        before: tuple[Any, ...] = (None, None)
        for at, actor, verb, field, old, new, *after in history:
            row = (issue_id, reporter, actor, verb, field, old, new, *before, *after)
            self._later("activity", at, row)
            before = tuple(after)

    def _comments(self, issue_id: int, reporter: int, filed: float) -> list[float]:
        """Comments by the reporter and staff, most within days of filing; their times."""
        times = []
        for _ in range(self.rng.choice(COMMENTS)):
            at = filed + self.rng.expovariate(1 / (2 * DAY))
            if at >= self.now:
                at = filed + self.rng.random() * (self.now - filed)
            body, html = self.text.comment(self.rng)
            author = self.rng.choice((reporter, reporter, *self.staff))
            self._later("comments", at, (issue_id, author, body, html))
            times.append(at)
        return times

    def _attachments(self, issue_id: int, reporter: int, filed: float) -> list[float]:
        """Files the reporter attached right after filing (metadata only); their times."""
        rng, times = self.rng, []
        for _ in range(rng.choice(ATTACHMENTS)):
            at = min(filed + rng.random() * 600, self.now)
            name, kind, size = bugtext.attachment(rng)
            digest, stored = f"{rng.getrandbits(256):064x}", f"{rng.getrandbits(128):032x}"
            self._later("attachments", at, (issue_id, name, stored, kind, size, digest, reporter))
            times.append(at)
        return times

    def _later(self, table: str, at: float, row: tuple[Any, ...]) -> None:
        heapq.heappush(self.pending[table], (at, next(self.order), row))

    def _release(self, rows: Rows, until: float) -> None:
        """Give ids to the waiting rows older than `until`, oldest first."""
        for table, waiting in self.pending.items():
            while waiting and waiting[0][0] < until:
                at, _, row = heapq.heappop(waiting)
                rows[table].append((self.next[table], *row, self.stamp(at)))
                self.next[table] += 1

    def _moves(self, filed: float, severity: str) -> list[tuple[Any, ...]]:
        """The status moves (and a severity edit at triage now and then) that happened by
        now: (time, actor, verb, field, old, new, status after, severity after)."""
        rng, at = self.rng, filed
        out: list[tuple[Any, ...]] = []
        for old, new, hours in MOVES[: rng.choice(STAGES)]:
            at += 600 + rng.expovariate(1 / (hours * 3600))
            if at >= self.now:
                return out
            actor = rng.choice(self.staff)
            out.append((at, actor, "status", "status", old, new, new, severity))
            if new == "TRIAGED" and rng.random() < 0.08:
                edited = _neighbour(rng, severity)
                at += rng.uniform(60, 3600)
                if at >= self.now:
                    return out
                out.append((at, actor, "edited", "severity", severity, edited, new, edited))
                severity = edited
        if out and out[-1][6] == "DONE" and rng.random() < 0.04:
            at += rng.expovariate(1 / (10 * DAY))
            if at < self.now:
                actor = rng.choice(self.staff)
                out.append((at, actor, "status", "status", "DONE", "OPEN", "OPEN", severity))
        return out


def _neighbour(rng: random.Random, severity: str) -> str:
    """One severity up or down (triage found it worse or milder than reported)."""
    order = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
    k = order.index(severity)
    return order[1 if k == 0 else 2 if k == 3 else k + rng.choice((-1, 1))]


def _pg_stamp(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(" ", "microseconds")


def _sqlite_stamp(t: float) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite (naive, microseconds)."""
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(" ", "microseconds")[:26]


def _planned_ahead(
    planner: Planner, n: int, serialize: Callable[[list[Any]], Any] | None
) -> Iterator[dict[str, tuple[int, Any]]]:
    """The chunks as {table: (row count, rows or serialized rows)}; each is planned in a
    thread while the one before loads (the driver lets go of the GIL while it sends)."""

    def plan(start: int) -> dict[str, tuple[int, Any]]:
        rows = planner.chunk(start, min(CHUNK, n - start))
        return {t: (len(r), serialize(r) if serialize else r) for t, r in rows.items()}

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(plan, 0)
        for start in range(0, n, CHUNK):
            batch = pending.result()
            if start + CHUNK < n:
                pending = pool.submit(plan, start + CHUNK)
            yield batch


def _skip_foreign_key_checks(s: Session) -> None:
    """For this transaction, skip PostgreSQL's per-row foreign-key triggers (a third of the
    load time; the planned rows are consistent by construction). Needs a superuser, as the
    benchmark database's postgres is; without one the checks stay on."""
    try:
        with s.begin_nested():
            s.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError:
        pass


def _csv(rows: list[tuple[Any, ...]]) -> io.StringIO:
    """CSV for COPY (None is an unquoted empty field: NULL; no text field is ever empty)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    return buffer


def _copy(s: Session, table: str, buffer: io.StringIO) -> None:
    columns = ", ".join(COLUMNS[table].split())
    cursor = s.connection().connection.cursor()
    try:
        sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
        cursor.copy_expert(sql, buffer, size=1 << 20)
    finally:
        cursor.close()


def _insert(s: Session, table: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        columns = COLUMNS[table].split()
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        s.connection().exec_driver_sql(sql, rows)


def _settle(added: Counter[str], tables: tuple[str, ...] = (*COLUMNS, "tags", "users")) -> None:
    """PostgreSQL after a bulk load: sequences past the ids used, then VACUUM ANALYZE, as
    autovacuum would leave the tables. Repeated while another session's older snapshot kept
    the pages from being marked all-visible: index-only scans (the dashboard's counts)
    would read the heap instead, and the plans would not be those of a settled database."""
    engine = services.runtime().engine
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("issues", "comments", "attachments", "activity"):
            if added[table]:
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                conn.execute(text(f"SELECT setval({sequence}, max(id)) FROM {table}"))
        for table in tables:
            for _ in range(SETTLE_TRIES):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
                if conn.scalar(text(VISIBLE), {"table": table}):
                    break
                time.sleep(1)
            else:
                print(
                    f"note: {table} is not all-visible (an old snapshot is open)", file=sys.stderr
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    security.configure_hashing(4)
    with tempfile.TemporaryDirectory() as tmp, database(args.db, args.pg_url, Path(tmp)) as url:
        services.connect(url, upload_dir=Path(tmp) / "uploads")
        started = time.perf_counter()
        added = generate(args.issues, seed=args.seed)
        seconds = time.perf_counter() - started
    print("| db | issues | table | rows |\n|---|---|---|---|")
    for table, count in added.items():
        print(f"| {args.db} | {args.issues:,} | {table} | {count:,} |")
    print(f"\nGenerated {args.issues:,} issues on {args.db} in {seconds:.1f} s.")


if __name__ == "__main__":
    main()
