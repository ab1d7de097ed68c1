"""The HTTP API under load, measured with wrk against `tracker serve`.

    python -m bench api --issues 10000,100000 --db sqlite
    python -m bench api --issues 10000 --db postgresql --concurrency 1,8,32

Seeds the database, runs the server as in production (its own process), then drives six
requests as a maintainer with a bearer token: the first page of 50, a filtered list, a text
search, one issue by id (cycling over all of them), a create, and a status change (each
connection moves its own issue back and forth, sending the version it last read). Prints a
markdown table per request and concurrency: requests/s, p50/p95/p99, and the server's CPU
time per request (user + system, every thread; steadier than the rate on a machine with
noisy neighbours).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import httpx

from . import loadgen
from .common import BENCH_PASSWORD, cpu_seconds, database, seed, server

LIST = "/api/v1/issues?page_size=50"
FILTERED = "/api/v1/issues?status=OPEN,TRIAGED&severity=HIGH,CRITICAL&page_size=50"
SEARCH = "/api/v1/issues?q=crashes&page_size=50"

# Each wrk thread has one connection and its own issue (thread number = issue id).
STATUS = """
local count = 0
setup = function(thread)
  count = count + 1
  thread:set("issue", count)
end
local version = nil
local target = nil
local next_status = {OPEN = "TRIAGED", TRIAGED = "OPEN", IN_PROGRESS = "TRIAGED",
                     DONE = "OPEN"}
request = function()
  local path = "/api/v1/issues/" .. issue
  if version == nil then return wrk.format("GET", path) end
  local body = string.format('{"status": "%s", "version": %d}', target, version)
  return wrk.format("POST", path .. "/status", nil, body)
end
response = function(status, headers, body)
  if status == 200 then
    version = tonumber(string.match(body, '"version"%s*:%s*(%d+)'))
    target = next_status[string.match(body, '"status"%s*:%s*"([A-Z_]+)"')]
  end
end
"""


def operations(token: str, issues: int) -> list[tuple[str, str, str]]:
    """(name, path, wrk script) for each measured request."""
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    get = loadgen.lua_request("GET", auth)
    body = json.dumps({"title": "Load test issue", "description": "Made by *wrk*."})
    return [
        ("list, first 50", LIST, get),
        ("list, filtered", FILTERED, get),
        ("text search", SEARCH, get),
        ("get one", "/", get + loadgen.lua_cycle(issues, "/api/v1/issues/")),
        ("create", "/api/v1/issues", loadgen.lua_request("POST", auth, body)),
        ("status change", "/", get + STATUS),
    ]


def api_token(base: str) -> str:
    answer = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"email": "bench@example.com", "password": BENCH_PASSWORD},
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", default="10000")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args(argv)
    loadgen.require_wrk()
    print(
        "| db | issues | request | concurrency | requests/s | p50 ms | p95 ms | p99 ms "
        "| errors | server CPU ms/request |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for count in [int(n) for n in args.issues.split(",")]:
        with tempfile.TemporaryDirectory() as tmp, database(args.db, args.pg_url, Path(tmp)) as url:
            work = Path(tmp)
            started = time.perf_counter()
            seed(url, work, count, None)
            seeded = time.perf_counter() - started
            with server(url, work, None) as (base, pid):
                token = api_token(base)
                httpx.get(f"{base}{LIST}", headers={"Authorization": f"Bearer {token}"})
                for name, path, script in operations(token, count):
                    for connections in [int(c) for c in args.concurrency.split(",")]:
                        cpu = cpu_seconds(pid)
                        result = loadgen.run(
                            base + path,
                            script,
                            connections=connections,
                            seconds=args.seconds,
                            work=work,
                        )
                        cpu = (cpu_seconds(pid) - cpu) * 1000 / max(1, result.requests)
                        print(
                            f"| {args.db} | {count:,} | {name} | {connections} | "
                            f"{result.cells()} | {cpu:.2f} |",
                            flush=True,
                        )
            print(f"<!-- seeded {count} issues in {seeded:.0f} s -->")


if __name__ == "__main__":
    main()
