"""What a page that failed to build shows: never the exception's text.

NiceGUI's own error page prints `ExceptionName: text`, which can hold SQL, values, paths or
host names; an unexpected error gets a plain sentence instead (NiceGUI logs the exception
with its traceback). A domain error is raised on to the app's handler, which answers with
its message and status as the API does (the database down: 503 with Retry-After).

An address with no page behind it gets a page of ours too (NiceGUI's says
"HTTPException: 404: Not Found" and has no heading); a client that does not ask for HTML,
such as an API client, gets FastAPI's JSON."""

from __future__ import annotations

import logging

from fastapi import Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from nicegui import Client, app, ui
from starlette.exceptions import HTTPException

import services

from .components import page_heading
from .frame import frame
from .viewer import Viewer, viewer_for

log = logging.getLogger(__name__)
PLAIN = "Something went wrong on our side. It has been logged; please try again."
NOT_FOUND = "There is no page at this address. The link may be mistyped or out of date."


def register() -> None:
    app.on_page_exception(show)
    app.add_exception_handler(404, not_found)


def show(error: Exception) -> None:
    if isinstance(error, services.DomainError):
        raise error
    _message("This page could not be shown", PLAIN)


async def not_found(request: Request, exception: Exception) -> Response:
    endpoint = request.scope.get("endpoint")
    a_route_said_so = endpoint not in (None, app) and not request.scope.get("nicegui_page_path")
    if a_route_said_so or "text/html" not in request.headers.get("accept", ""):
        if isinstance(exception, HTTPException):
            return await http_exception_handler(request, exception)
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    viewer = await _viewer(request)
    with Client(ui.page(""), request=request) as client, frame(viewer, "Page not found"):
        _message("Page not found", NOT_FOUND)
    return client.build_response(request, 404)


async def _viewer(request: Request) -> Viewer | None:
    """Who is signed in, for the header's links; nobody if that cannot be told now."""
    try:
        return await viewer_for(request)
    except services.Unavailable:  # the database down: the page is still shown
        log.warning("404 page: the signed-in user could not be read (database unreachable)")
        return None


def _message(heading: str, text: str) -> None:
    with ui.column().classes("w-full items-center gap-4 py-20 px-4 text-center"):
        page_heading(heading)
        ui.label(text).classes("text-lg opacity-70")
        ui.link("Back to the issues", "/")
