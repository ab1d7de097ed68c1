"""The landing page served until the full browser UI lands."""

from __future__ import annotations

from nicegui import ui


def register() -> None:
    @ui.page("/", title="Issues & Insights Tracker")
    def home() -> None:
        with ui.column().classes("w-full max-w-2xl mx-auto p-8 gap-4"):
            ui.label("Issues & Insights Tracker").classes("text-3xl font-semibold")
            ui.label(
                "The server is running. Use the `tracker` command line or the `services` "
                "package from a notebook to work with issues; the browser pages come next."
            )
            ui.link("Health check", "/healthz")
