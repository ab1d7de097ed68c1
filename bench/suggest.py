"""Similar issues as the app serves them (services.suggest): the database, the index and the
model together, at 100,000 issues.

    python -m bench suggest [--issues 100000] [--db sqlite|postgresql] [--runs 200]

Generates the issues (bench.generate: bug-report titles and descriptions), computes the
vectors of the first `--embed` of them as `tracker intake reindex` does (the throughput: the
job embeds the title and up to 1,500 characters of description); the others get the vector
of their title alone, stored the same way (embedding 100,000 descriptions takes most of an
hour on two cores, and the query time depends on the number of rows, not on what they say).
Then it loads this process's index from the stored vectors (time, memory) and times
`similar_to_draft` for drafts made from existing titles with a word dropped, for a
maintainer (any issue) and a reporter (their own, and the hidden-match check over
everyone's), and `possible_duplicates` of an issue. Server time: the service call in this
process (database, index, model, re-ranker), no HTTP.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

import services
from bench.common import database, percentile
from bench.generate import generate
from services import security, similar
from services.models import Issue, IssueVector, User, utcnow
from services.suggest import state, vectors
from tracker_app import migrate

MAINTAINER = "max.maintainer@example.com"


def drafts(n: int, rng: random.Random) -> list[str]:
    with services.session() as s:
        titles = list(s.scalars(select(Issue.title).order_by(Issue.id).limit(20_000)))
    out = []
    for title in rng.sample(titles, min(n, len(titles))):
        words = title.split()
        if len(words) > 3:
            words.pop(rng.randrange(len(words)))
        out.append(" ".join(words))
    return out


@contextmanager
def _database(args: argparse.Namespace, tmp: Path) -> Iterator[tuple[str, bool]]:
    """(URL, whether it is new): `--keep FILE` reused when it exists, else a fresh one."""
    if args.keep is not None:
        fresh = not args.keep.exists()
        url = f"sqlite:///{args.keep}"
        migrate.upgrade(url)  # a kept database follows the code's migrations
        yield url, fresh
        return
    with database(args.db, args.pg_url, tmp) as url:
        yield url, True


def title_vectors(ids: list[int]) -> int:
    """Store title-only vectors for these issues (see the module's docstring)."""
    model = state.embedder()
    for start in range(0, len(ids), 1024):
        chunk = ids[start : start + 1024]
        with services.session() as s:
            rows = s.execute(select(Issue.id, Issue.title).where(Issue.id.in_(chunk))).all()
            vecs = similar.embed_items(model, [(title, "") for _, title in rows], batch_size=64)
            for (issue_id, _), (title_vec, _) in zip(rows, vecs, strict=True):
                s.add(
                    IssueVector(
                        issue_id=issue_id,
                        model=similar.VERSION,
                        text_sha256="title only (bench)",
                        title_vec=similar.to_bytes(title_vec),
                        body_vec=None,
                        updated_at=utcnow(),
                    )
                )
            s.commit()
    return len(ids)


def timed(call, runs: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    seconds = []
    for draft in runs:
        started = time.perf_counter()
        with services.session() as s:
            call(s, draft)
        seconds.append(time.perf_counter() - started)
    return seconds


def row(name: str, seconds: list[float]) -> str:
    ms = [t * 1000 for t in seconds]
    return (
        f"| {name} | {len(ms)} | {percentile(ms, 50):.1f} | {percentile(ms, 95):.1f} | "
        f"{max(ms):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--model-dir", type=Path, help="a prepared model directory")
    parser.add_argument("--embed", type=int, default=2000, help="issues embedded in full")
    parser.add_argument(
        "--keep",
        type=Path,
        help="a SQLite file: made (with its vectors) the first time, reused afterwards, so the "
        "timings can be taken again without generating and embedding again",
    )
    args = parser.parse_args()
    security.configure_hashing(4)
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp, _database(args, Path(tmp)) as (url, fresh):
        services.connect(url, upload_dir=Path(tmp) / "uploads")
        model_dir = args.model_dir or similar.prepare_model(Path(tmp) / "model")
        services.suggest.configure(model_dir=model_dir)
        computed = titles_only = 0
        embed_s = titles_s = 1.0
        if fresh:
            generate(args.issues)
            with services.session() as s:
                ids = list(s.scalars(select(Issue.id).order_by(Issue.id)))
            started = time.perf_counter()
            computed = vectors.embed_issues(ids[: args.embed])
            embed_s = time.perf_counter() - started
            started = time.perf_counter()
            titles_only = title_vectors(ids[args.embed :])
            titles_s = time.perf_counter() - started
        started = time.perf_counter()
        with services.session() as s:
            index = state.index(s)
            staff = services.users.actor_for(s, email=MAINTAINER)
            reporter_id = s.scalar(
                select(Issue.reporter_id)
                .join(User, User.id == Issue.reporter_id)
                .where(User.role == "REPORTER")
                .limit(1)
            )
            reporter = services.users.actor_for(
                s, email=s.scalar(select(User.email).where(User.id == reporter_id))
            )
            some_issue = s.scalar(select(Issue.id).where(Issue.reporter_id == reporter_id))
        load_s = time.perf_counter() - started
        assert index.vectors is not None
        memory = index.vectors.memory_bytes()

        print(f"## Similar issues at {args.issues:,} issues ({args.db})\n")
        print("| step | value |\n|---|---|")
        if not fresh:
            print(f"| database | reused from {args.keep.name} |")
        if computed:
            print(
                f"| vectors of title and description (`tracker intake reindex`) | {computed:,} "
                f"in {embed_s:.0f} s ({computed / embed_s:,.1f} issues/s) |"
            )
        if titles_only:
            print(
                f"| vectors of the title alone (the rest) | {titles_only:,} in {titles_s:.0f} s "
                f"({titles_only / titles_s:,.0f} issues/s) |"
            )
        print(f"| index loaded from the database | {load_s * 1000:,.0f} ms |")
        print(f"| index memory | {memory / 2**20:,.0f} MiB |\n")

        runs = drafts(args.runs, rng)
        print("| call | runs | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
        print(
            row(
                "similar_to_draft, maintainer",
                timed(lambda s, d: services.suggest.similar_to_draft(s, staff, d), runs),
            ),
            flush=True,
        )
        print(
            row(
                "similar_to_draft, reporter",
                timed(lambda s, d: services.suggest.similar_to_draft(s, reporter, d), runs),
            ),
            flush=True,
        )
        print(
            row(
                "possible_duplicates of an issue, maintainer",
                timed(
                    lambda s, _d: services.suggest.possible_duplicates(s, staff, some_issue),
                    runs[:50],
                ),
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
