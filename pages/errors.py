"""What a page that failed to build shows: never the exception's text.

NiceGUI's own error page prints `ExceptionName: text`, which can hold SQL, values, paths or
host names. A domain error's message is written for people and is shown as it is; anything
else gets a plain sentence (NiceGUI logs the exception with its traceback)."""

from __future__ import annotations

from nicegui import app, ui

import services

PLAIN = "Something went wrong on our side. It has been logged; please try again."


def register() -> None:
    app.on_page_exception(show)


def show(error: Exception) -> None:
    message = error.message if isinstance(error, services.DomainError) else PLAIN
    with ui.column().classes("w-full items-center gap-4 py-20"):
        ui.label("This page could not be shown").classes("text-2xl font-semibold")
        ui.label(message).classes("text-lg opacity-70")
        ui.link("Back to the issues", "/")
