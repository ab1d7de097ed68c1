"""The issue page as staff see it: server CPU per view and memory per open page.

    python -m bench issue-page --issues 10000 --pages 100

`tracker serve` runs as in production (its own process, SQLite, no Redis). A maintainer
opens `--pages` different issues (`/issues/{id}`, their possible duplicates searched by the
fallback without a model), one after another, `--rounds` times over: the first round views
each issue for the first time, later rounds find the possible duplicates kept. Before that, on
the fresh server, as many simulated browsers (bench/ui_live.py) open as many other issues and
connect their sockets, twice:
the growth of the server's resident memory the second time, divided by the pages, is what one
open issue page costs (the first time also fills what the process keeps for any page and the
similarity fallback's bounded caches). With `--sustain SECONDS`, the maintainer then views
the same issues one after another for that long, as a crawler or wrk would (no page is ever
connected): views a second, server CPU per view, the slowest views (a full garbage collection
stops the whole process) and the server's resident memory at the end. Prints a markdown
table.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from pathlib import Path

import httpx

from pages.cookies import SESSION as COOKIE

from .common import cpu_seconds, database, login_token, percentile, rss_kb, seed, server
from .ui_live import SimulatedBrowser


def _paths(issues: int, pages: int, start: int = 0) -> list[str]:
    return [f"/issues/{1 + (start + n * 37) % issues}" for n in range(pages)]


def _cpu_per_view(base: str, token: str, paths: list[str], rounds: int, pid: int) -> list[float]:
    """Server CPU ms per view, one figure per round over `paths`."""
    per_round = []
    with httpx.Client(base_url=base, cookies={COOKIE: token}, timeout=60) as http:
        for _ in range(rounds):
            before = cpu_seconds(pid)
            for path in paths:
                http.get(path).raise_for_status()
            per_round.append(1000 * (cpu_seconds(pid) - before) / len(paths))
    return per_round


def _sustained(base: str, token: str, paths: list[str], seconds: float, pid: int) -> dict:
    """Views one after another for `seconds`: their rate, CPU, slowest times, failures."""
    times: list[float] = []
    failed = 0
    with httpx.Client(base_url=base, cookies={COOKIE: token}, timeout=60) as http:
        before, start = cpu_seconds(pid), time.perf_counter()
        while time.perf_counter() - start < seconds:
            began = time.perf_counter()
            failed += http.get(paths[len(times) % len(paths)]).status_code != 200
            times.append(time.perf_counter() - began)
        elapsed = time.perf_counter() - start
    return {
        "rate": len(times) / elapsed,
        "cpu_ms": 1000 * (cpu_seconds(pid) - before) / len(times),
        "p99_ms": 1000 * percentile(times, 99),
        "max_ms": 1000 * max(times),
        "failed": failed,
        "rss_mb": rss_kb(pid) / 1024,
    }


async def _open(base: str, token: str, paths: list[str], http: httpx.AsyncClient) -> list:
    browsers = [SimulatedBrowser(base, token, path=path) for path in paths]
    for chunk in range(0, len(browsers), 20):
        await asyncio.gather(*(b.open(http) for b in browsers[chunk : chunk + 20]))
    await asyncio.sleep(2)
    return browsers


async def _kb_per_open_page(base: str, token: str, paths: list[str], pid: int) -> float:
    """Opened, closed and forgotten once first (a closed page is kept for its reconnect for
    10 s), so that what the process makes once for any connected page is not counted."""
    async with httpx.AsyncClient(timeout=60) as http:
        for browser in await _open(base, token, paths, http):
            await browser.close()
        await asyncio.sleep(15)
        gc.collect()
        before = rss_kb(pid)
        browsers = await _open(base, token, paths, http)
        grown = rss_kb(pid) - before
        for browser in browsers:
            await browser.close()
    return grown / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--sustain", type=float, default=0, help="seconds of views afterwards")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database("sqlite", None, Path(tmp)) as url:
        seed(url, Path(tmp), args.issues, None)
        token = login_token()
        paths = _paths(args.issues, args.pages)
        with server(url, Path(tmp), None) as (base, pid):
            # Memory first: later, the views' pages (never connected) are dropped while the
            # browsers open theirs, which would then reuse the memory they leave.
            others = _paths(args.issues, args.pages, start=args.issues // 2)  # not viewed yet
            kb = asyncio.run(_kb_per_open_page(base, token, others, pid))
            cpu = _cpu_per_view(base, token, paths, args.rounds, pid)
            run = _sustained(base, token, paths, args.sustain, pid) if args.sustain else None
    print(f"### The issue page, a maintainer, {args.issues:,} issues, SQLite\n")
    print("| measure | value |\n|---|---|")
    print(f"| server CPU per view, first views | {cpu[0]:.1f} ms |")
    later = ", ".join(f"{c:.1f}" for c in cpu[1:])
    print(f"| server CPU per view, later rounds | {later} ms |")
    print(f"| server memory per open page ({args.pages} pages) | {kb:.0f} KB |")
    if run:
        print(
            f"| {args.sustain:.0f} s of views, none connected | {run['rate']:.1f} views/s, "
            f"{run['cpu_ms']:.1f} ms of server CPU each, p99 {run['p99_ms']:.0f} ms, slowest "
            f"{run['max_ms']:.0f} ms, {run['failed']} not 200, server {run['rss_mb']:.0f} MB |"
        )
