"""The RQ dashboard (rq-dashboard, a Flask app) at /rq, behind our own login: ADMINs only,
deletes disabled, no request that another site started, and no action on a GET: a route
that takes POST (requeue, empty, compact, ...) refuses GET and HEAD with 405, even where
rq-dashboard itself accepts them (`/requeue/<queue>` does), so a link or an image cannot
act. The dashboard's own buttons POST."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from a2wsgi import WSGIMiddleware
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

import services
from pages import cookies
from pages.redirects import login_url
from services import permissions

if TYPE_CHECKING:
    from flask import Flask

PATH = "/rq"


def dashboard(redis_url: str | None) -> ASGIApp:
    """The ASGI app to mount at /rq."""
    return guarded(flask_app(redis_url)) if redis_url else AdminOnly(_NoQueue())


def guarded(flask: Flask) -> ASGIApp:
    """The Flask dashboard behind our login, with its actions refused on GET and HEAD."""
    return AdminOnly(NoActionOnGet(WSGIMiddleware(flask), flask))  # type: ignore[arg-type]


class NoActionOnGet:
    """405 for a GET or HEAD to any route of the dashboard that also takes POST."""

    def __init__(self, app: ASGIApp, flask: Flask) -> None:
        self.app = app
        self.urls = flask.url_map.bind("")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path = scope["path"].removeprefix(scope.get("root_path", "")) or "/"
            if self.urls.test(path, method="POST"):
                refusal = PlainTextResponse(
                    "This action needs a POST (the dashboard's buttons send one).",
                    405,
                    headers={"Allow": "POST"},
                )
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


class AdminOnly:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        actor = await run_in_threadpool(_resolve, cookies.session_token(request))
        if actor is None:
            response: Response = RedirectResponse(login_url(PATH), status_code=303)
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


def flask_app(redis_url: str) -> Flask:
    """rq-dashboard on `redis_url`, deletes disabled."""
    import rq_dashboard
    from flask import Flask
    from rq_dashboard.web import setup_rq_connection

    app = Flask("tracker_rq_dashboard")
    app.config.from_object(rq_dashboard.default_settings)
    app.config["RQ_DASHBOARD_REDIS_URL"] = redis_url
    app.config["RQ_DASHBOARD_DISABLE_DELETE"] = True
    app.register_blueprint(rq_dashboard.blueprint)
    setup_rq_connection(app)
    app.after_request(_with_back_link)
    return app


BACK_LINK = (
    '<nav class="container"><a class="btn btn-link" href="/admin/jobs">'
    "&larr; Back to the tracker (Jobs)</a></nav>"
)


def _with_back_link(response: Any) -> Any:
    """Every dashboard page links back to the tracker's own Jobs page."""
    if response.mimetype == "text/html" and not response.direct_passthrough:
        html = response.get_data(as_text=True)
        at = html.find(">", html.find("<body")) + 1
        if at > 0:
            response.set_data(html[:at] + BACK_LINK + html[at:])
    return response
