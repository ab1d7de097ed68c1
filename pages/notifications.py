"""`/notifications`: what changed on the viewer's issues, by whom, when; mark one or all
read. Live: new notifications appear while the page is open."""

from __future__ import annotations

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services

from .components import page_heading, when
from .frame import frame, page
from .live import hub
from .redirects import login_url
from .viewer import Viewer, viewer_for


def register() -> None:
    @page("/notifications")
    async def notifications_page(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/notifications"), status_code=303)
        with frame(viewer, "Notifications"):
            await NotificationList(viewer).build()
        return None


class NotificationList:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    async def build(self) -> None:
        with ui.row().classes("w-full items-center"):
            page_heading("Notifications")
            ui.button("Mark all read", icon="done_all", on_click=self.mark_all).props(
                "flat no-caps"
            ).classes("ml-auto")
        self.box = ui.column().classes("w-full gap-1")
        await self.refresh()
        hub.watch(self.viewer, lambda _change: False, self.refresh, notices=True)

    async def refresh(self) -> None:
        result = await self.viewer.query(services.notify.list_notifications, limit=100)
        if result.value is None:
            return
        self.box.clear()
        with self.box:
            if not result.value:
                ui.label("Nothing yet: you will be told here when your issues change.").classes(
                    "opacity-70"
                )
            for note in result.value:
                self._row(note)

    def _row(self, note: services.notify.NotificationView) -> None:
        with (
            ui.card().classes(
                "w-full py-2 px-3" + ("" if note.read else " border-l-4 border-primary")
            ),
            ui.row().classes("w-full items-center gap-2 no-wrap"),
        ):
            ui.icon("circle" if not note.read else "radio_button_unchecked", size="xs").classes(
                "text-primary" if not note.read else "opacity-40"
            )
            with ui.column().classes("grow gap-0 min-w-0"):
                ui.label(note.text).classes("font-semibold" if not note.read else "")
                link = ui.link(f"#{note.issue_id} {note.issue_title}", note.link).classes(
                    "wrap-anywhere"
                )
                link.on("click", lambda n=note: self.mark(n, navigate=False))
            ui.label(when(note.created_at)).classes("text-xs opacity-70 whitespace-nowrap")
            if not note.read:
                button = ui.button(
                    icon="done", on_click=lambda n=note: self.mark(n, navigate=False)
                ).props("flat round dense")
                button.props["aria-label"] = "Mark read"
                button.props["title"] = "Mark read"

    async def mark(self, note: services.notify.NotificationView, *, navigate: bool) -> None:
        result = await self.viewer.call(services.notify.mark_read, note.id)
        if result.ok:
            await self.refresh()
            if navigate:
                ui.navigate.to(note.link)

    async def mark_all(self) -> None:
        result = await self.viewer.call(services.notify.mark_all_read)
        if result.ok:
            await self.refresh()
