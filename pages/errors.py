"""What a page that failed to build shows: never the exception's text.

NiceGUI's own error page prints `ExceptionName: text`, which can hold SQL, values, paths or
host names; an unexpected error gets a plain sentence instead (NiceGUI logs the exception
with its traceback). A domain error is raised on to the app's handler, which answers with
its message and status as the API does (the database down: 503 with Retry-After)."""

from __future__ import annotations

from nicegui import app, ui

import services

from .components import page_heading

PLAIN = "Something went wrong on our side. It has been logged; please try again."


def register() -> None:
    app.on_page_exception(show)


def show(error: Exception) -> None:
    if isinstance(error, services.DomainError):
        raise error
    with ui.column().classes("w-full items-center gap-4 py-20"):
        page_heading("This page could not be shown")
        ui.label(PLAIN).classes("text-lg opacity-70")
        ui.link("Back to the issues", "/")
