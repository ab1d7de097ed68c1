"""The intake: files read per second per worker by kind, the reader's peak memory, and the
list page while 100 PDFs are being read.

    python -m bench intake [--files 10] [--pdfs 100]

Part 1 runs each reader in its sandboxed child process, one file after another (one worker),
on files of the labelled corpora (tests/intake/corpus) and a generated log. Part 2 starts
`tracker serve` (the embedded default: files are read by its own background thread), measures
the issue list page (GET /, page build) while idle, then attaches `--pdfs` invoice PDFs
through the API and measures the page again while they are read. Prints markdown tables;
never asserts on time.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from pathlib import Path

import httpx

import services
from services.intake import pipeline, sandbox
from services.intake.extract import Limits

from .common import BENCH_PASSWORD, database, login_token, percentile, seed, server

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "intake" / "corpus"


def samples(tmp: Path) -> dict[str, tuple[str, list[Path]]]:
    """Per kind: its content type and some files."""
    log = tmp / "app.log"
    log.write_text(
        "2026-12-04 10:00:01 ERROR worker-3 Traceback (most recent call last):\n"
        "  File \"/srv/app/jobs.py\", line 12, in run\n    sync()\nKeyError: 'id'\n" * 2000
    )
    invoices = sorted((CORPUS / "invoices" / "train").glob("inv-*.pdf"))
    scans = sorted((CORPUS / "invoices" / "train").glob("scan-*.pdf"))
    kinds = {
        "log (100 KB)": ("text/plain", [log]),
        "invoice PDF (text)": ("application/pdf", invoices),
        "invoice PDF (scan, OCR)": ("application/pdf", scans),
    }
    for name, pattern, kind in (
        ("screenshot (OCR)", "screenshots/train/*.png", "image/png"),
        ("photo (JPEG)", "photos/train/*.jpg", "image/jpeg"),
        ("ZIP", "zips/train/*.zip", "application/zip"),
    ):
        found = sorted(CORPUS.glob(pattern))
        if found:
            kinds[name] = (kind, found)
    return kinds


def per_kind(files_per_kind: int) -> None:
    print("| kind | files | files/s (one worker) | s per file p50 / max | child peak MB | failed |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (kind, files) in samples(Path(tmp)).items():
            module, function = pipeline.EXTRACTORS[kind]
            if not pipeline._version(module):
                print(f"| {name} | - | no reader installed | | | |")
                continue
            chosen = list(itertools.islice(itertools.cycle(files), files_per_kind))
            times, peaks, failed = [], [], 0
            for path in chosen:
                start = time.perf_counter()
                outcome = sandbox.run(module, function, path, limits=Limits(), caps=sandbox.Caps())
                times.append(time.perf_counter() - start)
                peaks.append(outcome.peak_kb)
                failed += not outcome.ok
            print(
                f"| {name} | {len(chosen)} | {len(chosen) / sum(times):.1f} | "
                f"{statistics.median(times):.2f} / {max(times):.2f} | {max(peaks) / 1024:.0f} | "
                f"{failed} |"
            )


def page_under_load(pdfs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, database("sqlite", None, Path(tmp)) as url:
        data = Path(tmp)
        seed(url, data, 1000, None)
        token = login_token()
        services.runtime().engine.dispose()
        with server(url, data, None) as (base, _pid), httpx.Client(base_url=base) as http:
            cookie = {"tracker_session": token}
            idle = _page_times(http, cookie, seconds=8)
            api = _api_token(http)
            files = sorted((CORPUS / "invoices" / "train").glob("inv-*.pdf"))
            for n in range(pdfs):
                if n % 10 == 0:
                    issue = http.post(
                        "/api/v1/issues", headers=api, json={"title": f"Invoices {n // 10}"}
                    ).json()["id"]
                path = files[n % len(files)]
                http.post(
                    f"/api/v1/issues/{issue}/attachments",
                    headers=api,
                    files={"file": (path.name, path.read_bytes(), "application/pdf")},
                ).raise_for_status()
            start = time.perf_counter()
            busy = _page_times(http, cookie, seconds=8)
            print(f"| idle | {len(idle)} | {_row(idle)} |")
            print(f"| while {pdfs} PDFs are read | {len(busy)} | {_row(busy)} |")
            print(f"\n(page samples taken over {time.perf_counter() - start:.0f} s of reading)")


def _page_times(http: httpx.Client, cookie: dict[str, str], *, seconds: float) -> list[float]:
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        http.get("/", cookies=cookie).raise_for_status()
        times.append(time.perf_counter() - start)
    return times


def _api_token(http: httpx.Client) -> dict[str, str]:
    answer = http.post(
        "/api/v1/auth/token", json={"email": "bench@example.com", "password": BENCH_PASSWORD}
    ).json()
    return {"Authorization": f"Bearer {answer['access_token']}"}


def _row(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"{percentile(ms, 50):.1f} | {percentile(ms, 95):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10, help="files per kind in part 1")
    parser.add_argument("--pdfs", type=int, default=100, help="PDFs attached in part 2")
    args = parser.parse_args()
    print("## Reading files, one worker\n")
    per_kind(args.files)
    print("\n## The issue list page (GET /) while files are read\n")
    print("| when | requests | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    page_under_load(args.pdfs)
