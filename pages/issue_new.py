"""`/issues/new`: title, Markdown with preview, severity, files, tags (staff). The draft is
kept in the browser's storage until the issue is saved, so a failed save loses nothing.
Files are checked and staged on the server's disk as they arrive (never kept in memory) and
dropped again when removed from the form or when the page goes away unsaved."""

from __future__ import annotations

from typing import Any

from nicegui import app, events, run, ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services.schemas import MAX_DESCRIPTION, MAX_TITLE

from .components import (
    SEVERITIES,
    clear_invalid,
    human_size,
    mark_invalid,
    markdown_html,
    page_heading,
    tag_picker,
)
from .frame import frame, page
from .redirects import login_url
from .secret_warning import SecretWarning
from .similar_panel import SimilarWhileTyping
from .uploads import blocking_chunks, file_drop, limits_hint
from .viewer import Viewer, viewer_for

DRAFT = "issue_draft"
Staged = services.attachments.StagedFile


def register() -> None:
    @page("/issues/new")
    async def new_issue(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/issues/new"), status_code=303)
        with frame(viewer, "New issue"):
            form = NewIssueForm(viewer)
            if viewer.is_staff:
                known = await viewer.query(services.tags.tag_names)
                form.known_tags = known.value or []
            form.build()
        return None


class NewIssueForm:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.files: list[Staged] = []
        self.checking = 0  # files being checked right now: they have their place reserved
        self.max_files = services.uploads.policy().max_files_per_issue
        # Keyed by user: the browser storage outlives a sign-out on a shared computer.
        self.draft_key = f"{DRAFT}:{viewer.actor.id}"
        self.draft: dict[str, Any] = dict(app.storage.user.get(self.draft_key) or {})
        self.known_tags: list[str] = []  # suggested while tagging (staff)

    def build(self) -> None:
        page_heading("File a new issue")
        self.title = (
            ui.input("Title", value=self.draft.get("title", ""), on_change=self.keep_draft)
            .props(f"counter maxlength={MAX_TITLE} autofocus")
            .classes("w-full")
            .on("keydown.enter", self.save)  # Enter in the title files the issue
        )
        with ui.tabs().classes("self-start") as tabs:
            write = ui.tab("Write")
            preview_tab = ui.tab("Preview")
        self.panels = ui.tab_panels(tabs, value=write, on_change=self.show_preview)
        with self.panels.classes("w-full"):
            with ui.tab_panel(write).classes("p-0"):
                self.description = (
                    ui.textarea(
                        "Description (Markdown)",
                        value=self.draft.get("description", ""),
                        on_change=self.on_description,
                    )
                    .props(f"autogrow counter maxlength={MAX_DESCRIPTION}")
                    .classes("w-full")
                )
                SecretWarning(self.description)
            with ui.tab_panel(preview_tab).classes("p-0"):
                self.preview = markdown_html("")
        self.preview_tab = preview_tab
        SimilarWhileTyping(self.viewer, self.title, self.description)
        with ui.row().classes("w-full gap-4 items-start"):
            self.severity = ui.select(
                {s: s.capitalize() for s in SEVERITIES},
                label="Severity",
                value=self.draft.get("severity", "MEDIUM"),
                on_change=self.keep_draft,
            ).classes("w-40")
            self.tags = None
            if self.viewer.is_staff:
                self.tags = tag_picker(
                    "Tags", self.draft.get("tags", []), self.known_tags, self.keep_draft
                ).classes("grow")
        self.uploader = file_drop(
            f"Attach files: drop them here or click (+). {limits_hint()}, "
            f"{self.max_files} files per issue.",
            self.on_upload,
            max_files=self.max_files,
        ).classes("w-full")
        ui.context.client.on_delete(self.discard_files)  # closed or navigated away unsaved
        self.file_list = ui.column().classes("gap-1")
        with ui.row():
            self.submit = ui.button("File issue", icon="send", on_click=self.save)
            ui.button("Discard draft", on_click=self.discard).props("flat")

    def keep_draft(self) -> None:
        for field in (self.title, self.description):
            clear_invalid(field)
        self.draft = {
            "title": self.title.value or "",
            "description": self.description.value or "",
            "severity": self.severity.value,
            "tags": list(self.tags.value) if self.tags else [],
        }
        app.storage.user[self.draft_key] = self.draft

    async def on_description(self) -> None:
        self.keep_draft()
        # A browser that acts before its connection is up may send the switch to the preview
        # before the text typed just ahead of it: the preview follows the text that arrives.
        await self.show_preview()

    async def show_preview(self) -> None:
        if self.panels.value not in (self.preview_tab, "Preview"):
            return
        text = (self.description.value or "")[:MAX_DESCRIPTION]
        html = await run.io_bound(services.markdown.render, text)
        if text == (self.description.value or "")[:MAX_DESCRIPTION]:  # else a newer one follows
            self.preview.content = html

    async def on_upload(self, e: events.UploadEventArguments) -> None:
        # The browser's limits are hints; a script can post to the upload URL directly.
        if len(self.files) + self.checking >= self.max_files:
            ui.notify(f"{e.file.name}: at most {self.max_files} files per issue.", type="negative")
            return
        self.checking += 1
        try:
            result = await self.viewer.call(
                services.attachments.stage_file,
                filename=e.file.name,
                content=blocking_chunks(e.file),
                quiet=True,
            )
        finally:
            self.checking -= 1
        if result.value is None:
            message = result.error.message if result.error else "not accepted"
            ui.notify(f"{e.file.name}: {message}", type="negative", multi_line=True)
            return
        if self.uploader.is_deleted:  # the page went away while the file was checked
            await run.io_bound(services.attachments.discard_staged, [result.value])
            return
        self.files.append(result.value)
        self.uploader.reset()  # the list below shows staged files, with a remove button
        self.show_files()

    def show_files(self) -> None:
        self.file_list.clear()
        with self.file_list:
            for staged in self.files:
                with ui.row().classes("items-center gap-2"):
                    ui.icon("attach_file")
                    ui.label(staged.filename)
                    ui.label(f"{human_size(staged.size)}, {staged.content_type}").classes(
                        "text-xs opacity-70"
                    )
                    ui.button(icon="close", on_click=lambda s=staged: self.remove(s)).props(
                        'flat round dense aria-label="Remove file"'
                    )

    async def remove(self, staged: Staged) -> None:
        self.files.remove(staged)
        self.show_files()
        await run.io_bound(services.attachments.discard_staged, [staged])

    async def discard_files(self) -> None:
        files, self.files = self.files, []
        await run.io_bound(services.attachments.discard_staged, files)

    async def discard(self) -> None:
        app.storage.user.pop(self.draft_key, None)
        await self.discard_files()
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
                # The notification says why, the fields at fault say it too; the form and
                # the draft are untouched.
                mark_invalid({"title": self.title, "description": self.description}, created.error)
                return
            issue = created.value
            app.storage.user.pop(self.draft_key, None)
            failed = []
            for staged in list(self.files):
                result = await self.viewer.call(
                    services.attachments.save_attachment,
                    issue.id,
                    filename=staged.filename,
                    content=staged,
                    quiet=True,
                )
                if result.ok:
                    self.files.remove(staged)
                elif result.error is not None:
                    failed.append(f"{staged.filename}: {result.error.message}")
            await self.discard_files()  # the ones that could not be attached
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
