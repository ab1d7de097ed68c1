"""API requests skip the middleware only pages need.

The API is routes of NiceGUI's app, so each API request also went through NiceGUI's session
middleware (it signs a cookie the API never reads: it has its own, `pages.cookies`) and
three `BaseHTTPMiddleware`s (request tracking for `app.storage`, a redirect prefix and
cache headers for NiceGUI's files), each running the rest of the request in a task of its
own: 12-18 % of a list's or a get's time (docs/performance.md, "Where one API request's time
goes"). Starlette builds the stack on the first request; `install` makes it build two, the
whole one and one without those, and send each request down the right one. Our own
middlewares (request log, security headers, body limit, API errors) and FastAPI's stay on
both.

A page's websocket goes straight to engine.io (NiceGUI's socket.io app, with the scope its
mount would give it). Every middleware passes websockets on untouched, but each one's call
stays suspended for as long as the socket is open: ~20 coroutines held by every open page.
engine.io checks the socket's origin itself (tracker_app.web).

An open page keeps its request's scope (NiceGUI's page task and its handlers hold the
request), so what FastAPI put there to answer it (its exit stacks, the route's endpoint) is
taken out once the answer is sent (pages.lean_request does the rest).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from nicegui.nicegui import sio_app
from starlette.types import ASGIApp, Receive, Scope, Send

PAGE_ONLY = {
    "SessionMiddleware",
    "RequestTrackingMiddleware",
    "RedirectWithPrefixMiddleware",
    "SetCacheControlMiddleware",
}


SOCKETS = "/_nicegui_ws"  # where NiceGUI mounts its socket.io app
ANSWERED = (  # what FastAPI and Starlette add to a scope to answer it, unused afterwards
    "fastapi_astack",
    "fastapi_inner_astack",
    "fastapi_function_astack",
    "fastapi_middleware_astack",
    "starlette.exception_handlers",
    "endpoint",
    "router",
)


class ApiFirst:
    """HTTP requests under `prefix` go to `lean`, a page's websocket to `sockets`, everything
    else (pages, NiceGUI's files, the docs) to `full`."""

    def __init__(self, prefix: str, lean: ASGIApp, full: ASGIApp, sockets: ASGIApp) -> None:
        self.prefix, self.lean, self.full, self.sockets = prefix, lean, full, sockets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            await self.lean(scope, receive, send)
        elif scope["type"] == "websocket" and scope["path"].startswith(SOCKETS + "/"):
            mounted = {**scope, "root_path": scope.get("root_path", "") + SOCKETS}
            await self.sockets(mounted, receive, send)
        else:
            try:
                await self.full(scope, receive, send)
            finally:
                for key in ANSWERED:
                    scope.pop(key, None)


def install(app: FastAPI, prefix: str) -> None:
    """Build two stacks when the app builds its middleware stack (once per process)."""
    if getattr(app, "_api_first", False):
        return
    original = app.build_middleware_stack

    def build() -> ASGIApp:
        full = original()
        everything = app.user_middleware
        app.user_middleware = [m for m in everything if _name(m) not in PAGE_ONLY]
        try:
            lean = original()
        finally:
            app.user_middleware = everything
        return ApiFirst(prefix + "/", lean, full, sio_app)

    app.build_middleware_stack = build  # type: ignore[method-assign]
    app.__dict__["_api_first"] = True


def _name(middleware: Any) -> str:
    cls = middleware.cls
    return getattr(cls, "__name__", type(cls).__name__)
