"""Wire the NiceGUI/FastAPI application: pages, live-event relay, health endpoint,
security headers, websocket Origin check, request body limits."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from alembic.runtime.migration import MigrationContext
from nicegui import Client, app, background_tasks, core, ui
from nicegui import run as nicegui_run
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

import pages
import services
from pages import uploads, waiting
from pages.live import hub
from services.storage import sweep as storage_sweep

from . import (
    api,
    api_first,
    fastpacket,
    headers,
    mail_routes,
    migrate,
    observe,
    rqdash,
    static_gzip,
)
from .headers import SecurityHeaders
from .limits import BodyLimit
from .settings import Settings

log = logging.getLogger(__name__)

UPLOAD_OVERHEAD = 64 * 1024  # multipart boundaries and headers around one file
# The routes that take files (the pages' drop zones, the API's attachments and CSV
# import); every other request body is small (TRACKER_MAX_BODY_KB).
UPLOAD_ROUTES = re.compile(
    re.sub(r"\{[^}]+\}", "[^/]+", uploads.ROUTE)  # the drop zones' one route
    + rf"|{api.API_PREFIX}/issues/[^/]+/attachments|{api.API_PREFIX}/issues/import"
)


def build(settings: Settings, *, run_jobs: bool = True, scheduled: bool = True) -> None:
    """Register routes, middleware and the event relay on NiceGUI's app (once per process).
    Without Redis the scheduled jobs run in this process (`scheduled`: in one process of
    `tracker serve --workers` only); every process sweeps staged uploads (`run_jobs=False`:
    the page tests switch both off to keep their data to themselves)."""
    pages.register_all(
        pages.PageConfig(
            allow_signup=settings.allow_signup,
            secure_cookies=settings.production,
            job_queue=not settings.embedded,
        )
    )
    # engine.io's own same-origin check (Host / X-Forwarded-Host) instead of NiceGUI's '*':
    # a page on another site cannot open a websocket with our users' cookies.
    core.sio.eio.cors_allowed_origins = None
    fastpacket.install(core.sio)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        upload_limit=lambda: services.uploads.policy().max_file_bytes + UPLOAD_OVERHEAD,
        uploads=UPLOAD_ROUTES,
        exempt=("/_nicegui_ws/",),  # engine.io refuses messages over its own 1 MB
    )
    api.install(app, allow_signup=settings.allow_signup)
    mail_routes.install(app)
    app.remove_route(rqdash.PATH)  # a rebuild (as in the tests) replaces the mount
    app.mount(rqdash.PATH, rqdash.dashboard(settings.redis_url))
    timer = settings.embedded and run_jobs and scheduled
    if timer:
        app.on_startup(lambda: background_tasks.create(_embedded_jobs(), name="embedded-jobs"))
    if run_jobs:
        app.on_startup(
            lambda: background_tasks.create(_sweep_staged_files(orphans=timer), name="sweep-staged")
        )
        app.on_startup(lambda: background_tasks.create(_warm_similar(), name="warm-similar"))
    if not settings.redis_url:
        _watch_other_processes()
    app.add_middleware(SecurityHeaders, rules=headers.policy(production=settings.production))
    _relay_events()

    app.add_middleware(observe.RequestLog)  # outermost: sees every request and its status
    api_first.install(app, api.API_PREFIX)  # API requests skip the pages' middleware

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        """Ready for traffic: the database answers and its schema is at the code's head."""
        state = readiness()
        return JSONResponse(state, status_code=200 if state["ready"] else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        refusal = observe.metrics_refusal(request, settings.metrics_token)
        if refusal is not None:
            return refusal
        connected = sum(1 for c in Client.instances.values() if c.has_socket_connection)
        text = observe.metrics_text(
            {
                "tracker_connected_pages": connected,
                "tracker_waiting_pages": len(waiting.waiting()),  # built, not yet connected
                "tracker_live_watchers": hub.watchers,
                **static_gzip.kept(),
            }
        )
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4")

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        """Database and Redis state (`ok`, `degraded` or `down`); 503 when the database is
        down. No secrets."""
        state = health(settings)
        return JSONResponse(state, status_code=200 if state["database"] == "ok" else 503)


def _relay_events() -> None:
    """Hand committed changes (from any thread, or Redis) to the pages, on the event loop."""
    stop: list[Callable[[], None]] = []

    def start() -> None:
        loop = asyncio.get_running_loop()

        def relay(change: services.events.ChangeEvent) -> None:
            loop.call_soon_threadsafe(hub.dispatch, change)

        stop.append(services.events.subscribe(relay))
        services.events.bus.start_listener()
        rechecks = background_tasks.create(hub.recheck_sessions(), name="session-recheck")

        def cancel_rechecks() -> None:
            rechecks.cancel()

        stop.append(cancel_rechecks)

    def shutdown() -> None:
        while stop:
            stop.pop()()
        hub.reset()

    app.on_startup(start)
    app.on_shutdown(shutdown)


def _watch_other_processes() -> None:
    """Without Redis, what the CLI, a notebook or another process writes reaches the open
    pages through the activity table (services.watch)."""
    watchers: list[services.watch.ActivityWatcher] = []
    stopping: list[bool] = []  # NiceGUI runs start as a task: it may begin after stop

    async def start() -> None:
        try:
            engine = services.runtime().engine
        except RuntimeError:  # not connected (a test app started before its database)
            return
        if stopping:
            return
        watcher = services.watch.ActivityWatcher(engine)
        watchers.append(watcher)  # first: an app stopping while this starts still stops it
        await asyncio.to_thread(watcher.start)  # its first look reads the database

    async def stop() -> None:
        # Not nicegui's run.io_bound: it refuses to run anything once the app is stopping,
        # and a watcher left polling would outlive the app (and its database).
        stopping.append(True)
        while watchers:
            try:
                await asyncio.to_thread(watchers.pop().stop)  # joins its thread
            except Exception:  # NiceGUI runs no later shutdown handler after an error
                log.exception("stopping the database watcher failed")

    app.on_startup(start)
    app.on_shutdown(stop)


EMBEDDED_JOB_SECONDS = 300.0


async def _embedded_jobs() -> None:
    """Without Redis (the embedded default) the scheduled jobs run here, on a timer, with
    the same functions the RQ worker runs."""
    while True:
        await run_due_jobs()
        await asyncio.sleep(EMBEDDED_JOB_SECONDS)


async def run_due_jobs() -> None:
    """Refresh today (which closes yesterday first if that was not done), hand over
    analyses, mail and webhook deliveries that never reached the in-process pool, send the
    daily digests."""
    try:
        await nicegui_run.io_bound(services.jobs.refresh_today)
    except Exception:
        log.exception("an in-process job failed (recorded in job_runs)")
    try:
        await nicegui_run.io_bound(services.intake.sweep)
    except Exception:
        log.exception("the analysis sweep failed")
    try:  # mail whose timer was lost with its process, failed sends, the daily digests
        await nicegui_run.io_bound(services.notify.outbox.sweep)
        await nicegui_run.io_bound(services.notify.digest.send_digests)
    except Exception:
        log.exception("the mail sweep failed")
    try:
        await nicegui_run.io_bound(services.webhooks.sweep)
    except Exception:
        log.exception("the webhook sweep failed")


async def _warm_similar() -> None:
    """Load the similar-issues index at start-up, off the event loop, so the first person
    typing a new issue does not wait for it (2 s at 100,000 issues)."""
    try:
        await asyncio.to_thread(services.suggest.warm)
    except Exception:
        log.exception("loading the similar-issues index failed (it loads on first use)")


SWEEP_SECONDS = 3600.0


async def _sweep_staged_files(*, orphans: bool = False) -> None:
    """Staged uploads left behind (a crash, a page that never closed) go at start-up and
    then every hour, in every web process (each has its own files in flight). `orphans`
    (embedded, no scheduler): stored files no attachment points at go too."""
    while True:
        try:
            await nicegui_run.io_bound(services.attachments.sweep_staged)
        except Exception:
            log.exception("sweeping staged uploads failed")
        if orphans:
            try:
                await nicegui_run.io_bound(storage_sweep.run_sweep)
            except Exception:
                log.exception("sweeping orphaned stored files failed (recorded in job_runs)")
        await asyncio.sleep(SWEEP_SECONDS)


def readiness() -> dict[str, object]:
    """Database reachable and migrated to the code's head revision."""
    try:
        with services.runtime().engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except Exception as e:
        log.warning("readiness: database unreachable: %s", e)
        return {"ready": False, "database": "down", "migrations": "unknown", **storage_state()}
    head = migrate.head()
    return {
        "ready": current == head,
        "database": "ok",
        "migrations": "at head" if current == head else f"at {current}, head is {head}",
        **storage_state(),
    }


def storage_state() -> dict[str, str]:
    """The file storage: `ok` or `down`, and which kind. A bucket that is down does not take
    the app out of service (issues can still be read and written; uploads and downloads
    answer 503 "try again"), so it degrades health instead of failing readiness."""
    storage = services.files.storage()
    kind = storage.kind
    try:
        storage.check()
    except Exception as e:
        log.warning("storage unreachable: %s", e)
        return {"storage": "down", "storage_kind": kind}
    return {"storage": "ok", "storage_kind": kind}


def health(settings: Settings) -> dict[str, str]:
    """Database, Redis and storage state, no secrets: ok | degraded | down."""
    out = {"status": "ok", "database": "ok", "redis": "disabled"}
    try:
        services.db.ping()
    except Exception as e:
        log.warning("health: database unreachable: %s", e)
        out["database"] = out["status"] = "down"
    out.update(storage_state())
    if out["storage"] == "down" and out["status"] == "ok":
        out["status"] = "degraded"
    if settings.redis_url:
        import redis

        try:
            redis.Redis.from_url(settings.redis_url, socket_connect_timeout=1).ping()
            out["redis"] = "ok"
        except Exception:
            out["redis"] = "down"
            if out["status"] == "ok":
                out["status"] = "degraded"
    return out


FULL_GC_SECONDS = 300.0  # a full collection at least this often
GC_AFTER_CLOSED = 100  # ... or once this many pages closed since the last one,
GC_MIN_SECONDS = 60.0  # but not more often than this
_closed = {"pages": 0}


def tune_gc() -> None:
    """Fewer, cheaper garbage collections. Open pages hold many long-lived objects, and a
    full collection walks every one of them while every page waits: with the defaults it was
    the whole tail of the live-update latency (benchmark: p95 at 300 pages 0.96 s -> 0.26 s).
    Objects alive after startup are frozen out of collection, young collections run less
    often, and the full collection runs on a timer instead of whenever the counters say:
    every 5 minutes, or sooner once 100 pages have closed (a closed page is garbage in
    cycles only a full collection frees; with pages coming and going all day the process
    grew by minutes' worth of them between collections: `python -m bench soak`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
    app.on_delete(_page_closed)
    background_tasks.create(_collect_periodically(), name="full-gc")


def _page_closed() -> None:
    _closed["pages"] += 1


def full_gc_due(seconds_since: float, pages_closed: int) -> bool:
    """Whether the next full collection is due (`tune_gc`)."""
    if seconds_since >= FULL_GC_SECONDS:
        return True
    return pages_closed >= GC_AFTER_CLOSED and seconds_since >= GC_MIN_SECONDS


async def _collect_periodically() -> None:
    last = time.monotonic()
    while True:
        await asyncio.sleep(5)
        if full_gc_due(time.monotonic() - last, _closed["pages"]):
            _closed["pages"] = 0
            gc.collect()
            last = time.monotonic()


def run_options(settings: Settings) -> dict[str, Any]:
    """The ui.run() options; the page tests use the same ones."""
    return {
        "title": "Issues & Insights Tracker",
        "language": "en-US",  # <html lang>, for screen readers and spell checkers
        "reload": False,
        "show": False,
        "storage_secret": settings.secret_key,
        "session_middleware_kwargs": {"https_only": settings.production, "same_site": "lax"},
        "show_welcome_message": False,
        "fastapi_docs": True,  # /docs, /redoc, /openapi.json
        # NiceGUI derives the websocket ping from this: with its default of 3 s a pong
        # later than 2 s drops the page (a process busy pushing to a thousand pages, a
        # slow phone); 10 s gives 8 s pings, 4 s to answer, and keeps a dropped page's
        # state 10 s for its reconnect.
        "reconnect_timeout": 10.0,
        # The pages' Tailwind classes come compiled, in one stylesheet (pages/utilities.py).
        "tailwind": False,
    }


def run(settings: Settings, host: str, port: int, *, scheduled: bool = True) -> None:
    build(settings, scheduled=scheduled)
    app.on_startup(tune_gc)
    app.on_startup(lambda: waiting.install(settings.page_connect_seconds))
    ui.run(
        host=host,
        port=port,
        ws_per_message_deflate=False,  # ~135 KB less per connected page, ~15% less CPU
        # NiceGUI's scripts compressed once per process, not for every new browser
        gzip_middleware_factory=static_gzip.StaticGzip,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        proxy_headers=True,
        timeout_graceful_shutdown=30,  # in-flight requests finish on SIGTERM
        **run_options(settings),
    )
