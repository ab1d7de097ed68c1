"""Duplicates on the issue page: the link of a duplicate to its original (with the
original's status, live), how many reporters an original affects, and for staff the
possible duplicates with their score and why, each one click from being merged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import events, ui

import services
from services import permissions

from . import markup
from .components import MAX_ID, STATUS_LABELS, PageDialog, answer
from .viewer import Viewer


def original_visible(s: Any, actor: services.Actor, issue: services.IssueView) -> bool:
    """May this person open the original of this duplicate (staff, or it is theirs)?"""
    if issue.duplicate_of is None:
        return False
    try:
        services.issues.get_issue(s, actor, issue.duplicate_of)
    except services.NotFound:
        return False
    return True


def duplicate_line(issue: services.IssueView, *, can_open: bool) -> str:
    """Under the title, as markup: this issue is a duplicate (of what, where that stands),
    or how many reporters it affects."""
    if issue.duplicate_of is not None:
        parts = [markup.icon("content_copy", "opacity-70")]
        if can_open:
            original = issue.duplicate_of
            parts.append("<div>Duplicate of</div>")
            parts.append(markup.link(f"#{original}", f"/issues/{original}", ""))
        else:
            parts.append("<div>Closed as a duplicate of another report</div>")
        if issue.original_status is not None:
            parts.append("<div>· the original is</div>")
            parts.append(markup.status_badge(issue.original_status.value, live=True))
        parts.append(markup.span("· reopen this issue to undo", "opacity-70"))
        return markup.row(parts, "items-center gap-2 text-sm", ' role="status"')
    if issue.affected > 1:
        return (
            '<div class="text-sm font-medium" role="status">'
            f"Affects {issue.affected} reporters</div>"
        )
    return ""


BOX = "nicegui-column w-full gap-1"  # the classes of the possible duplicates' box
NOTE = "text-xs opacity-70"
ITEM = "flex no-wrap items-center gap-2 min-w-0 max-sm:flex-wrap"


class PossibleDuplicates:
    """Staff only: issues that may be this one, each with "Mark as duplicate of #N", as one
    element; and the dialog of "Mark as duplicate…" (the page's button) for any other."""

    def __init__(
        self,
        viewer: Viewer,
        issue_id: int,
        on_merged: Callable[[], Awaitable[None]],
        parts: markup.Parts,
    ) -> None:
        """Shown as the piece "duplicates" of `parts`."""
        self.viewer = viewer
        self.issue_id = issue_id
        self.on_merged = on_merged
        self.version = 0  # the issue's, as its page shows it (set by the page)
        self.parts = parts
        parts.element.on("click", self._clicked, js_handler=markup.ACTION)

    async def refresh(self, issue: services.IssueView) -> None:
        if not permissions.can_triage(self.viewer.actor) or issue.duplicate_of is not None:
            self.parts.set("duplicates", "")
            return
        found = await self.viewer.query(services.suggest.possible_duplicates, self.issue_id)
        if found.value is None or self.parts.element.is_deleted:
            return
        self.parts.set("duplicates", self._draw(found.value))

    @staticmethod
    def _draw(found: services.suggest.Suggestions) -> str:
        """The list as markup (a NiceGUI row, link and button per item cost ~15 elements for
        five), its buttons answered by one handler."""
        note = ""
        if found.mode == "lexical":
            note = markup.span("(matched by words only: no similarity model is installed)", NOTE)
        parts = [
            markup.row(
                [markup.span("Possible duplicates", "text-lg font-semibold"), note],
                "items-baseline gap-2",
            )
        ]
        if not found.items:
            parts.append(markup.span("None found.", "opacity-60 text-sm"))
        for item in found.items:
            issue = markup.similar_issue(item, score=True, new_tab=False)
            parts.append(
                markup.row(
                    [
                        f'<div class="{ITEM}">{issue}</div>',
                        markup.button(
                            "merge",
                            f'type="button" data-action="{item.id}"',
                            label=markup.span(f"Mark as duplicate of #{item.id}", "block"),
                            classes="text-primary q-btn--rectangle q-btn--no-uppercase"
                            " q-btn--dense",
                        ),
                    ],
                    "w-full items-center gap-2 no-wrap max-sm:flex-wrap",
                )
            )
        return "".join(parts)

    async def _clicked(self, e: events.GenericEventArguments) -> None:
        if isinstance(e.args, str) and e.args.isdecimal() and len(e.args) < 19:  # its issue
            await self.merge(int(e.args))

    async def ask(self) -> None:
        """ "Mark as duplicate…": the original's number, in a dialog made when asked for."""
        with PageDialog() as dialog, ui.card():
            ui.label("Mark as a duplicate").classes("text-lg font-semibold")
            number = ui.number("Of issue #", min=1, format="%d").props("autofocus")
            number.on("keydown.enter", lambda: dialog.submit(number.value or 0))
            with ui.row():
                ui.button("Mark as duplicate", on_click=lambda: dialog.submit(number.value or 0))
                ui.button("Cancel", on_click=lambda: dialog.submit(None)).props("flat")
        original = await answer(dialog)
        if original is not None:
            await self.merge(int(original))

    async def merge(self, original: int) -> None:
        if not 1 <= original <= MAX_ID:
            ui.notify("Give the number of the original issue.", type="warning")
            return
        result = await self.viewer.call(
            services.duplicates.mark_duplicate, self.issue_id, original, version=self.version
        )
        if isinstance(result.error, services.Conflict):
            ui.notify(
                "Someone changed this issue a moment ago; check it and try again.",
                type="warning",
            )
        elif result.ok:
            label = STATUS_LABELS["DONE"]
            ui.notify(f"Closed ({label}) as a duplicate of #{original}.", type="positive")
        await self.on_merged()
