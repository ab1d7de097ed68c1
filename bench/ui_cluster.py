"""Live updates with many open pages over several web processes behind nginx.

    python -m bench cluster --clients 1000 --processes 4
    python -m bench cluster --clients 300,1000 --processes 1,4 --db postgresql

The deployment of docker-compose.yml without Docker: `--processes` copies of `tracker serve` on one
PostgreSQL and one Redis (events cross processes through it), behind nginx running
deploy/nginx.conf (its upstreams pointed at those processes, bench/proxy.py). nginx keeps a
page's websocket on the process that rendered it by client address (`ip_hash`, first three
octets), so each simulated browser uses a loopback address of its own (127.0.x.1), as
browsers on different hosts would. The browsers are spread over `--client-procs`
processes of this benchmark so the load generator is not one event loop. Then, 10 times,
an issue's status is changed and each page times the change until it has received the row.
Needs nginx (Debian package `nginx`).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack
from multiprocessing.connection import Connection
from pathlib import Path

import httpx

from tests.serverproc import running_server

from .common import database, login_token, percentile, rss_kb, seed
from .peer import free_port
from .proxy import nginx
from .ui_live import SimulatedBrowser, _ack_forever, _move_one

DEADLINE = 5.0  # a push not received within this many seconds counts as missed


def browsers_process(base: str, token: str, first: int, count: int, pipe: Connection) -> None:
    """One load-generator process: `count` pages, each from its own loopback address."""

    async def run() -> None:
        browsers = [
            SimulatedBrowser(base, token, f"127.0.{1 + (first + n) % 250}.1") for n in range(count)
        ]
        failed = 0
        async with httpx.AsyncClient(timeout=60) as http:
            for chunk in range(0, count, 10):
                opened = await asyncio.gather(
                    *(b.open(http) for b in browsers[chunk : chunk + 10]), return_exceptions=True
                )
                failed += sum(isinstance(o, BaseException) for o in opened)
        pipe.send(("ready", count - failed))
        acks = asyncio.create_task(_ack_forever(browsers))
        changes = await asyncio.to_thread(pipe.recv)
        acks.cancel()
        latencies, missed = [], 0
        for issue_id, status, start in changes:
            for b in browsers:
                seen = b.seen.get((issue_id, status))
                if seen is not None and seen - start <= DEADLINE:
                    latencies.append(seen - start)
                else:
                    missed += 1
        pipe.send((latencies, missed))
        await asyncio.gather(*(b.close() for b in browsers), return_exceptions=True)

    asyncio.run(run())


def established(port: int) -> int:
    out = subprocess.run(
        ["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
    ).stdout
    return len(out.splitlines())


def live_round(base, token, actor, servers, clients, client_procs, changes) -> dict:  # type: ignore[no-untyped-def]
    before = sum(rss_kb(s.pid) for s in servers)
    ctx = multiprocessing.get_context("spawn")
    share = [clients // client_procs + (i < clients % client_procs) for i in range(client_procs)]
    pipes, procs, first = [], [], 0
    for count in share:
        ours, theirs = ctx.Pipe()
        proc = ctx.Process(target=browsers_process, args=(base, token, first, count, theirs))
        proc.start()
        pipes.append(ours)
        procs.append(proc)
        first += count
    connected = sum(p.recv()[1] for p in pipes)
    time.sleep(2)
    per_process = [established(int(s.url.rsplit(":", 1)[1])) for s in servers]
    after = sum(rss_kb(s.pid) for s in servers)
    moves = []
    for n in range(changes):
        moves.append(_move_one(actor, 1 + n * 7))
        time.sleep(DEADLINE / 2)
    time.sleep(DEADLINE / 2)
    latencies, missed = [], 0
    for pipe in pipes:
        pipe.send(moves)
        got, lost = pipe.recv()
        latencies += got
        missed += lost
    for proc in procs:
        proc.join(30)
    time.sleep(11)  # the servers forget disconnected pages after their reconnect timeout
    return {
        "connected": connected,
        "per_process": per_process,
        "latencies": latencies,
        "missed": missed,
        "kb_per_client": (after - before) / max(connected, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--processes", default="4")
    parser.add_argument("--clients", default="1000")
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument("--changes", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("nginx"):
        raise SystemExit("nginx is needed: apt-get install nginx")
    print(
        "| web processes | pages | connected | pages per process | samples | missed "
        "| p50 ms | p95 ms | max ms | KB per page |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    with tempfile.TemporaryDirectory() as tmp, database(args.db, args.pg_url, Path(tmp)) as url:
        work = Path(tmp)
        actor = seed(url, work, args.issues, args.redis_url)
        token = login_token()
        settings = {"TRACKER_DATABASE_URL": url, "TRACKER_REDIS_URL": args.redis_url}
        settings["TRACKER_SECRET_KEY"] = "cluster-benchmark-" + "k" * 32
        for processes in [int(p) for p in args.processes.split(",")]:
            with ExitStack() as stack:
                servers = []
                for n in range(processes):
                    (work / f"web{n}").mkdir(exist_ok=True)
                    servers.append(
                        stack.enter_context(running_server(work / f"web{n}", **settings))
                    )
                upstreams = [s.url.split("//")[1] for s in servers]
                base = stack.enter_context(nginx(work, free_port(), upstreams))
                for clients in [int(c) for c in args.clients.split(",")]:
                    r = live_round(
                        base, token, actor, servers, clients, args.client_procs, args.changes
                    )
                    ms = [x * 1000 for x in r["latencies"]]
                    print(
                        f"| {processes} | {clients} | {r['connected']} | "
                        f"{'/'.join(map(str, r['per_process']))} | {len(ms)} | {r['missed']} | "
                        f"{percentile(ms, 50):.0f} | {percentile(ms, 95):.0f} | "
                        f"{max(ms, default=float('nan')):.0f} | {r['kb_per_client']:.0f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
