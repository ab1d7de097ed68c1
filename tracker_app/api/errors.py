"""Domain errors to HTTP: one JSON shape, {"detail": ...}, never a stack trace; a browser
opening a page while the database is down gets a small "try again" page instead."""

from __future__ import annotations

import html
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

import services

log = logging.getLogger(__name__)

STATUS: list[tuple[type[services.DomainError], int]] = [
    (services.NotFound, 404),
    (services.AuthenticationFailed, 401),
    (services.PermissionDenied, 403),
    (services.TooLarge, 413),
    (services.UnsupportedType, 415),
    (services.InvalidTransition, 409),
    (services.InvalidInput, 422),
    (services.Conflict, 409),
    (services.RateLimited, 429),
    (services.Unavailable, 503),
    (services.StorageError, 503),
]


TRY_AGAIN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Try again in a moment</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 4em auto; padding: 0 1em">
<h1>Try again in a moment</h1><p>{}</p><p><a href="">Try again</a></p></body></html>
"""


def install(app: FastAPI) -> None:
    app.add_exception_handler(services.DomainError, _domain_error)  # type: ignore[arg-type]


def status_of(error: services.DomainError) -> int:
    return next((code for kind, code in STATUS if isinstance(error, kind)), 400)


async def _domain_error(request: Request, error: services.DomainError) -> Response:
    body: dict[str, Any] = {"detail": error.message}
    headers: dict[str, str] = {}
    if isinstance(error, services.Unavailable | services.StorageError) and _browser_page(request):
        return HTMLResponse(TRY_AGAIN.format(html.escape(error.message)), 503, {"Retry-After": "5"})
    if isinstance(error, services.InvalidTransition):
        body["allowed"] = error.allowed
    elif isinstance(error, services.InvalidInput) and error.errors:
        body["errors"] = error.errors
    if isinstance(error, services.Conflict) and error.current is not None:
        body["current"] = jsonable_encoder(error.current)
    if isinstance(error, services.AuthenticationFailed):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, services.Unavailable | services.StorageError):
        headers["Retry-After"] = "5"
    if isinstance(error, services.RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse(body, status_code=status_of(error), headers=headers)


def _browser_page(request: Request) -> bool:
    """A browser navigating to a page (it asks for HTML), not an API client."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


class ApiErrors:
    """Unexpected errors under /api/ answer a plain JSON 500 (NiceGUI would render its error
    page, with the exception's text, for any route)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            log.exception("unexpected error in %s %s", scope.get("method"), scope["path"])
            if started:
                raise
            response = JSONResponse({"detail": "Internal error; it has been logged."}, 500)
            await response(scope, receive, send)
