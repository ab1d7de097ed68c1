"""The issue list under load: page build time, live-update latency, memory per client.

    python -m bench ui --issues 10000 --db sqlite
    python -m bench ui --issues 10000 --db postgresql --pg-url postgresql+psycopg2://...

The server runs as in production (`tracker serve`, its own process). Simulated browsers open
`/` as a maintainer and connect their socket like NiceGUI's JavaScript does; the benchmark
changes an issue's status through `services` (events reach the server over Redis) and times
until each client has received the row with the new status. `--chromium` adds one real
Chromium page and times until its DOM shows the change. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import socketio

import services
from pages.cookies import SESSION as COOKIE

from .common import database, login_token, percentile, rss_kb, seed, server, summary

CLIENT_ID = re.compile(r"""['"]client_id['"]:\s*['"]([0-9a-f-]+)['"]""")


class SimulatedBrowser:
    """Loads the page over HTTP, then connects its socket as the browser would."""

    def __init__(self, base: str, token: str, local_ip: str | None = None, path: str = "/") -> None:
        """`local_ip`: a loopback address of its own (127.0.x.1), as if from another host;
        `path`: the page it opens."""
        self.base = base
        self.path = path
        self.token = token
        self.local_ip = local_ip
        self.session = None
        if local_ip:
            connector = aiohttp.TCPConnector(local_addr=(local_ip, 0))
            self.session = aiohttp.ClientSession(connector=connector)
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self.session)
        self.seen: dict[tuple[int, str], float] = {}
        self.status = 0  # the page's HTTP status
        self.client_id = ""
        self.next_message_id = 0
        self.sio.on("update", self._on_update)

    async def open(self, http: httpx.AsyncClient) -> None:
        if self.local_ip:
            transport = httpx.AsyncHTTPTransport(local_address=self.local_ip)
            async with httpx.AsyncClient(transport=transport, timeout=60) as own:
                page = await own.get(f"{self.base}{self.path}", cookies={COOKIE: self.token})
        else:
            page = await http.get(f"{self.base}{self.path}", cookies={COOKIE: self.token})
        self.status = page.status_code
        match = CLIENT_ID.search(page.text)
        assert match, "no NiceGUI client id in the page"
        self.client_id = match.group(1)
        query = (
            f"client_id={self.client_id}&tab_id={uuid.uuid4()}&document_id={uuid.uuid4()}"
            "&implicit_handshake=true&next_message_id=0"
        )
        await self.sio.connect(
            f"{self.base}/?{query}",
            socketio_path="/_nicegui_ws/socket.io",
            transports=["websocket"],
            headers={"Origin": self.base},
            wait_timeout=20,
        )

    async def ack(self) -> None:
        """What the browser does every 3 s: lets the server drop delivered messages."""
        if self.sio.connected:
            await self.sio.emit(
                "ack", {"client_id": self.client_id, "next_message_id": self.next_message_id}
            )

    def _on_update(self, data: dict[str, Any]) -> None:
        now = time.perf_counter()
        self.next_message_id = max(self.next_message_id, int(data.get("_id", 0)) + 1)
        for element in data.values():
            props = (element or {}).get("props", {}) if isinstance(element, dict) else {}
            self._saw(props.get("rows") or [], now)
            if props.get("spec"):  # the rows that changed (pages/live_rows.py)
                self._saw([row for row in json.loads(props["spec"]) if isinstance(row, dict)], now)

    def _saw(self, rows: list[dict[str, Any]], now: float) -> None:
        for row in rows:
            self.seen.setdefault((row.get("id"), row.get("status")), now)

    async def close(self) -> None:
        await self.sio.disconnect()
        if self.session:
            await self.session.close()


async def _ack_forever(browsers: list[SimulatedBrowser]) -> None:
    while True:
        await asyncio.sleep(3)
        await asyncio.gather(*(b.ack() for b in browsers))


def _page_build(base: str, token: str, runs: int) -> list[float]:
    times = []
    with httpx.Client(cookies={COOKIE: token}, timeout=30) as http:
        http.get(f"{base}/")  # warm up
        for _ in range(runs):
            start = time.perf_counter()
            response = http.get(f"{base}/")
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
    return times


