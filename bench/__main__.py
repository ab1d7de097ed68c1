"""`python -m bench NAME [options]`: run one benchmark; each prints markdown tables.

    python -m bench peer --issues 10000       us against Roundup 2.6 on this machine
    python -m bench api --issues 10000,100000 the HTTP API under wrk, concurrency 1/8/32
    python -m bench ui --issues 10000         page build, live updates, memory per page
    python -m bench issue-page                the issue page: CPU per view, memory per open page
    python -m bench cluster --clients 1000    1,000 pages over four processes behind nginx
    python -m bench soak --minutes 30         mixed browsing and writing: memory over time
    python -m bench queries --issues 100000   dashboard, insights and list queries
    python -m bench search --issues 1000000   text search and the list's counts at scale
    python -m bench daily --issues 1000000    the daily_stats job (PostgreSQL)
    python -m bench uploads                   1 MB and 100 MB uploads: MB/s, peak memory
    python -m bench generate --issues 100000  only generate data (COPY on PostgreSQL)
    python -m bench markdown                  Markdown that takes long to render
    python -m bench signins                   issue creation while others sign in
    python -m bench intake                    files read per second, the page while they are read
    python -m bench quality-traces            stack traces found in text, on their corpus
    python -m bench quality-invoices          invoice fields on their corpus: match rates
    python -m bench similar                   duplicate detection: quality, speed, memory
    python -m bench similar-cv                its re-rankers cross-validated within train
    python -m bench suggest --issues 100000   similar issues as served: index, model, database
    python -m bench quality-images            OCR, photos, ZIPs and secrets on their corpora
    python -m bench bulk --sizes 50,500,1000  bulk edit: one action on many issues
    python -m bench first-visit               what a new browser costs the server

`python -m bench NAME --help` lists a benchmark's options (`--db postgresql`, `--pg-url`).
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "peer": "peer",
    "bulk": "bulk",
    "api": "api_load",
    "ui": "ui_live",
    "issue-page": "issue_page",
    "cluster": "ui_cluster",
    "soak": "soak",
    "queries": "queries",
    "search": "search",
    "daily": "daily_job",
    "uploads": "uploads",
    "generate": "generate",
    "markdown": "markdown_render",
    "signins": "signins",
    "intake": "intake",
    "quality-traces": "quality_traces",
    "quality-invoices": "quality_invoices",
    "similar": "similar",
    "similar-cv": "similar_cv",
    "suggest": "suggest",
    "quality-images": "quality_images",
    "first-visit": "first_visit",
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in BENCHMARKS:
        print(__doc__)
        raise SystemExit(0 if len(sys.argv) < 2 else f"unknown benchmark: {sys.argv[1]}")
    name = sys.argv[1]
    sys.argv = [f"python -m bench {name}", *sys.argv[2:]]
    importlib.import_module(f"bench.{BENCHMARKS[name]}").main()


main()
