"""The editing parts of the issue page: the edit form with its conflict dialog, and the
file drop zone."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from nicegui import events, ui

import services
from services.schemas import MAX_DESCRIPTION, MAX_TITLE

from .components import SEVERITIES, PageDialog, answer, markdown_html, severity_badge
from .uploads import blocking_chunks, file_drop, limits_hint

if TYPE_CHECKING:
    from .issue_detail import IssuePage


E = TypeVar("E", bound=ui.element)


def after(sibling: ui.element, element: E) -> E:
    """`element`, made elsewhere, moved to just after `sibling` (for parts of a page made
    when first needed, in their place)."""
    slot = sibling.parent_slot
    assert slot is not None
    element.move(slot.parent, slot.children.index(sibling) + 1)
    return element


class Editor:
    """Title, description and severity, edited against the version the user started from."""

    def __init__(self, page: IssuePage) -> None:
        self.page = page
        self.version = 0
        # The form is made at the first "Edit": most views of an issue never edit it.
        self.card: ui.card | None = None

    def _make(self) -> ui.card:
        """The form, under the issue's buttons."""
        self.card = card = after(self.page.actions_box, ui.card().classes("w-full"))
        with card:
            ui.label("Edit issue").classes("text-lg font-semibold")
            self.title = ui.input("Title").props(f"counter maxlength={MAX_TITLE}").classes("w-full")
            self.description = (
                ui.textarea("Description (Markdown)")
                .props(f"autogrow counter maxlength={MAX_DESCRIPTION}")
                .classes("w-full")
            )
            self.severity = ui.select(
                {s: s.capitalize() for s in SEVERITIES}, label="Severity"
            ).classes("w-40")
            with ui.row():
                ui.button("Save", icon="save", on_click=self.save)
                ui.button("Cancel", on_click=self.close).props("flat")
        return card

    def open(self) -> None:
        assert self.page.data is not None
        card = self.card or self._make()
        issue = self.page.data.issue
        self.title.value = issue.title
        self.description.value = issue.description
        self.severity.value = issue.severity.value
        self.version = issue.version
        card.set_visibility(True)

    def close(self) -> None:
        if self.card is not None:
            self.card.set_visibility(False)

    async def save(self) -> None:
        change = {
            "title": self.title.value or "",
            "description": self.description.value or "",
            "severity": self.severity.value,
        }
        result = await self.page.viewer.call(
            services.issues.update_issue,
            self.page.issue_id,
            change,
            version=self.version,
            quiet=True,
        )
        if isinstance(result.error, services.Conflict):
            await self.conflict(result.error.current)
        elif result.error is not None:
            ui.notify(result.error.message, type="negative", multi_line=True)
        else:
            ui.notify("Saved.", type="positive")
            self.close()
            await self.page.refresh()

    async def conflict(self, current: services.IssueView | None) -> None:
        """Show what changed meanwhile; the user's draft stays in the form."""
        if current is None:
            return
        # The page's own dialog: the other person's change refreshes the page live meanwhile.
        with PageDialog() as dialog, ui.card().classes("max-w-2xl"):
            ui.label("Someone else changed this issue while you were editing").classes(
                "text-lg font-semibold"
            )
            ui.label(f"It is now at version {current.version}. Current values:")
            with ui.column().classes("gap-1 border rounded p-2 w-full"):
                ui.label(current.title).classes("font-semibold wrap-anywhere")
                severity_badge(current.severity.value)
                markdown_html(current.description_html)
            ui.label("Your changes are still in the form.")
            with ui.row():
                ui.button("Save mine over it", on_click=lambda: dialog.submit("overwrite"))
                ui.button("Keep editing", on_click=lambda: dialog.submit("edit")).props("flat")
                ui.button("Discard mine", on_click=lambda: dialog.submit("discard")).props("flat")
        choice = await answer(dialog)
        self.version = current.version
        if choice == "overwrite":
            await self.save()
        elif choice == "discard":
            self.close()
        await self.page.refresh()


def attach_control(page: IssuePage) -> None:
    """A drop zone that attaches files to the issue at once."""

    async def on_upload(e: events.UploadEventArguments) -> None:
        result = await page.viewer.call(
            services.attachments.save_attachment,
            page.issue_id,
            filename=e.file.name,
            content=blocking_chunks(e.file),
            quiet=True,
        )
        if result.error is not None:
            ui.notify(f"{e.file.name}: {result.error.message}", type="negative", multi_line=True)
        else:
            uploader.reset()  # the attachment now shows in the list above
            await page.refresh()

    uploader = file_drop(f"Add files ({limits_hint()})", on_upload)
    uploader.classes("w-full max-w-xl").props("flat bordered")
