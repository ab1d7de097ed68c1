"""A soak: mixed browsing and writing for a long while; does the web process's memory level off?

    python -m bench soak --minutes 30
    python -m bench soak --minutes 30 --db postgresql

Seeds 10,000 demo issues and runs `tracker serve` as in production (its own process; on
PostgreSQL with Redis for events). Then, for `--minutes`:

- **browsing**: `--pages` simulated people, each opening a page the way a browser does
  (HTTP, then the live connection, acknowledging every 3 s): the issue list (60 %), an issue
  (30 %) or the dashboard (10 %); each stays 5-20 s, leaves and opens the next, so pages come
  and go all the time while about `--pages` are open;
- **writing**: one API client files issues, moves statuses and comments, `--writes` per
  second, which every open page showing them receives live.

Every `--sample` seconds it reads the server's resident memory. Prints the samples and the
slope of memory over the second half of the run (after the caches have filled: a process
that levels off has a slope near zero), and every answer with a status of 500 or more.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from .api_load import api_token
from .common import database, login_token, rss_kb, seed, server
from .ui_live import SimulatedBrowser

PAGES = [("/", 0.6), ("/issues/{id}", 0.3), ("/dashboard", 0.1)]


class Soak:
    def __init__(self, base: str, issues: int, token: str, api: str, seed_: int) -> None:
        self.base, self.issues, self.token = base, issues, token
        self.auth = {"Authorization": f"Bearer {api}"}
        self.rng = random.Random(seed_)
        self.statuses: Counter[int] = Counter()  # HTTP status -> answers
        self.errors: Counter[str] = Counter()  # failures without an answer, by kind
        self.failures: list[str] = []  # each 5xx: the request and the start of its answer
        self.open_pages = 0
        self.opened = 0
        self.writes = 0

    def _path(self) -> str:
        path = self.rng.choices([p for p, _ in PAGES], [w for _, w in PAGES])[0]
        return path.format(id=self.rng.randint(1, self.issues))

    async def browse(self, until: float, http: httpx.AsyncClient) -> None:
        while time.monotonic() < until:
            path = self._path()
            browser = SimulatedBrowser(self.base, self.token, path=path)
            try:
                await browser.open(http)
            except Exception as e:  # a refused page or socket: counted, then the next one
                if browser.status:
                    self.statuses[browser.status] += 1
                if browser.status >= 500:
                    self.failures.append(f"page {path}: {browser.status} ({e})"[:300])
                if browser.status < 500:  # no page, or a page without its live connection
                    self.errors[type(e).__name__] += 1
                await asyncio.sleep(1)
                continue
            self.statuses[browser.status] += 1
            if browser.status >= 500:  # an error page, with a live connection of its own
                self.failures.append(f"page {path}: {browser.status}")
            self.opened += 1
            self.open_pages += 1
            try:
                stay = time.monotonic() + self.rng.uniform(5, 20)
                while time.monotonic() < min(stay, until):
                    await asyncio.sleep(3)
                    await browser.ack()
            finally:
                self.open_pages -= 1
                await browser.close()

    async def write(self, until: float, per_second: float, http: httpx.AsyncClient) -> None:
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                await self._one_write(http)
            except httpx.HTTPError as e:
                self.errors[type(e).__name__] += 1
            await asyncio.sleep(max(0.0, 1 / per_second - (time.monotonic() - started)))

    async def _one_write(self, http: httpx.AsyncClient) -> None:
        api = f"{self.base}/api/v1/issues"
        kind = self.rng.random()
        if kind < 0.3:
            body = {"title": f"Soak {self.writes}", "description": "Filed by the *soak*."}
            answer = await http.post(api, json=body, headers=self.auth)
        else:
            issue = self.rng.randint(1, self.issues)
            current = await http.get(f"{api}/{issue}", headers=self.auth)
            self._answered(current)
            if current.status_code != 200:
                return
            if kind < 0.7:
                nxt = {"OPEN": "TRIAGED", "TRIAGED": "IN_PROGRESS", "IN_PROGRESS": "DONE"}
                target = nxt.get(current.json()["status"], "OPEN")
                body = {"status": target, "version": current.json()["version"]}
                answer = await http.post(f"{api}/{issue}/status", json=body, headers=self.auth)
            else:
                body = {"body": f"Still seen ({self.writes})."}
                answer = await http.post(f"{api}/{issue}/comments", json=body, headers=self.auth)
        self._answered(answer)
        self.writes += 1

    def _answered(self, answer: httpx.Response) -> None:
        self.statuses[answer.status_code] += 1
        if answer.status_code >= 500:
            request = answer.request
            self.failures.append(
                f"{request.method} {request.url.path}: {answer.status_code} {answer.text}"[:300]
            )


def slope_kb_per_minute(samples: list[tuple[float, int]]) -> float:
    """Least-squares slope of (minutes, KB) samples."""
    if len(samples) < 2:
        return 0.0
    n = len(samples)
    mx = sum(t for t, _ in samples) / n
    my = sum(kb for _, kb in samples) / n
    var = sum((t - mx) ** 2 for t, _ in samples)
    return sum((t - mx) * (kb - my) for t, kb in samples) / var if var else 0.0


async def run(soak: Soak, pid: int, args: argparse.Namespace) -> list[tuple[float, int, int]]:
    start = time.monotonic()
    until = start + args.minutes * 60
    limits = httpx.Limits(max_connections=args.pages + 10)
    samples: list[tuple[float, int, int]] = []
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        tasks = [asyncio.create_task(soak.write(until, args.writes, http))]
        for _ in range(args.pages):
            tasks.append(asyncio.create_task(soak.browse(until, http)))
            await asyncio.sleep(10 / args.pages)  # ramp up over ten seconds
        while time.monotonic() < until:
            minutes = (time.monotonic() - start) / 60
            samples.append((minutes, rss_kb(pid), soak.open_pages))
            print(
                f"| {minutes:.1f} | {samples[-1][1] / 1024:.0f} | {soak.open_pages} "
                f"| {soak.opened} | {soak.writes} |",
                flush=True,
            )
            await asyncio.sleep(min(args.sample, max(0.0, until - time.monotonic())))
        await asyncio.gather(*tasks)
    samples.append(((time.monotonic() - start) / 60, rss_kb(pid), soak.open_pages))
    return samples


def _logged_errors(log: Path, most: int = 40) -> list[str]:
    """The server log's error records and tracebacks, for telling what a 5xx was."""
    if not log.exists():
        return []
    lines = log.read_text(errors="replace").splitlines()
    marks = ('"level": "error"', '"level": "critical"', '"status": 5')  # one record a line
    return [line for line in lines if any(m in line.lower() for m in marks)][:most]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=60, help="pages open at a time")
    parser.add_argument("--writes", type=float, default=5, help="API writes per second")
    parser.add_argument("--sample", type=float, default=30, help="seconds between samples")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    redis_url = args.redis_url if args.db == "postgresql" else None
    with tempfile.TemporaryDirectory() as tmp, database(args.db, args.pg_url, Path(tmp)) as url:
        seed(url, Path(tmp), args.issues, redis_url)
        # JSON logs: each request's record holds its path and status, so a 5xx can be found.
        with server(url, Path(tmp), redis_url, TRACKER_LOG_FORMAT="json") as (base, pid):
            soak = Soak(base, args.issues, login_token(), api_token(base), args.seed)
            print(
                f"\n### Soak: {args.minutes:g} min, {args.db}, ~{args.pages} pages open, "
                f"{args.writes:g} writes/s\n"
            )
            print("| minute | RSS MB | pages open | pages opened | writes |\n|---|---|---|---|---|")
            samples = asyncio.run(run(soak, pid, args))
        errors = _logged_errors(Path(tmp) / "server.log")
    half = [(t, kb) for t, kb, _ in samples if t >= args.minutes / 2]
    whole = [(t, kb) for t, kb, _ in samples]
    served = sum(soak.statuses.values())
    failed = sum(n for status, n in soak.statuses.items() if status >= 500)
    print(
        f"\nRSS {samples[0][1] / 1024:.0f} -> {samples[-1][1] / 1024:.0f} MB; slope over the "
        f"second half {slope_kb_per_minute(half):+.0f} KB/min (whole run "
        f"{slope_kb_per_minute(whole):+.0f} KB/min). Pages opened {soak.opened:,}, API writes "
        f"{soak.writes:,}; answers {served:,}, of them 5xx: {failed}; by status "
        f"{dict(sorted(soak.statuses.items()))}; failures without an answer: "
        f"{dict(soak.errors) or 'none'}."
    )
    if soak.failures:
        print("\nThe 5xx answers:\n")
        print("\n".join(f"    {line}" for line in soak.failures[:20]))
    if errors:
        print("\nThe server logged these errors (first lines of each):\n")
        print("\n".join(f"    {line}" for line in errors))


if __name__ == "__main__":
    main()
