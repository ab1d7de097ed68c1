"""What a new browser costs the server: a page and every file it loads, as on a first visit.

    python -m bench first-visit --visits 20

Starts `tracker serve` (SQLite, 200 demo issues). Chromium (Debian's) opens each page once in
a fresh browser context to learn which files that page loads; then each visit is replayed
`--visits` times over HTTP as a new browser would make it (no cache, `Accept-Encoding: gzip,
deflate, br`), and, for comparison, as a browser that has the files cached (the page alone).
Prints the server's CPU per visit (user + system of its process), the bytes sent and the wall
time of the sequential requests. A second table is the browser's side: each page loaded
`--loads` times, each time in a fresh context, until its live connection is up; the CPU of the
whole machine except the server's (Chromium's processes, which no parent process accounts
for), the main thread's busy time and the wall time per load.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import cpu_seconds, database, seed
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.serverproc import Server, running_server

PASSWORD = "bench first visit passphrase"
PAGES = {
    "sign-in page": ("/login", False),
    "issue list": ("/", True),
    "dashboard (Plotly)": ("/dashboard", True),
    "an issue": ("/issues/1", True),
}
ACCEPT = {"Accept-Encoding": "gzip, deflate, br"}


def files_loaded(server: Server, path: str, signed_in: bool, cookie: dict) -> list[str]:
    """The same-origin URLs a fresh Chromium context requests to show `path`."""
    from playwright.sync_api import sync_playwright

    urls: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        if signed_in:
            context.add_cookies([cookie])
        page = context.new_page()
        page.on("request", lambda r: urls.append(r.url) if r.url.startswith(server.url) else None)
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        browser.close()
    return [u for u in urls if "/_nicegui_ws/" not in u]


def replay(
    server: Server, urls: list[str], cookie: dict | None, visits: int
) -> tuple[float, int, float]:
    """Server CPU ms per visit, bytes sent per visit, wall ms per visit."""
    cookies = {cookie["name"]: cookie["value"]} if cookie else None
    sent = 0
    started, cpu = time.perf_counter(), cpu_seconds(server.pid)
    for _ in range(visits):
        with httpx.Client(headers=ACCEPT, cookies=cookies, timeout=60) as client:
            for url in urls:
                answer = client.get(url)
                answer.raise_for_status()
                sent += answer.num_bytes_downloaded  # as sent: compressed where it was
    cpu_ms = (cpu_seconds(server.pid) - cpu) * 1000 / visits
    return cpu_ms, sent // visits, (time.perf_counter() - started) * 1000 / visits


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every core, /proc/stat)."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


def browser_side(server: Server, cookie: dict, loads: int) -> None:
    from playwright.sync_api import sync_playwright

    print("\n| page | machine CPU ms per load, server's excluded | main thread busy ms | wall ms |")
    print("|---|---:|---:|---:|")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, (path, signed_in) in PAGES.items():
            busy, main_thread, wall = 0.0, 0.0, 0.0
            for n in range(loads + 1):  # the first: warm-up
                context = browser.new_context()
                if signed_in:
                    context.add_cookies([cookie])
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                started, cpu, server_cpu = (
                    time.perf_counter(),
                    machine_busy(),
                    cpu_seconds(server.pid),
                )
                page.goto(server.url + path)
                page.wait_for_function("window.did_handshake === true")
                took = time.perf_counter() - started
                metrics = {
                    m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]
                }
                used = machine_busy() - cpu - (cpu_seconds(server.pid) - server_cpu)
                context.close()
                if n:
                    busy, main_thread, wall = (
                        busy + used,
                        main_thread + metrics["TaskDuration"],
                        wall + took,
                    )
            print(
                f"| {name} | {busy * 1000 / loads:.0f} | {main_thread * 1000 / loads:.0f} | "
                f"{wall * 1000 / loads:.0f} |",
                flush=True,
            )
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--loads", type=int, default=10, help="page loads in Chromium, per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database("sqlite", None, Path(tmp)) as url:
        seed(url, Path(tmp), 200, None)
        with running_server(Path(tmp), TRACKER_DATABASE_URL=url) as server:
            server.add_user("first@example.com", PASSWORD, "MAINTAINER")
            cookie = server.session_cookie("first@example.com", PASSWORD)
            print(
                "| page | files | server CPU ms, new browser | KB sent | wall ms "
                "| server CPU ms, files cached |"
            )
            print("|---|---:|---:|---:|---:|---:|")
            for name, (path, signed_in) in PAGES.items():
                urls = files_loaded(server, path, signed_in, cookie)
                who = cookie if signed_in else None
                replay(server, urls, who, 2)  # warm: the process's first answers
                cpu_ms, sent, wall_ms = replay(server, urls, who, args.visits)
                cached_ms, _, _ = replay(server, urls[:1], who, args.visits)
                print(
                    f"| {name} | {len(urls)} | {cpu_ms:.0f} | {sent // 1024:,} | "
                    f"{wall_ms:.0f} | {cached_ms:.0f} |",
                    flush=True,
                )
            browser_side(server, cookie, args.loads)


if __name__ == "__main__":
    main()
