"""Outage drills against a real `tracker serve`: a TCP relay sits between the app and
PostgreSQL (or Redis) and is cut and restored like a real outage.

Database down: writes answer 503 "try again" and leave nothing behind; after it returns the
next write works. Redis down: the app keeps working; when Redis returns, live events flow
again both ways and what other processes changed meanwhile reaches open pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import create_engine, func, select

import services
from bench.ui_live import SimulatedBrowser
from pages.cookies import SESSION as COOKIE
from services import security
from services.models import Activity, Attachment, Comment, Issue
from tests.pgschema import PG_URL, pg_schema
from tests.serverproc import running_server
from tests.workers import free_port
from tracker_app import migrate

REDIS_URL = os.environ.get("TRACKER_TEST_REDIS_URL")
SECRET = "outage-drill-secret-" + "o" * 40
EMAIL = "drill@example.com"
PASSWORD = "outage drill passphrase"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
DEADLINE = 15.0
TITLES = ["before", "elsewhere before", "during 0", "during 1", "during 2", "elsewhere during"]
TITLES += ["after", "elsewhere after", "again", "blip", "elsewhere blip"]

needs_postgres = pytest.mark.skipif(
    not PG_URL, reason="needs the real PostgreSQL: set TRACKER_TEST_DATABASE_URL (CI does)"
)
needs_redis = pytest.mark.skipif(
    not (PG_URL and REDIS_URL),
    reason="needs the real Redis and PostgreSQL: set TRACKER_TEST_REDIS_URL and "
    "TRACKER_TEST_DATABASE_URL (CI does)",
)


class Proxy:
    """A TCP relay to `host:port`. `cut()` closes every live connection and refuses new
    ones (nothing listens), `restore()` listens again on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self.sent = bytearray()  # everything the app sent upstream
        # A port of this worker's own: nobody else takes it while the relay is cut.
        self._listener: socket.socket | None = socket.create_server(("127.0.0.1", free_port()))
        self.port = self._listener.getsockname()[1]
        self._serve(self._listener)

    def cut(self) -> None:
        with self._lock:
            doomed = [*self._live, *([self._listener] if self._listener else [])]
            self._live.clear()
            self._listener = None
        for sock in doomed:
            _close(sock)

    def restore(self) -> None:
        with self._lock:
            if self._listener is None:
                self._listener = socket.create_server(("127.0.0.1", self.port))
                self._serve(self._listener)

    def _serve(self, listener: socket.socket) -> None:
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if listener is not self._listener:
                    _close(client)
                    _close(upstream)
                    return
                self._live |= {client, upstream}
            for a, b, log in ((client, upstream, self.sent), (upstream, client, None)):
                threading.Thread(target=self._pump, args=(a, b, log), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, log: bytearray | None) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
                if log is not None:
                    log.extend(data)
        with self._lock:
            self._live -= {source, target}
        _close(source)
        _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv() or accept()
    sock.close()


@contextlib.contextmanager
def relay(url: str) -> Iterator[tuple[Proxy, str]]:
    """A proxy in front of the server of `url`, and the same URL pointing at the proxy."""
    parts = urlsplit(url)
    proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 0)
    netloc = parts.netloc.rsplit("@", 1)
    netloc[-1] = f"127.0.0.1:{proxy.port}"
    try:
        yield proxy, urlunsplit(parts._replace(netloc="@".join(netloc)))
    finally:
        proxy.cut()


# --- Drill 1: the database goes away -----------------------------------------------------


@needs_postgres
def test_database_down_answers_503_try_again_and_leaves_nothing_behind(tmp_path: Path) -> None:
    with pg_schema("outage_db") as direct, relay(direct) as (db_proxy, proxied):
        migrate.upgrade(direct)
        token, cookie = _seed(direct, tmp_path)
        uploads = tmp_path / "uploads"
        with running_server(
            tmp_path,
            TRACKER_DATABASE_URL=proxied,
            TRACKER_SECRET_KEY=SECRET,
            TRACKER_UPLOAD_DIR=str(uploads),
        ) as server:
            api = _api(server.url, token)
            browser = httpx.Client(base_url=server.url, cookies={COOKIE: cookie}, timeout=30)
            try:
                _database_drill(server.url, api, browser, db_proxy, direct, uploads)
            finally:
                api.close()
                browser.close()
        log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log


