"""`/issues/new`: title, Markdown with preview, severity, files, tags (staff). The draft is
kept in the browser's storage until the issue is saved, so a failed save loses nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nicegui import app, events, run, ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services.schemas import MAX_DESCRIPTION, MAX_TITLE

from . import config
from .components import SEVERITIES, human_size, markdown_html
from .frame import frame
from .redirects import login_url
from .uploads import TYPES_HINT, file_drop
from .viewer import Viewer, viewer_for

DRAFT = "issue_draft"
MAX_FILES = 10


@dataclass
class Staged:
    name: str
    data: bytes
    content_type: str


def register() -> None:
    @ui.page("/issues/new")
    async def new_issue(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/issues/new"), status_code=303)
        with frame(viewer, "New issue"):
            NewIssueForm(viewer).build()
        return None


class NewIssueForm:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.files: list[Staged] = []
        self.max_staged = 4 * config.current().max_upload_bytes
        # Keyed by user: the browser storage outlives a sign-out on a shared computer.
        self.draft_key = f"{DRAFT}:{viewer.actor.id}"
        self.draft: dict[str, Any] = dict(app.storage.user.get(self.draft_key) or {})

    def build(self) -> None:
        ui.label("File a new issue").classes("text-2xl font-semibold")
        self.title = (
            ui.input("Title", value=self.draft.get("title", ""), on_change=self.keep_draft)
            .props(f"counter maxlength={MAX_TITLE} autofocus")
            .classes("w-full")
        )
        with ui.tabs().classes("self-start") as tabs:
            write = ui.tab("Write")
            preview_tab = ui.tab("Preview")
        with ui.tab_panels(tabs, value=write, on_change=self.on_tab).classes("w-full"):
            with ui.tab_panel(write).classes("p-0"):
                self.description = (
                    ui.textarea(
                        "Description (Markdown)",
                        value=self.draft.get("description", ""),
                        on_change=self.keep_draft,
                    )
                    .props(f"autogrow counter maxlength={MAX_DESCRIPTION}")
                    .classes("w-full")
                )
            with ui.tab_panel(preview_tab).classes("p-0"):
                self.preview = markdown_html("")
        self.preview_tab = preview_tab
        with ui.row().classes("w-full gap-4 items-start"):
            self.severity = ui.select(
                {s: s.capitalize() for s in SEVERITIES},
                label="Severity",
                value=self.draft.get("severity", "MEDIUM"),
                on_change=self.keep_draft,
            ).classes("w-40")
            self.tags = None
            if self.viewer.is_staff:
                self.tags = ui.input_chips(
                    "Tags", value=self.draft.get("tags", []), on_change=self.keep_draft
                ).classes("grow")
        limit = human_size(config.current().max_upload_bytes)
        self.uploader = file_drop(
            f"Attach files: drop them here or click (+). {TYPES_HINT}; up to {limit} each, "
            f"{MAX_FILES} files per issue.",
            self.on_upload,
            max_files=MAX_FILES,
        ).classes("w-full")
        self.file_list = ui.column().classes("gap-1")
        with ui.row():
            self.submit = ui.button("File issue", icon="send", on_click=self.save)
            ui.button("Discard draft", on_click=self.discard).props("flat")

    def keep_draft(self) -> None:
        self.draft = {
            "title": self.title.value or "",
            "description": self.description.value or "",
            "severity": self.severity.value,
            "tags": list(self.tags.value) if self.tags else [],
        }
        app.storage.user[self.draft_key] = self.draft

    async def on_tab(self, e: events.ValueChangeEventArguments) -> None:
        if e.value == self.preview_tab or e.value == "Preview":
            text = (self.description.value or "")[:MAX_DESCRIPTION]
            self.preview.content = await run.io_bound(services.markdown.render, text)

    async def on_upload(self, e: events.UploadEventArguments) -> None:
        # The browser's limits are hints; a script can post to the upload URL directly.
        staged_bytes = sum(len(f.data) for f in self.files)
        if len(self.files) >= MAX_FILES or staged_bytes + e.file.size() > self.max_staged:
            ui.notify(
                f"{e.file.name}: at most {MAX_FILES} files and "
                f"{human_size(self.max_staged)} per issue.",
                type="negative",
            )
            return
        data = await e.file.read()
        try:
            kind = services.attachments.check_upload(data[:8192], len(data))
        except services.DomainError as error:
            ui.notify(f"{e.file.name}: {error.message}", type="negative")
            return
        self.files.append(Staged(name=e.file.name, data=data, content_type=kind))
        self.uploader.reset()  # the list below shows staged files, with a remove button
        self.show_files()

    def show_files(self) -> None:
        self.file_list.clear()
        with self.file_list:
            for staged in self.files:
                with ui.row().classes("items-center gap-2"):
                    ui.icon("attach_file")
                    ui.label(staged.name)
                    ui.label(f"{human_size(len(staged.data))}, {staged.content_type}").classes(
                        "text-xs opacity-70"
                    )
                    ui.button(icon="close", on_click=lambda s=staged: self.remove(s)).props(
                        'flat round dense aria-label="Remove file"'
                    )

    def remove(self, staged: Staged) -> None:
        self.files.remove(staged)
        self.show_files()

    def discard(self) -> None:
        app.storage.user.pop(self.draft_key, None)
        ui.navigate.to("/")

    async def save(self) -> None:
        self.keep_draft()
        self.submit.disable()
        try:
            data = {
                "title": self.draft["title"],
                "description": self.draft["description"],
                "severity": self.draft["severity"],
            }
            if self.draft["tags"]:
                data["tags"] = self.draft["tags"]
            created = await self.viewer.call(services.issues.create_issue, data)
            if not created.ok or created.value is None:
                return  # the notification says why; the form and the draft are untouched
            issue = created.value
            app.storage.user.pop(self.draft_key, None)
            failed = []
            for staged in self.files:
                result = await self.viewer.call(
                    services.attachments.save_attachment,
                    issue.id,
                    filename=staged.name,
                    content=staged.data,
                    quiet=True,
                )
                if not result.ok and result.error is not None:
                    failed.append(f"{staged.name}: {result.error.message}")
            if failed:
                ui.notify(
                    "Issue filed, but some files were not attached: " + "; ".join(failed),
                    type="warning",
                    multi_line=True,
                    timeout=0,
                    close_button=True,
                )
            else:
                ui.notify(f"Issue #{issue.id} filed.", type="positive")
            ui.navigate.to(f"/issues/{issue.id}")
        finally:
            self.submit.enable()
