"""`/admin/jobs` (ADMIN): the background jobs — last run, result, failures — and links to
the webhook deliveries (/admin/webhooks) and the queue dashboard at /rq when Redis is used."""

from __future__ import annotations

import logging

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import permissions

from . import config
from .components import page_heading, when
from .frame import frame, page
from .redirects import login_url
from .viewer import Viewer, viewer_for

log = logging.getLogger(__name__)

TITLES = {
    "refresh-today": "Today's counts (every 5 minutes)",
    "close-yesterday": "Yesterday's final counts (00:15 UTC)",
    "recompute-day": "One-off recomputes",
    "analyse": "Reading files, descriptions and comments (one run per item)",
}


def register() -> None:
    @page("/admin/jobs")
    async def admin_jobs(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/admin/jobs"), status_code=303)
        with frame(viewer, "Jobs"):
            if not permissions.can_run_jobs(viewer.actor):
                ui.label("Only administrators can see the jobs.")
                return None
            await JobsPanel(viewer).build()
        return None


class JobsPanel:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    async def build(self) -> None:
        with ui.row().classes("w-full items-center"):
            page_heading("Background jobs")
            ui.space()
            ui.button("Recompute today now", icon="refresh", on_click=self.run_now)
            ui.link("Webhooks", "/admin/webhooks").classes("ml-4")
            if config.current().job_queue:
                ui.link("Queue dashboard", "/rq").classes("ml-4")
        if not config.current().job_queue:
            ui.label("Without Redis the jobs run inside the web process, on a timer.").classes(
                "opacity-70"
            )
        self.box = ui.column().classes("w-full gap-2")
        await self.reload()

    async def reload(self) -> None:
        overview = await self.viewer.call(services.jobs.job_overview)
        failures = await self.viewer.call(services.jobs.recent_failures)
        if overview.value is None or failures.value is None:
            return
        self.box.clear()
        with self.box:
            for job in overview.value:
                with ui.card().classes("w-full"), ui.row().classes("w-full items-center gap-4"):
                    ui.icon(
                        "check_circle"
                        if job.last_ok
                        else "error"
                        if job.last_ok is False
                        else "schedule",
                        color="positive"
                        if job.last_ok
                        else "negative"
                        if job.last_ok is False
                        else "grey",
                    )
                    with ui.column().classes("gap-0 grow"):
                        ui.label(TITLES.get(job.name, job.name)).classes("font-medium")
                        last = when(job.last_started) if job.last_started else "never"
                        ui.label(f"last run {last} · {job.last_message}").classes("text-sm")
                    ui.label(f"{job.failures_7d} failures in 7 days").classes("text-sm")
            if failures.value:
                ui.label("Recent failures").classes("text-lg font-semibold mt-4")
                for failure in failures.value:
                    ui.label(
                        f"{when(failure['started_at'])} · {failure['name']} · "
                        f"{failure['attempts']} attempts · {failure['message']}"
                    ).classes("text-sm text-negative")

    async def run_now(self) -> None:
        try:
            result = await self.viewer.call(services.jobs.recompute_today)
        except Exception:  # recorded in job_runs; its text may hold SQL or values: log only
            log.exception("'Recompute today now' failed")
            ui.notify(
                "The recompute failed. It is listed under Recent failures; the details are "
                "in the server log.",
                type="negative",
            )
        else:
            if result.value is not None:
                counts = ", ".join(f"{k} {v}" for k, v in result.value.items())
                ui.notify(f"Today: {counts}", type="positive")
        await self.reload()
