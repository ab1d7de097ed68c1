"""Us against Roundup 2.6, the classic Python tracker, on the same machine in the same run.

    python -m bench peer --issues 10000
    python -m bench peer --issues 10000 --concurrency 1,8 --seconds 10
    python -m bench peer --issues 10000 --concurrency 8,32 --shape single,production

Sets up both from nothing: Roundup 2.6.0 from PyPI in a virtualenv of its own (kept in
`--peer-venv` for the next run), a classic tracker on its sqlite backend served by
`roundup-server` (its own server, forking per request). Ours, in each `--shape`:

- `single`: one `tracker serve` on SQLite, driven directly;
- `production`: nginx running deploy/nginx-local.conf in front of `tracker serve --workers
  N` (one per core by default) on PostgreSQL, with Redis for the events: what the README
  describes for one machine. wrk stands in for a load balancer in front of nginx carrying
  many browsers: each request says which client it is in X-Forwarded-For (a new address
  per request) and nginx takes the client's address from it (real_ip), so `ip_hash`
  spreads the pages as it would spread many browsers; the API is spread by the site itself.

Both hold the same N issues (ours are seeded, then copied into Roundup with their
descriptions as first messages). Then wrk drives the same operations on each, signed in as
an administrator with a session cookie (ours: a bearer token for the API): the REST list of
50 (Roundup asked for the same columns ours returns, then as it answers by default), the
HTML list of 50 (Roundup's index page), the issue page (HTML), and a create over REST.
Prints a markdown table with requests/s, p95 and our/their ratio per shape.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import redis
from sqlalchemy import text

import services
from pages.cookies import SESSION as COOKIE
from tests.serverproc import running_server
from tracker_app.serve_many import cores

from . import loadgen
from .api_load import api_token
from .common import NO_WRITE_LIMITS, database, login_token, seed, server
from .proxy import LOCAL_SITE, nginx

ROUNDUP = "roundup==2.6.0"
ADMIN_PASSWORD = "roundup bench admin 42"
SEED_SCRIPT = Path(__file__).with_name("roundup_seed.py")
COLUMNS = "title,status,priority,keyword,creator,assignedto,creation,activity"
INDEX_COLUMNS = "id,activity,title,creator,assignedto,status,priority,keyword"
SHAPES = {
    "single": "one process, SQLite",
    "production": "nginx + {workers} processes, PostgreSQL + Redis",
}
# nginx believes the client address wrk puts in X-Forwarded-For (production shape only).
REAL_IP = " set_real_ip_from 127.0.0.1;\n real_ip_header X-Forwarded-For;"
SPREAD = """
local clients = 0
function setup(thread)
  clients = clients + 1
  thread:set("client", clients)
end
local sent = 0
local fixed = request
request = function()
  sent = sent + 1
  wrk.headers["X-Forwarded-For"] = "10." .. client % 256 .. "." .. sent % 256 .. ".1"
  if fixed then return fixed() end
  return wrk.format()
end
"""


def roundup_venv(where: Path) -> Path:
    """Roundup's virtualenv (made once); returns its bin directory."""
    bin_dir = where / "bin"
    if not (bin_dir / "roundup-server").exists():
        subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", ROUNDUP], check=True)
    return bin_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def export_issues(path: Path) -> int:
    """Our issues as JSON lines, oldest first, for Roundup to hold the same ones."""
    query = text("SELECT title, description, severity, status FROM issues ORDER BY id")
    with services.session() as s, path.open("w", encoding="utf-8") as out:
        rows = s.execute(query).mappings().all()
        for row in rows:
            out.write(json.dumps(dict(row)) + "\n")
    return len(rows)


