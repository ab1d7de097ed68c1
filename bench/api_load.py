"""The HTTP API under load: list and create, measured with wrk against `tracker serve`.

    python -m bench.api_load --issues 10000,100000 --db sqlite
    python -m bench.api_load --issues 10000 --db postgresql

Seeds the database, runs the server as in production (its own process), then drives
`GET /api/v1/issues?page_size=50` (the first page, as a maintainer) and `POST /api/v1/issues`
with wrk (Debian package `wrk`) at a fixed concurrency. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from .common import BENCH_PASSWORD, database, seed, server

LUA = """
wrk.method = "{method}"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
{body}
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %d %d\\n", summary.requests,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status, summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(
    url: str,
    token: str,
    *,
    method: str = "GET",
    body: str | None = None,
    connections: int,
    seconds: int,
    work: Path,
) -> dict[str, float]:
    script = work / f"{method.lower()}.lua"
    script.write_text(
        LUA.format(
            method=method, token=token, body=f"wrk.body = {json.dumps(body)}" if body else ""
        )
    )
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    n, duration_us, p50, p95, p99, bad_status, socket_errors = line.split()[1:]
    return {
        "rps": int(n) / (int(duration_us) / 1e6),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "requests": int(n),
        "errors": int(bad_status) + int(socket_errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", default="10000")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    print(
        "| db | issues | request | concurrency | requests/s | p50 ms | p95 ms | p99 ms "
        "| errors |\n|---|---|---|---|---|---|---|---|---|"
    )
    for count in [int(n) for n in args.issues.split(",")]:
        with tempfile.TemporaryDirectory() as tmp, database(args.db, args.pg_url, Path(tmp)) as url:
            work = Path(tmp)
            started = time.perf_counter()
            seed(url, work, count, None)
            seeded = time.perf_counter() - started
            with server(url, work, None) as (base, _pid):
                token = httpx.post(
                    f"{base}/api/v1/auth/token",
                    json={"email": "bench@example.com", "password": BENCH_PASSWORD},
                ).json()
                access = token["access_token"]
                httpx.get(
                    f"{base}/api/v1/issues?page_size=50",
                    headers={"Authorization": f"Bearer {access}"},
                )  # warm up
                runs = [
                    (
                        "GET first page of 50",
                        wrk(
                            f"{base}/api/v1/issues?page_size=50",
                            access,
                            connections=args.connections,
                            seconds=args.seconds,
                            work=work,
                        ),
                    ),
                    (
                        "POST an issue",
                        wrk(
                            f"{base}/api/v1/issues",
                            access,
                            method="POST",
                            body=json.dumps(
                                {"title": "Load test issue", "description": "Made by *wrk*."}
                            ),
                            connections=args.connections,
                            seconds=args.seconds,
                            work=work,
                        ),
                    ),
                ]
                for name, r in runs:
                    print(
                        f"| {args.db} | {count:,} | {name} | {args.connections} | "
                        f"{r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
                        f"{r['errors']} |",
                        flush=True,
                    )
            print(f"<!-- seeded {count} issues in {seeded:.0f} s -->")


if __name__ == "__main__":
    main()
