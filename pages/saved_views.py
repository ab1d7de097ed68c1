"""`/views`: the viewer's saved views and the shared ones; open, rename or delete them, and
(admins) share one with everyone or stop sharing it. Live."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import permissions
from services.views import ViewInfo

from .admin_users import confirm
from .components import page_heading
from .frame import frame, page
from .live import hub
from .redirects import login_url
from .save_view import ask_name
from .viewer import Result, Viewer, viewer_for

Action = Callable[[ViewInfo], Awaitable[None]]


def register() -> None:
    @page("/views")
    async def saved_views(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/views"), status_code=303)
        with frame(viewer, "Saved views"):
            await ViewsPanel(viewer).build()
        return None


def describe(query: str) -> str:
    """A view's filters and sort in a line: "status OPEN · tag bug · sort -severity"."""
    return " · ".join(f"{k} {v}" for k, v in parse_qsl(query)) or "all issues, newest changes first"


class ViewsPanel:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    async def build(self) -> None:
        page_heading("Saved views")
        ui.label(
            "“Save view” on the issue list keeps its filters and sort under a name; your views "
            "are yours alone. A shared view is listed for everyone, and shows each person only "
            "the issues they may see."
        ).classes("text-sm opacity-70")
        self.box = ui.column().classes("w-full gap-1")
        await self.refresh()
        hub.watch(self.viewer, lambda _change: False, self.refresh, views=True)

    async def refresh(self) -> None:
        result = await self.viewer.query(services.views.list_views)
        if result.value is None or self.box.is_deleted:
            return
        self.box.clear()
        with self.box:
            if not result.value:
                ui.label("No saved views yet.").classes("opacity-70")
            for view in result.value:
                self._row(view)

    def _row(self, view: ViewInfo) -> None:
        me = self.viewer.actor
        with ui.row().classes("w-full items-center gap-3 no-wrap"):
            with ui.column().classes("gap-0 grow min-w-0"):
                ui.link(view.name, view.url).classes("font-medium")
                ui.label(describe(view.query)).classes("text-xs opacity-70 break-all")
            if view.shared:
                ui.chip("shared", icon="group").props("dense outline")
            if permissions.can_change_view(me, view.owner_id, view.shared):
                self._button("Rename", f"rename-{view.id}", view, self.rename)
                self._button("Delete", f"delete-{view.id}", view, self.delete)
            if permissions.can_share_views(me):
                label = "Stop sharing" if view.shared else "Share"
                self._button(label, f"share-{view.id}", view, self.share)

    @staticmethod
    def _button(label: str, marker: str, view: ViewInfo, action: Action) -> None:
        button = ui.button(label, on_click=lambda: action(view)).props("flat dense no-caps")
        button.props["aria-label"] = f"{label}: {view.name}"
        button.mark(marker)

    async def rename(self, view: ViewInfo) -> None:
        def attempt(name: str, _replace: bool, _shared: bool) -> Awaitable[Result[ViewInfo]]:
            return self.viewer.call(services.views.update_view, view.id, {"name": name}, quiet=True)

        renamed = await ask_name(f"Rename “{view.name}”", "Rename", attempt, name=view.name)
        if renamed is not None:
            ui.notify(f"Renamed to “{renamed.name}”.")
            await self.refresh()

    async def delete(self, view: ViewInfo) -> None:
        shared = " Everyone loses it from their saved views." if view.shared else ""
        if not await confirm(f"Delete the view “{view.name}”?{shared}"):
            return
        if (await self.viewer.call(services.views.delete_view, view.id)).ok:
            ui.notify(f"Deleted the view “{view.name}”.")
            await self.refresh()

    async def share(self, view: ViewInfo) -> None:
        change = {"shared": not view.shared}
        result = await self.viewer.call(services.views.update_view, view.id, change)
        if result.value is not None:
            shared = result.value.shared
            ui.notify("Shared with everyone." if shared else "No longer shared.")
            await self.refresh()
