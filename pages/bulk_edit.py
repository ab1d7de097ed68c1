"""The issue list's bulk edit (staff): a checkbox per row (shift-click selects a range), the
header's checkbox for the page, "select all N matching" for the whole filter, and one
dialog that sets status, severity, assignee, tags or adds a comment for all of them at once
(services.bulk). What could not change is listed under the bar, each issue with its reason,
and stays selected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

import services
from services import IssueFilter
from services.bulk import MAX_ISSUES, BulkResult

from .components import (
    RESOLUTION_LABELS,
    SEVERITIES,
    STATUS_LABELS,
    STATUSES,
    mark_invalid,
    tag_picker,
)
from .live_rows import LiveRows
from .viewer import Viewer

KEEP = "keep"
NOBODY = "nobody"
CLOSINGS = ("fixed", "wont_fix", "invalid")  # a duplicate is marked one at a time
# The row's checkbox: labelled for screen readers; tells the server whether shift was held.
# (Quasar puts these in the selection column's own cells.)
CELL_SELECT = r"""
<q-checkbox dense :model-value="props.selected" :aria-label="'Select issue #' + props.row.id"
  @update:model-value="(on, evt) => $parent.$emit('pick',
    {id: props.row.id, on: on, shift: !!(evt && evt.shiftKey)})" />"""
HEADER_SELECT = r"""
<q-checkbox dense v-model="props.selected" aria-label="Select every issue on this page" />"""


