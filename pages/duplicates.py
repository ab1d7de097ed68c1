"""Duplicates on the issue page: the link of a duplicate to its original (with the
original's status, live), how many reporters an original affects, and for staff the
possible duplicates with their score and why, each one click from being merged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

import services
from services import permissions

from . import markup
from .components import STATUS_LABELS, status_badge
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


def duplicate_line(issue: services.IssueView, *, can_open: bool) -> None:
    """Under the title: this issue is a duplicate (of what, where that stands), or how many
    reporters it affects."""
    if issue.duplicate_of is not None:
        with ui.row().classes("items-center gap-2 text-sm").props('role="status"'):
            ui.icon("content_copy").classes("opacity-70")
            if can_open:
                ui.label("Duplicate of")
                ui.link(f"#{issue.duplicate_of}", f"/issues/{issue.duplicate_of}")
            else:
                ui.label("Closed as a duplicate of another report")
            if issue.original_status is not None:
                ui.label("· the original is")
                status_badge(issue.original_status.value)
            ui.label("· reopen this issue to undo").classes("opacity-70")
    elif issue.affected > 1:
        ui.label(f"Affects {issue.affected} reporters").classes("text-sm font-medium").props(
            'role="status"'
        )


class PossibleDuplicates:
    """Staff only: issues that may be this one, and "Mark as duplicate of #N"."""

    def __init__(self, viewer: Viewer, issue_id: int, on_merged: Callable[[], Awaitable[None]]):
        self.viewer = viewer
        self.issue_id = issue_id
        self.on_merged = on_merged
        self.version = 0
        self.box = ui.column().classes("w-full gap-1")

    async def refresh(self, issue: services.IssueView) -> None:
        self.version = issue.version
        if not permissions.can_triage(self.viewer.actor) or issue.duplicate_of is not None:
            self.box.clear()
            return
        found = await self.viewer.query(services.suggest.possible_duplicates, self.issue_id)
        if found.value is None or self.box.is_deleted:
            return
        self.box.clear()
        with self.box:
            self._draw(found.value)

    def _draw(self, found: services.suggest.Suggestions) -> None:
        with ui.row().classes("items-baseline gap-2"):
            ui.label("Possible duplicates").classes("text-lg font-semibold")
            if found.mode == "lexical":
                ui.label("(matched by words only: no similarity model is installed)").classes(
                    "text-xs opacity-70"
                )
        if not found.items:
            ui.label("None found.").classes("opacity-60 text-sm")
        for item in found.items:
            with ui.row().classes("w-full items-center gap-2 no-wrap max-sm:flex-wrap"):
                markup.show(
                    [markup.similar_issue(item, score=True, new_tab=False)],
                    classes="flex no-wrap items-center gap-2 min-w-0 max-sm:flex-wrap",
                )
                button = ui.button(
                    f"Mark as duplicate of #{item.id}",
                    icon="merge",
                    on_click=lambda i=item.id: self.merge(i),
                ).props("flat dense no-caps")
                if item.likely_duplicate:
                    button.props("color=primary")
        with ui.row().classes("items-center gap-2"):
            other = ui.number("Duplicate of #", min=1, format="%d").props("dense").classes("w-36")
            ui.button("Mark", on_click=lambda: self.merge(int(other.value or 0))).props(
                "flat dense"
            )

    async def merge(self, original: int) -> None:
        if original < 1:
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
