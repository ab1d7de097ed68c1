"""Us against Roundup 2.6, the classic Python tracker, on the same machine in the same run.

    python -m bench peer --issues 10000
    python -m bench peer --issues 10000 --concurrency 1,8 --seconds 10

Sets up both from nothing: Roundup 2.6.0 from PyPI in a virtualenv of its own (kept in
`--peer-venv` for the next run), a classic tracker on its sqlite backend served by
`roundup-server` (its own server, forking per request); ours is `tracker serve` on SQLite.
Both hold the same N issues (ours are seeded, then copied into Roundup with their
descriptions as first messages). Then wrk drives the same operations on each, signed in as
an administrator with a session cookie: the REST list of 50 (Roundup asked for the same
columns ours returns), the issue page (HTML), and a create over REST. Prints a markdown
table with requests/s, p95 and our/their ratio.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text

import services
from pages.cookies import SESSION as COOKIE

from . import loadgen
from .api_load import api_token
from .common import database, login_token, seed, server

ROUNDUP = "roundup==2.6.0"
ADMIN_PASSWORD = "roundup bench admin 42"
SEED_SCRIPT = Path(__file__).with_name("roundup_seed.py")
COLUMNS = "title,status,priority,keyword,creator,assignedto,creation,activity"


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

    def script(self, issues: int) -> str:
        script = loadgen.lua_request(self.method, self.headers, self.body)
        return script + (loadgen.lua_cycle(issues, self.cycle) if self.cycle else "")

    def check(self) -> None:
        """One request first: a redirect to a sign-in page must not pass for a result."""
        url = self.url + self.cycle + "1" if self.cycle else self.url
        answer = httpx.request(self.method, url, headers=self.headers, content=self.body)
        if not answer.is_success:
            raise SystemExit(f"{self.name}: {url} answered {answer.status_code}")


def ours(base: str) -> list[Operation]:
    bearer = {"Authorization": f"Bearer {api_token(base)}", "Content-Type": "application/json"}
    cookie = {"Cookie": f"{COOKIE}={login_token()}"}
    body = json.dumps({"title": "Load test issue", "description": "Made by *wrk*."})
    listing = f"{base}/api/v1/issues?page_size=50"
    return [
        Operation("REST list of 50", "GET", listing, bearer),
        Operation("REST list of 50, Roundup: ids only", "GET", listing, bearer),
        Operation("issue page", "GET", base, cookie, cycle="/issues/"),
        Operation("create (REST)", "POST", f"{base}/api/v1/issues", bearer, body),
    ]


def theirs(base: str) -> list[Operation]:
    cookie = {"Cookie": roundup_cookie(base)}
    origin = base.split("/bench")[0]
    rest = {**cookie, "X-Requested-With": "rest", "Origin": origin, "Referer": base}
    rest["Content-Type"] = "application/json"
    body = json.dumps({"title": "Load test issue", "priority": "bug"})
    listing = f"{base}rest/data/issue?@page_size=50&@page_index=1&@sort=-activity"
    return [
        Operation("REST list of 50", "GET", f"{listing}&@verbose=2&@fields={COLUMNS}", cookie),
        Operation("REST list of 50, Roundup: ids only", "GET", listing, cookie),
        Operation("issue page", "GET", origin, cookie, cycle="/bench/issue"),
        Operation("create (REST)", "POST", f"{base}rest/data/issue", rest, body),
    ]


def measure(
    operations: list[Operation], issues: int, levels: list[int], seconds: int, work: Path
) -> dict[tuple[str, int], loadgen.Result]:
    results = {}
    for op in operations:
        op.check()
        for connections in levels:
            results[op.name, connections] = loadgen.run(
                op.url, op.script(issues), connections=connections, seconds=seconds, work=work
            )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=10000)
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--peer-venv", type=Path, default=Path(tempfile.gettempdir()) / "tracker-bench-roundup"
    )
    args = parser.parse_args(argv)
    loadgen.require_wrk()
    levels = [int(c) for c in args.concurrency.split(",")]
    bin_dir = roundup_venv(args.peer_venv)
    with tempfile.TemporaryDirectory() as tmp, database("sqlite", None, Path(tmp)) as url:
        work = Path(tmp)
        work.chmod(0o755)
        seed(url, work, args.issues, None)
        exported = export_issues(work / "issues.jsonl")
        port = free_port()
        started = time.perf_counter()
        roundup_tracker(bin_dir, work / "roundup", port, work / "issues.jsonl")
        took = time.perf_counter() - started
        print(f"<!-- Roundup filled with {exported:,} issues in {took:.0f} s -->")
        with server(url, work, None) as (base, _pid):
            our = measure(ours(base), exported, levels, args.seconds, work)
        with roundup_server(bin_dir, work / "roundup", port) as base:
            their = measure(theirs(base), exported, levels, args.seconds, work)
    print_table(our, their, args.issues)


def print_table(
    our: dict[tuple[str, int], loadgen.Result],
    their: dict[tuple[str, int], loadgen.Result],
    issues: int,
) -> None:
    print(
        f"\n{issues:,} issues, SQLite on both sides.\n\n"
        "| operation | concurrency | ours req/s | Roundup req/s | ours/Roundup | ours p95 ms "
        "| Roundup p95 ms | errors ours/Roundup |\n|---|---|---|---|---|---|---|---|"
    )
    for (name, connections), mine in our.items():
        peer = their[name, connections]
        if peer.requests:
            ratio, their_rps = f"{mine.rps / peer.rps:.2f}", f"{peer.rps:.1f}"
            their_p95 = f"{peer.p95:.0f}"
        else:  # not one request finished within the run
            ratio, their_rps, their_p95 = "—", "0", "none finished"
        print(
            f"| {name} | {connections} | {mine.rps:.0f} | {their_rps} | {ratio} "
            f"| {mine.p95:.0f} | {their_p95} | {mine.errors}/{peer.errors} |"
        )


if __name__ == "__main__":
    main()
