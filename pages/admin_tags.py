"""`/admin/tags` (ADMIN): every tag with how many issues carry it; rename one, or merge it
into another by renaming it to that one's name."""

from __future__ import annotations

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import permissions
from services.events import ChangeEvent

from .components import PageDialog, answer, page_heading
from .frame import frame, page
from .live import hub
from .redirects import login_url
from .viewer import Viewer, viewer_for


def register() -> None:
    @page("/admin/tags")
    async def admin_tags(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/admin/tags"), status_code=303)
        with frame(viewer, "Tags"):
            if not permissions.can_manage_users(viewer.actor):
                ui.label("Only administrators can rename or merge tags.")
                return None
            await TagsPanel(viewer).build()
        return None


class TagsPanel:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    async def build(self) -> None:
        page_heading("Tags")
        ui.label(
            "Rename a tag on every issue that carries it; renaming it to an existing tag's "
            "name merges the two. Each issue's timeline records the change."
        ).classes("text-sm opacity-70")
        self.box = ui.column().classes("w-full gap-1")
        await self.refresh()
        hub.watch(self.viewer, self.wants, self.refresh)

    def wants(self, change: ChangeEvent) -> bool:
        return change.kind == "issue"

    async def refresh(self) -> None:
        result = await self.viewer.query(services.tags.list_tags)
        if result.value is None or self.box.is_deleted:
            return
        self.box.clear()
        with self.box:
            if not result.value:
                ui.label("No tags yet.").classes("opacity-70")
            for tag in result.value:
                with ui.row().classes("items-center gap-3"):
                    ui.chip(tag.name, icon="sell").props("dense outline")
                    ui.label(f"{tag.issues} issues").classes("text-sm opacity-70 w-20")
                    button = ui.button(
                        "Rename or merge", on_click=lambda t=tag.name: self.rename(t)
                    ).props("flat dense no-caps")
                    button.props["aria-label"] = f"Rename or merge the tag {tag.name}"
                    button.mark(f"rename-{tag.name}")

    async def rename(self, old: str) -> None:
        with PageDialog() as dialog, ui.card():
            ui.label(f"Rename “{old}”").classes("text-lg font-semibold")
            new = ui.input("New name (an existing tag's name merges them)").classes("w-80")
            new.on("keydown.enter", lambda: dialog.submit(new.value))
            with ui.row():
                ui.button("Rename", on_click=lambda: dialog.submit(new.value)).mark("rename-submit")
                ui.button("Cancel", on_click=lambda: dialog.submit(None)).props("flat")
        name = await answer(dialog)
        if not name:
            return
        result = await self.viewer.call(services.tags.rename_tag, old, name)
        if result.ok:
            ui.notify(f"“{old}” is now “{name.strip().lower()}” on {result.value} issues.")
            await self.refresh()
