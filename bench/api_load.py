"""The HTTP API under load, measured with wrk against `tracker serve`.

    python -m bench api --issues 10000,100000 --db sqlite
    python -m bench api --issues 10000 --db postgresql --concurrency 1,8,32

Seeds the database, runs the server as in production (its own process), then drives six
requests as a maintainer with a bearer token: the first page of 50, a filtered list, a text
search, one issue by id (cycling over all of them), a create, and a status change (each
connection moves its own issue back and forth, sending the version it last read). The creates
come from 1,000 reporters in turn, each with a token of their own and held to the default
limit of issues per hour, as on a real tracker: one user filing thousands of issues an hour
would only measure the write limit's count of them, which a real user never reaches. Prints a
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

import services
from services.quotas import WriteLimits

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


# Each wrk thread sends the creates of the filers in turn, from a place of its own.
CREATE = """
local count = 0
setup = function(thread)
  count = count + 1
  thread:set("offset", count * 7919)
end
local turn = nil
request = function()
  turn = ((turn or offset) % #tokens) + 1
  return wrk.format("POST", nil, {["Authorization"] = "Bearer " .. tokens[turn],
                                  ["Content-Type"] = "application/json"}, body)
end
"""
FILERS = 1000


def operations(token: str, filers: list[str], issues: int) -> list[tuple[str, str, str]]:
    """(name, path, wrk script) for each measured request."""
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    get = loadgen.lua_request("GET", auth)
    body = json.dumps({"title": "Load test issue", "description": "Made by *wrk*."})
    create = f"tokens = {{{', '.join(json.dumps(t) for t in filers)}}}\nbody = {json.dumps(body)}"
    return [
        ("list, first 50", LIST, get),
        ("list, filtered", FILTERED, get),
        ("text search", SEARCH, get),
        ("get one", "/", get + loadgen.lua_cycle(issues, "/api/v1/issues/")),
        ("create", "/api/v1/issues", create + CREATE),
        ("status change", "/", get + STATUS),
    ]


def filer_tokens(count: int) -> list[str]:
    """Reporters who file the measured creates, a bearer token each (signed with the
    server's secret, which the benchmark gives it)."""
    tokens = []
    with services.session() as s:
        for n in range(count):
            view = services.users.provision(
                s,
                {"email": f"filer{n}@example.com", "role": "REPORTER", "password": BENCH_PASSWORD},
            )
            actor = services.Actor(**view.model_dump(include={"id", "email", "full_name", "role"}))
            tokens.append(services.auth.issue_api_token(s, actor, ttl_seconds=24 * 3600))
    return tokens


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
            filers = filer_tokens(FILERS)
            seeded = time.perf_counter() - started
            limits = {
                "TRACKER_SECRET_KEY": services.runtime().secret_key,
                "TRACKER_MAX_ISSUES_PER_HOUR": str(WriteLimits.issues_per_hour),
            }
            with server(url, work, None, **limits) as (base, pid):
                token = api_token(base)
                httpx.get(f"{base}{LIST}", headers={"Authorization": f"Bearer {token}"})
                for name, path, script in operations(token, filers, count):
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