class BulkEdit:
    """Wired to the list's table (through its `rows`, which also send its selection);
    `matching` gives the list's current filter and total; its bar goes into `place`."""

    def __init__(
        self,
        viewer: Viewer,
        rows: LiveRows,
        matching: Callable[[], tuple[IssueFilter, int]],
        place: ui.element,
    ) -> None:
        self.viewer = viewer
        self.rows = rows
        self.table = table = rows.table
        self.matching = matching
        self.everything = False  # "all N matching the filter", not only the ticked rows
        self.anchor: int | None = None  # the last row ticked: shift-click extends from it
        self.staff: dict[str, str] = {}
        self.known_tags: list[str] = []
        table.props["selection"] = "multiple"
        table.add_slot("body-selection", CELL_SELECT)
        table.add_slot("header-selection", HEADER_SELECT)
        table.on("pick", self.pick)
        table.on_select(lambda _: self._picked_by_header())
        # The bar, the list of what could not change and the dialog are made at the first
        # selection: most views of the list select nothing, and every element costs each
        # open page memory and each live push work.
        self.place = place
        self.made = False

    def _make(self) -> None:
        self.made = True
        with self.place:
            with ui.row().classes("w-full items-center gap-2") as self.bar:
                self.count = ui.label().classes("font-medium").props('aria-live="polite"')
                self.all_button = ui.button(on_click=self.select_everything)
                self.all_button.props("flat dense no-caps")
                ui.button("Clear selection", on_click=self.clear).props("flat dense no-caps")
                ui.button("Change…", icon="edit_note", on_click=self.open).props("dense no-caps")
            self.report = ui.column().classes("w-full gap-1")
            self.dialog = ui.dialog()

    # --- selecting ---------------------------------------------------------------------

    def pick(self, e: Any) -> None:
        args = e.args or {}
        rows = {r["id"]: r for r in self.table.rows}
        picked = rows.get(args.get("id"))
        if picked is None:
            return
        on = bool(args.get("on"))
        ids = [picked["id"]]
        if args.get("shift") and self.anchor in rows:
            order = [r["id"] for r in self.table.rows]
            a, b = sorted((order.index(self.anchor), order.index(picked["id"])))
            ids = order[a : b + 1]
        chosen = {r["id"]: r for r in self.table.selected}
        for issue_id in ids:
            if on:
                chosen[issue_id] = rows[issue_id]
            else:
                chosen.pop(issue_id, None)
        self.anchor = picked["id"]
        self.everything = False
        self.rows.select(list(chosen.values()))
        self.show()

    def _picked_by_header(self) -> None:
        self.everything = False
        self.rows.select(self.table.selected)  # stored by NiceGUI's handler, not sent
        self.show()

    def select_everything(self) -> None:
        self.everything = True
        self.show()

    def clear(self) -> None:
        self.everything = False
        self.anchor = None
        self.rows.select([])
        if self.made:
            self.report.clear()
        self.show()

    def forget(self) -> None:
        """The filter changed: a selection made under another filter is dropped."""
        if self.table.selected or self.everything:
            self.clear()

    def show(self) -> None:
        """The bar appears while something is selected, and offers the whole filter when
        every row of the page is ticked and there are more."""
        _, total = self.matching()
        picked = len(self.table.selected)
        if not self.made:
            if not picked:
                return
            self._make()
        self.bar.set_visibility(picked > 0)
        if self.everything:
            self.count.text = f"All {total} matching issues selected"
        else:
            self.count.text = f"{picked} selected"
        page_full = picked > 0 and picked >= len(self.table.rows)
        more = page_full and total > picked and not self.everything and total <= MAX_ISSUES
        self.all_button.set_visibility(more)
        self.all_button.text = f"Select all {total} matching"

    # --- changing ------------------------------------------------------------------------

    async def open(self) -> None:
        if not self.staff:
            people = await self.viewer.query(services.users.list_staff)
            self.staff = {str(u.id): u.shown_name for u in people.value or []}
            known = await self.viewer.query(services.tags.tag_names)
            self.known_tags = known.value or []
        self.dialog.clear()
        with self.dialog, ui.card().classes("w-full max-w-lg gap-3"):
            ui.label(f"Change {self._what()}").classes("text-lg font-semibold")
            keep = {KEEP: "Keep as is"}
            status = ui.select(keep | {s: STATUS_LABELS[s] for s in STATUSES}, value=KEEP)
            status.props("label=Status dense").classes("w-full")
            ending = ui.select({r: RESOLUTION_LABELS[r] for r in CLOSINGS}, value="fixed")
            ending.props("label=Resolution dense").classes("w-full")
            ending.bind_visibility_from(status, "value", value="DONE")
            severity = ui.select(keep | {s: s.capitalize() for s in SEVERITIES}, value=KEEP)
            severity.props("label=Severity dense").classes("w-full")
            assignee = ui.select(keep | {NOBODY: "Unassigned"} | self.staff, value=KEEP)
            assignee.props("label=Assignee dense").classes("w-full")
            add = tag_picker("Add tags", [], self.known_tags, None).classes("w-full")
            remove = tag_picker("Remove tags", [], self.known_tags, None).classes("w-full")
            comment = ui.textarea("Comment (Markdown, added to each)").classes("w-full")
            fields = {"status": status, "severity": severity, "comment": comment}
            fields |= {"add_tags": add, "remove_tags": remove, "assignee_id": assignee}

            async def apply() -> None:
                changes = _changes(status, ending, severity, assignee, add, remove, comment)
                await self.apply(changes, fields)

            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat")
                self.apply_button = ui.button("Apply", on_click=apply)
        self.dialog.open()

    def _what(self) -> str:
        _, total = self.matching()
        n = total if self.everything else len(self.table.selected)
        return f"{n} issue{'s' if n != 1 else ''}"

    async def apply(self, changes: dict[str, Any], fields: dict[str, Any]) -> None:
        where: dict[str, Any]
        if self.everything:
            where = {"filter": self.matching()[0]}
        else:
            # The versions the user sees now (rows update live), else those ticked earlier.
            shown = {r["id"]: r["version"] for r in self.table.rows}
            versions = {r["id"]: shown.get(r["id"], r["version"]) for r in self.table.selected}
            where = {"ids": list(versions), "versions": versions}
        self.apply_button.props("loading")
        result = await self.viewer.call(services.bulk.bulk_update, changes, **where, quiet=True)
        self.apply_button.props(remove="loading")
        if result.error is not None:
            mark_invalid(fields, result.error)
            ui.notify(result.error.message, type="negative", multi_line=True)
            return
        assert result.value is not None
        self.dialog.close()
        self._done(result.value)

    def _done(self, result: BulkResult) -> None:
        ui.notify(
            f"{result.applied} changed, {result.unchanged} already so, {result.failed} not changed",
            type="positive" if not result.failed else "warning",
        )
        refused = [i for i in result.items if not i.ok]
        self.everything = False
        # The refused stay selected (also those on other pages: known by id only, their
        # version is then not checked again).
        rows = {r["id"]: r for r in [*self.table.selected, *self.table.rows]}
        self.rows.select([rows.get(i.id, {"id": i.id, "version": None}) for i in refused])
        self.report.clear()
        if refused:
            with self.report:
                ui.label(f"{len(refused)} not changed:").classes("font-medium")
                for item in refused[:50]:
                    ui.link(item.error or f"#{item.id}", f"/issues/{item.id}").classes(
                        "text-negative text-sm"
                    )
        self.show()


def _changes(
    status: ui.select,
    ending: ui.select,
    severity: ui.select,
    assignee: ui.select,
    add: ui.select,
    remove: ui.select,
    comment: ui.textarea,
) -> dict[str, Any]:
    """What the dialog asks for, as services.bulk.BulkChanges fields."""
    out: dict[str, Any] = {}
    if status.value != KEEP:
        out["status"] = status.value
        if status.value == "DONE":
            out["resolution"] = ending.value
    if severity.value != KEEP:
        out["severity"] = severity.value
    if assignee.value != KEEP:
        out["assignee_id"] = None if assignee.value == NOBODY else int(assignee.value)
    if add.value:
        out["add_tags"] = list(add.value)
    if remove.value:
        out["remove_tags"] = list(remove.value)
    if (comment.value or "").strip():
        out["comment"] = comment.value
    return out