def _database_drill(
    base: str, api: httpx.Client, browser: httpx.Client, db: Proxy, direct: str, uploads: Path
) -> None:
    first = api.post("/issues", json={"title": "Before the outage"})
    assert first.status_code == 201, first.text
    url = f"/issues/{first.json()['id']}"
    before = _counts(direct)

    db.cut()
    started = time.monotonic()
    failed = {
        "create": api.post("/issues", json={"title": "Filed while the database is down"}),
        "comment": api.post(f"{url}/comments", json={"body": "Lost?"}),
        "upload": api.post(f"{url}/attachments", files={"file": ("a.png", PNG, "image/png")}),
        "list": api.get("/issues"),
        "page": browser.get("/"),  # a browser gets the same answer, not an error page
    }
    assert time.monotonic() - started < 10  # at once, not after a hang
    for what, response in failed.items():
        assert response.status_code == 503, (what, response.text)
        assert response.json()["detail"] == (
            "The database is not reachable right now; nothing was saved. Try again."
        ), what
        assert response.headers["Retry-After"] == "5", what
    page = browser.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"  # a real browser:
    assert page.headers["content-type"].startswith("text/html")  # a page, not JSON
    assert "Try again" in page.text and "Traceback" not in page.text
    ready = httpx.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 503
    assert ready.json() == {
        "ready": False,
        "database": "down",
        "migrations": "unknown",
        "storage": "ok",
        "storage_kind": "local",
    }
    health = httpx.get(f"{base}/healthz", timeout=10)  # the process itself is alive
    assert health.json() == {
        "status": "down",
        "database": "down",
        "redis": "disabled",
        "storage": "ok",
        "storage_kind": "local",
    }
    assert _counts(direct) == before  # counted beside the app, not through it
    assert _files(uploads) == []  # no staged or placed file left behind

    db.restore()
    created = api.post("/issues", json={"title": "Filed after the outage"})  # the very next
    assert created.status_code == 201, created.text
    url = f"/issues/{created.json()['id']}"
    assert api.post(f"{url}/comments", json={"body": "Saved."}).status_code == 201
    upload = api.post(f"{url}/attachments", files={"file": ("a.png", PNG, "image/png")})
    assert upload.status_code == 201, upload.text
    assert httpx.get(f"{base}/readyz", timeout=10).status_code == 200
    assert browser.get("/").status_code == 200
    after = _counts(direct)
    assert after == {
        "issues": before["issues"] + 1,
        "comments": before["comments"] + 1,
        "attachments": before["attachments"] + 1,
        "activity": before["activity"] + 3,  # filed, commented, attached
    }
    assert _titles(direct) == ["Before the outage", "Filed after the outage"]
    [stored] = _files(uploads)
    assert stored.read_bytes() == PNG
    assert api.get(f"/attachments/{upload.json()['id']}").content == PNG

    # PostgreSQL restarting under an idle app: every pooled connection dies at once, and
    # the next requests (several, on several pooled connections) must simply work.
    assert _concurrently(lambda: api.get("/issues").status_code, 8) == [200] * 8
    db.cut()
    db.restore()
    assert _concurrently(lambda: api.get("/issues").status_code, 8) == [200] * 8
    assert api.post("/issues", json={"title": "After the restart"}).status_code == 201
    assert browser.get("/").status_code == 200


# --- Drill 2: Redis goes away ------------------------------------------------------------


