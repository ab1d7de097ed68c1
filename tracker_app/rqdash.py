"""The RQ dashboard (rq-dashboard, a Flask app) at /rq, behind our own login: ADMINs only,
deletes disabled, and no request that another site started (it has GET routes that act)."""

from __future__ import annotations

from typing import Any

from a2wsgi import WSGIMiddleware
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

import services
from pages.session import COOKIE, login_url
from services import permissions

PATH = "/rq"


def dashboard(redis_url: str | None) -> ASGIApp:
    """The ASGI app to mount at /rq."""
    inner: ASGIApp = _flask_app(redis_url) if redis_url else _NoQueue()
    return AdminOnly(inner)


class AdminOnly:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        actor = await run_in_threadpool(_resolve, request.cookies.get(COOKIE))
        if actor is None:
            response: Any = RedirectResponse(login_url(PATH), status_code=303)
        elif not permissions.can_run_jobs(actor):
            response = PlainTextResponse("Only administrators can see the job queue.", 403)
        elif request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            response = PlainTextResponse("Refused: this request came from another site.", 403)
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


class _NoQueue:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse(
            "No job queue: without TRACKER_REDIS_URL the tracker runs its jobs in-process. "
            "See the Jobs page for their runs."
        )(scope, receive, send)


def _resolve(token: str | None) -> services.Actor | None:
    with services.session() as s:
        return services.auth.resolve_session(s, token)


def _flask_app(redis_url: str) -> ASGIApp:
    import rq_dashboard
    from flask import Flask
    from rq_dashboard.web import setup_rq_connection

    app = Flask("tracker_rq_dashboard")
    app.config.from_object(rq_dashboard.default_settings)
    app.config["RQ_DASHBOARD_REDIS_URL"] = redis_url
    app.config["RQ_DASHBOARD_DISABLE_DELETE"] = True
    app.register_blueprint(rq_dashboard.blueprint)
    setup_rq_connection(app)
    return WSGIMiddleware(app)  # type: ignore[arg-type,return-value]
