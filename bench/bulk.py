"""Bulk edit: one staff action on many issues, as the list's "Change…" dialog makes it.

    python -m bench bulk [--db sqlite|postgresql] [--pg-url URL] [--sizes 50,500,1000]

On a database of demo issues, a maintainer moves N open issues to TRIAGED with a tag and a
comment in one `services.bulk.bulk_update` call (each issue its own transaction, with its
activity, notifications and webhooks), then back to OPEN. Prints a markdown table: time per
action, per issue, and the live events open pages receive for the whole action.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

import services
from services import events
from services.models import Issue

from .common import database, seed


def _open_ids(count: int) -> list[int]:
    with services.session() as s:
        query = select(Issue.id).where(Issue.status == "OPEN").order_by(Issue.id).limit(count)
        return list(s.scalars(query))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url")
    parser.add_argument("--sizes", default="50,500,1000")
    parser.add_argument("--issues", type=int, default=5000)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp, database(args.db, args.pg_url, Path(tmp)) as url:
        actor = seed(url, Path(tmp), args.issues, None)
        heard: list[events.ChangeEvent] = []
        events.subscribe(heard.append)
        print(f"\n### Bulk edit ({args.db}, {args.issues} issues)\n")
        print("| issues | triage + tag + comment, s | per issue, ms | reopen, s | events |")
        print("|---:|---:|---:|---:|---:|")
        for size in sizes:
            ids = _open_ids(size)
            heard.clear()
            start = time.perf_counter()
            with services.session() as s:
                done = services.bulk.bulk_update(
                    s,
                    actor,
                    {"status": "TRIAGED", "add_tags": ["bench"], "comment": "Triaged in bulk."},
                    ids=ids,
                )
            took = time.perf_counter() - start
            pushed = sum(e.kind in ("issue", "comment") for e in heard)
            assert done.applied == len(ids), done.failed
            start = time.perf_counter()
            with services.session() as s:
                services.bulk.bulk_update(s, actor, {"status": "OPEN"}, ids=ids)
            back = time.perf_counter() - start
            print(
                f"| {len(ids)} | {took:.2f} | {took / len(ids) * 1000:.1f} | {back:.2f} | "
                f"{pushed} |"
            )


if __name__ == "__main__":
    main()