@needs_redis
def test_redis_down_keeps_the_app_working_and_live_events_resume(tmp_path: Path) -> None:
    assert REDIS_URL
    with pg_schema("outage_redis") as direct, relay(REDIS_URL) as (redis_proxy, proxied):
        migrate.upgrade(direct)
        token, cookie = _seed(direct, tmp_path)
        with running_server(
            tmp_path,
            TRACKER_DATABASE_URL=direct,
            TRACKER_REDIS_URL=proxied,
            TRACKER_SECRET_KEY=SECRET,
            TRACKER_UPLOAD_DIR=str(tmp_path / "uploads"),
        ) as server:
            other = Elsewhere(direct, tmp_path)
            try:
                asyncio.run(_redis_drill(server.url, token, cookie, redis_proxy, other))
            finally:
                other.close()
        log = (tmp_path / "server.log").read_text()
        assert "Traceback" not in log, log
        assert _titles(direct) == sorted(TITLES)


async def _redis_drill(
    base: str, token: str, cookie: str, redis_proxy: Proxy, other: Elsewhere
) -> None:
    page = SimulatedBrowser(base, cookie)  # a maintainer's issue list, socket connected
    async with httpx.AsyncClient(
        base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        await page.open(api)
        try:
            # Before: a create through the app reaches the other process ...
            first = (await api.post("/issues", json={"title": "before"})).json()
            origin = await _origin(redis_proxy)  # the app's, whoever else shares the channel
            await other.hear(lambda: _heard(other.heard, first["id"], origin), "the 1st event")
            # ... and a change in the other process reaches the app's open page.
            known = other.create("elsewhere before")
            await _until(lambda: _on_page(page, known), "the page to show the other change")

            redis_proxy.cut()
            health = (await api.get(f"{base}/healthz")).json()
            assert health == {
                "status": "degraded",
                "database": "ok",
                "redis": "down",
                "storage": "ok",
                "storage_kind": "local",
            }
            during = []
            for n in range(3):
                r = await api.post("/issues", json={"title": f"during {n}"})
                assert r.status_code == 201, r.text
                during.append(r.json()["id"])
            assert (await api.get("/issues")).json()["total"] == 5
            async with httpx.AsyncClient(cookies={COOKIE: cookie}, timeout=30) as browser:
                assert (await browser.get(f"{base}/")).status_code == 200
            for issue_id in during:  # pages of this process still update
                await _until(lambda i=issue_id: _on_page(page, i), f"the page to show {issue_id}")
            missed = other.create("elsewhere during")  # never reaches the app through Redis
            await asyncio.sleep(1.0)  # the outage lasts: the app's listener backs off

            redis_proxy.restore()
            mark = len(other.drain())
            after = (await api.post("/issues", json={"title": "after"})).json()
            # The other process learns of it: its own event or, if the app has not yet
            # noticed that Redis is back, a resync (its pages reload).
            await other.hear(
                lambda: _announced(other.heard[mark:], origin, after["id"]), "the create after"
            )
            # The events dropped during the outage are owed a resync in any case.
            await other.hear(lambda: _announced(other.heard[mark:], origin, None), "a resync")
            # The app's page catches up on what the other process did during the outage ...
            await _until(lambda: _on_page(page, missed), "the page to catch up (resync)")
            # ... and live events flow both ways again, one by one.
            later = other.create("elsewhere after")
            await _until(lambda: _on_page(page, later), "a new change from elsewhere")
            again = (await api.post("/issues", json={"title": "again"})).json()
            await other.hear(lambda: _heard(other.heard, again["id"], origin), "the next event")
            health = (await api.get(f"{base}/healthz")).json()
            assert health == {
                "status": "ok",
                "database": "ok",
                "redis": "ok",
                "storage": "ok",
                "storage_kind": "local",
            }

            # Redis restarting under an idle app: connections dropped, back at once.
            redis_proxy.cut()
            redis_proxy.restore()
            blip = (await api.post("/issues", json={"title": "blip"})).json()
            await other.hear(lambda: _heard(other.heard, blip["id"], origin), "the blip event")
            last = other.create("elsewhere blip")
            await _until(lambda: _on_page(page, last), "the page to show the change after")
        finally:
            await page.close()


# --- helpers -----------------------------------------------------------------------------


class Elsewhere:
    """Another process on the same database and Redis (this test process): it writes
    through `services`, announcing on the real Redis directly, and hears the channel."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        import redis

        assert REDIS_URL
        services.connect(url, upload_dir=tmp_path / "elsewhere", redis_url=REDIS_URL)
        with services.session() as s:
            self.actor = services.users.actor_for(s, email=EMAIL)
        self.redis = redis.Redis.from_url(REDIS_URL)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(services.events.channel_for(self.redis))
        self.heard: list[dict[str, Any]] = []

    def create(self, title: str) -> int:
        with services.session() as s:
            return services.issues.create_issue(s, self.actor, {"title": title}).id

    def drain(self) -> list[dict[str, Any]]:
        while (message := self.pubsub.get_message(timeout=0.01)) is not None:
            self.heard.append(json.loads(message["data"]))
        return self.heard

    async def hear(self, found: Callable[[], bool], what: str) -> None:
        """Wait until `found()` is true of what was heard."""
        await _until(lambda: (self.drain(), found())[1], what)

    def close(self) -> None:
        self.pubsub.close()
        self.redis.close()
        services.runtime().engine.dispose()
        services.events.configure_bus(None)


def _seed(url: str, tmp_path: Path) -> tuple[str, str]:
    """A maintainer, with a bearer token and a login cookie (made with the app's secret)."""
    security.configure_hashing(4)
    services.connect(url, upload_dir=tmp_path / "seed", secret_key=SECRET)
    try:
        with services.session() as s:
            view = services.users.provision(
                s, {"email": EMAIL, "password": PASSWORD, "role": "MAINTAINER"}
            )
            token = services.auth.issue_api_token(s, services.users.actor_for(s, user_id=view.id))
        with services.session() as s:
            cookie, _ = services.auth.login(s, EMAIL, PASSWORD)
        return token, cookie
    finally:
        services.runtime().engine.dispose()


def _api(base: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                model.__tablename__: conn.execute(
                    select(func.count()).select_from(model)
                ).scalar_one()
                for model in (Issue, Comment, Attachment, Activity)
            }
    finally:
        engine.dispose()


def _titles(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(select(Issue.title)).scalars())
    finally:
        engine.dispose()


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _concurrently(call: Callable[[], Any], n: int) -> list[Any]:
    results: list[Any] = [None] * n

    def one(i: int) -> None:
        results[i] = call()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


async def _origin(redis_proxy: Proxy) -> str:
    """The origin id in the app's messages, read off the wire."""
    found = re.compile(rb'"origin": "([0-9a-f]{32})"')
    await _until(lambda: found.search(bytes(redis_proxy.sent)), "the app to publish")
    match = found.search(bytes(redis_proxy.sent))
    assert match
    return match.group(1).decode()


def _heard(heard: list[dict[str, Any]], issue_id: int, origin: str) -> bool:
    """`origin` announced the creation of `issue_id`."""
    wanted = {"kind": "issue", "op": "created", "issue_id": issue_id}
    return any(
        message.get("origin") == origin and wanted.items() <= message.get("event", {}).items()
        for message in heard
    )


def _announced(heard: list[dict[str, Any]], origin: str, issue_id: int | None) -> bool:
    """`origin` published a resync, or (given `issue_id`) that issue's creation."""
    resync = [
        m for m in heard if m.get("origin") == origin and m.get("event", {}).get("op") == "resync"
    ]
    return bool(resync) or (issue_id is not None and _heard(heard, issue_id, origin))


def _on_page(page: SimulatedBrowser, issue_id: int) -> bool:
    return any(seen_id == issue_id for seen_id, _ in page.seen)


async def _until(predicate: Callable[[], Any], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {DEADLINE:.0f} s for {what}")
        await asyncio.sleep(0.05)