def _move_one(actor: services.Actor, issue_id: int) -> tuple[int, str, float]:
    """Change an issue's status; returns (id, new status, perf_counter before the write)."""
    with services.session() as s:
        issue = services.issues.get_issue(s, actor, issue_id)
        target = services.permissions.allowed_transitions(actor, issue.status)[0].value
    start = time.perf_counter()
    with services.session() as s:
        services.issues.change_status(s, actor, issue_id, target, version=issue.version)
    return issue_id, target, start


async def _live(
    base: str, token: str, actor: services.Actor, pid: int, clients: int, changes: int
) -> dict[str, Any]:
    gc.collect()
    before = rss_kb(pid)
    browsers = [SimulatedBrowser(base, token) for _ in range(clients)]
    async with httpx.AsyncClient(timeout=60) as http:
        for chunk in range(0, clients, 20):
            await asyncio.gather(*(b.open(http) for b in browsers[chunk : chunk + 20]))
    await asyncio.sleep(1.0)
    after = rss_kb(pid)
    acks = asyncio.create_task(_ack_forever(browsers))
    latencies: list[float] = []
    missed = 0
    for n in range(changes):
        issue_id, status, start = await asyncio.to_thread(_move_one, actor, 1 + n * 7)
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline and not all(
            (issue_id, status) in b.seen for b in browsers
        ):
            await asyncio.sleep(0.005)
        for b in browsers:
            if (issue_id, status) in b.seen:
                latencies.append(b.seen[(issue_id, status)] - start)
            else:
                missed += 1
        await asyncio.sleep(0.5)  # let the page's refresh throttle settle between changes
    acks.cancel()
    await asyncio.gather(*(b.close() for b in browsers))
    await asyncio.sleep(11)  # the server forgets disconnected pages after its reconnect timeout
    return {
        "clients": clients,
        "latencies": latencies,
        "missed": missed,
        "kb_per_client": (after - before) / clients,
    }


def _chromium(base: str, token: str, actor: services.Actor, changes: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.add_cookies([{"name": COOKIE, "value": token, "url": base}])
        page = context.new_page()
        page.goto(f"{base}/")
        page.wait_for_selector("a[href^='/issues/']")
        for n in range(changes):
            issue_id, status, start = _move_one(actor, 2 + n * 7)
            label = {
                "OPEN": "Open",
                "TRIAGED": "Triaged",
                "IN_PROGRESS": "In progress",
                "DONE": "Done",
            }[status]
            page.wait_for_function(
                """([id, label]) => [...document.querySelectorAll('tr')].some(tr =>
                    tr.querySelector(`a[href='/issues/${id}']`) && tr.innerText.includes(label))""",
                arg=[issue_id, label],
                polling="raf",
                timeout=5000,
            )
            out.append(time.perf_counter() - start)
            time.sleep(0.5)
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--clients", default="1,20,100,300")
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--page-runs", type=int, default=100)
    parser.add_argument("--chromium", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, database(args.db, args.pg_url, Path(tmp)) as url:
        data_dir = Path(tmp)
        started = time.perf_counter()
        actor = seed(url, data_dir, args.issues, args.redis_url)
        print(
            f"seeded {args.issues} issues on {args.db} in {time.perf_counter() - started:.1f} s\n"
        )
        token = login_token()
        with server(url, data_dir, args.redis_url) as (base, pid):
            build = _page_build(base, token, args.page_runs)
            print(f"### Issue list page, {args.issues} issues, {args.db}\n")
            print(
                "| measure | runs | p50 ms | p95 ms | max ms | mean ms |\n|---|---|---|---|---|---|"
            )
            print(f"| GET / (server builds the page) | {len(build)} | {summary(build)} |\n")
            print(f"### Live update: status change → row visible ({args.changes} changes)\n")
            print(
                "| clients | samples | missed | p50 ms | p95 ms | max ms | mean ms "
                "| KB per client |"
            )
            print("|---|---|---|---|---|---|---|---|")
            for clients in [int(c) for c in args.clients.split(",")]:
                r = asyncio.run(_live(base, token, actor, pid, clients, args.changes))
                print(
                    f"| {clients} | {len(r['latencies'])} | {r['missed']} | "
                    f"{summary(r['latencies'])} | {r['kb_per_client']:.0f} |",
                    flush=True,
                )
            if args.chromium:
                times = _chromium(base, token, actor, args.changes)
                p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
                print(
                    f"\nReal Chromium (1 page, DOM shows the new status): "
                    f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"
                )


if __name__ == "__main__":
    main()