def roundup_tracker(bin_dir: Path, home: Path, port: int, issues: Path) -> None:
    settings = ",".join(
        [
            f"tracker_web=http://127.0.0.1:{port}/bench/",
            "tracker_name=Bench",
            "mail_domain=example.com",
            f"mail_debug={home / 'mail.log'}",
        ]
    )
    admin = str(bin_dir / "roundup-admin")
    quiet = {"check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([admin, "-i", str(home), "install", "classic", "sqlite", settings], **quiet)
    subprocess.run([admin, "-i", str(home), "initialise", ADMIN_PASSWORD], **quiet)
    subprocess.run([str(bin_dir / "python"), str(SEED_SCRIPT), str(home), str(issues)], **quiet)


@contextmanager
def roundup_server(bin_dir: Path, home: Path, port: int) -> Iterator[str]:
    command = [str(bin_dir / "roundup-server"), "-n", "127.0.0.1", "-p", str(port)]
    if os.geteuid() == 0:  # roundup-server refuses to run as root
        subprocess.run(["chown", "-R", "nobody", str(home)], check=True)
        command += ["-u", "nobody"]
    base = f"http://127.0.0.1:{port}/bench/"
    with loadgen.serving([*command, f"bench={home}"], base):
        yield base


def roundup_cookie(base: str) -> str:
    answer = httpx.post(
        base,
        data={"__login_name": "admin", "__login_password": ADMIN_PASSWORD, "@action": "login"},
        headers={"Origin": base.split("/bench")[0], "Referer": base},
    )
    cookie = next((v for k, v in answer.cookies.items() if k.startswith("roundup_session")), "")
    if not cookie:
        raise SystemExit("could not sign in to Roundup")
    return f"roundup_session_Bench={cookie}"


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    url: str
    headers: dict[str, str]
    body: str | None = None
    cycle: str = ""  # a path prefix: request prefix + id, cycling over every issue
    spread: bool = False  # each request from another client address (X-Forwarded-For)

    def script(self, issues: int) -> str:
        script = loadgen.lua_request(self.method, self.headers, self.body)
        script += loadgen.lua_cycle(issues, self.cycle) if self.cycle else ""
        return script + (SPREAD if self.spread else "")

    def check(self) -> None:
        """One request first: a redirect to a sign-in page must not pass for a result."""
        url = self.url + self.cycle + "1" if self.cycle else self.url
        answer = httpx.request(
            self.method, url, headers=self.headers, content=self.body, timeout=60
        )  # Roundup's REST list with columns takes seconds (it reads every issue)
        if not answer.is_success:
            raise SystemExit(f"{self.name}: {url} answered {answer.status_code}")


def ours(base: str, *, spread: bool = False) -> list[Operation]:
    bearer = {"Authorization": f"Bearer {api_token(base)}", "Content-Type": "application/json"}
    cookie = {"Cookie": f"{COOKIE}={login_token()}"}
    body = json.dumps({"title": "Load test issue", "description": "Made by *wrk*."})
    listing = f"{base}/api/v1/issues?page_size=50"
    return [
        Operation("REST list of 50", "GET", listing, bearer, spread=spread),
        Operation("REST list of 50, Roundup: ids only", "GET", listing, bearer, spread=spread),
        Operation("HTML list of 50", "GET", f"{base}/?per=50", cookie, spread=spread),
        Operation("issue page", "GET", base, cookie, cycle="/issues/", spread=spread),
        Operation("create (REST)", "POST", f"{base}/api/v1/issues", bearer, body, spread=spread),
    ]


def theirs(base: str) -> list[Operation]:
    cookie = {"Cookie": roundup_cookie(base)}
    origin = base.split("/bench")[0]
    rest = {**cookie, "X-Requested-With": "rest", "Origin": origin, "Referer": base}
    rest["Content-Type"] = "application/json"
    body = json.dumps({"title": "Load test issue", "priority": "bug"})
    listing = f"{base}rest/data/issue?@page_size=50&@page_index=1&@sort=-activity"
    index = f"{base}issue?@columns={INDEX_COLUMNS}&@sort=-activity&@pagesize=50&@startwith=0"
    return [
        Operation("REST list of 50", "GET", f"{listing}&@verbose=2&@fields={COLUMNS}", cookie),
        Operation("REST list of 50, Roundup: ids only", "GET", listing, cookie),
        Operation("HTML list of 50", "GET", index, cookie),
        Operation("issue page", "GET", origin, cookie, cycle="/bench/issue"),
        Operation("create (REST)", "POST", f"{base}rest/data/issue", rest, body),
    ]


Results = dict[tuple[str, int], loadgen.Result]
SETTLE_SECONDS = 300


def roundup_settled() -> None:
    """Wait until roundup-server has finished the requests wrk gave up on: it forks a
    process per request and each goes on alone (a list with columns runs for seconds), so
    the next row would otherwise share the cores with them."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        running = 0
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                running += b"roundup-server" in cmdline.read_bytes()
            except OSError:
                continue  # gone meanwhile
        if running <= 1:  # the server itself
            return
        time.sleep(0.5)


def measure(
    targets: dict[str, list[Operation]], issues: int, levels: list[int], seconds: int, work: Path
) -> tuple[dict[str, Results], dict[tuple[str, int], float]]:
    """Every target's operations, one operation and concurrency at a time for all targets in
    turn (a shared machine's load then weighs on each alike); also the load average (1 min)
    as each such row began."""
    results: dict[str, Results] = {name: {} for name in targets}
    load: dict[tuple[str, int], float] = {}
    for row in zip(*targets.values(), strict=True):
        for op in row:
            op.check()
        for connections in levels:
            load[row[0].name, connections] = os.getloadavg()[0]
            for name, op in zip(targets, row, strict=True):
                results[name][op.name, connections] = loadgen.run(
                    op.url, op.script(issues), connections=connections, seconds=seconds, work=work
                )
                if name == "Roundup":
                    roundup_settled()
    return results, load


@contextmanager
def our_tracker(shape: str, args: argparse.Namespace, work: Path) -> Iterator[str]:
    """Ours in `shape`, seeded with `args.issues` issues (services connected to its
    database); yields the URL wrk drives."""
    data = work / shape
    data.mkdir()
    if shape == "single":
        with database("sqlite", None, data) as url:
            seed(url, data, args.issues, None)
            with server(url, data, None) as (base, _pid):
                yield base
        return
    redis.Redis.from_url(args.redis_url).flushdb()  # the benchmark's own database
    with database("postgresql", args.pg_url, data) as url:
        seed(url, data, args.issues, args.redis_url)
        settings = {"TRACKER_DATABASE_URL": url, "TRACKER_REDIS_URL": args.redis_url}
        with running_server(data, workers=args.workers, **settings, **NO_WRITE_LIMITS) as web:
            upstreams = [urlsplit(u).netloc for u in web.urls]
            with nginx(data, free_port(), upstreams, source=LOCAL_SITE, http_extra=REAL_IP) as base:
                yield base


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=10000)
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--shape", default="single", help="single, production or both (a,b)")
    parser.add_argument("--workers", type=int, default=cores(), help="production: processes")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--peer-venv", type=Path, default=Path(tempfile.gettempdir()) / "tracker-bench-roundup"
    )
    args = parser.parse_args(argv)
    shapes = args.shape.split(",")
    if set(shapes) - set(SHAPES):
        raise SystemExit(f"--shape: one or more of {', '.join(SHAPES)}")
    loadgen.require_wrk()
    levels = [int(c) for c in args.concurrency.split(",")]
    bin_dir = roundup_venv(args.peer_venv)
    port = free_port()
    targets: dict[str, list[Operation]] = {}
    exported = 0
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as running:
        work = Path(tmp)
        work.chmod(0o755)
        for shape in shapes:
            base = running.enter_context(our_tracker(shape, args, work))
            if not exported:  # Roundup gets the same issues
                exported = export_issues(work / "issues.jsonl")
                started = time.perf_counter()
                roundup_tracker(bin_dir, work / "roundup", port, work / "issues.jsonl")
                took = time.perf_counter() - started
                print(f"<!-- Roundup filled with {exported:,} issues in {took:.0f} s -->")
            targets[shape] = ours(base, spread=shape == "production")  # while connected to it
        targets["Roundup"] = theirs(
            running.enter_context(roundup_server(bin_dir, work / "roundup", port))
        )
        results, load = measure(targets, exported, levels, args.seconds, work)
    their = results.pop("Roundup")
    print_table(results, their, load, args)


def print_table(
    our: dict[str, Results],
    their: Results,
    load: dict[tuple[str, int], float],
    args: argparse.Namespace,
) -> None:
    names = {shape: SHAPES[shape].format(workers=args.workers) for shape in our}
    head = "| operation | concurrency | load | Roundup req/s | Roundup p95 ms |"
    head += "".join(f" ours, {names[s]}: req/s | x Roundup | p95 ms |" for s in our)
    print(
        f"\n{args.issues:,} issues; Roundup on its sqlite backend, forking per request; load: "
        f"the machine's load average (1 min) as the row began, on {os.cpu_count()} cores.\n\n"
        f"{head} errors ({', '.join([*our, 'Roundup'])}) |\n" + "|---" * (6 + 3 * len(our)) + "|"
    )
    for name, connections in their:
        peer = their[name, connections]
        row = f"| {name} | {connections} | {load[name, connections]:.1f} | {peer.rps:.1f} | "
        row += f"{peer.p95:.0f} |" if peer.requests else "none finished |"
        errors = []
        for results in our.values():
            mine = results[name, connections]
            ratio = f"{mine.rps / peer.rps:.2f}" if peer.requests else "—"
            row += f" {mine.rps:.0f} | {ratio} | {mine.p95:.0f} |"
            errors.append(str(mine.errors))
        print(f"{row} {'/'.join([*errors, str(peer.errors)])} |")


if __name__ == "__main__":
    main()
