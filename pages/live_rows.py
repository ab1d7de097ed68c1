"""A live table's rows, pushed as a difference: a page that already shows the table gets the
rows that changed and, for the others, only their ids; its browser rebuilds the list from the
rows it holds (live_rows.js). A status change on a list of 50 sends one row instead of the
whole table (its 50 rows, columns and cell templates) to every open page, in the same
message as the rest of the change (the counts)."""

from __future__ import annotations

from typing import Any

from nicegui import json, ui

from .plain import set_plain

# Pages showing the same list share their rows (one query per change for all of them), so the
# difference between the same two lists is encoded once. Held: the last few (old, new, code).
_recent: list[tuple[list[dict[str, Any]], list[dict[str, Any]], str]] = []
RECENT = 8


def difference(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> str:
    """`new` as JSON: each row unchanged since `old` by its id, the others whole."""
    for before, after, code in _recent:
        if before is old and after is new:
            return code
    held = {row["id"]: row for row in old}
    code = json.dumps([row["id"] if held.get(row["id"]) == row else row for row in new])
    _recent.insert(0, (old, new, code))
    del _recent[RECENT:]
    return code


# What Quasar's table takes for a pagination's missing keys.
PAGINATION_DEFAULTS = {"sortBy": None, "descending": False, "page": 1}


class LiveTable(ui.table):
    """A table whose pagination, set to what it is already, sends nothing. Quasar's table
    reports its pagination as soon as it is shown (with the keys it was not given filled
    in), and NiceGUI's handler stores it back, which sent the whole table (rows, columns,
    cell templates) again to every page just shown, and redrew its headers: a keyboard
    user's focus on one was lost.

    Its selection is stored without sending anything: `LiveRows.select` sends it. Its
    columns and first rows are kept as given, not copied into NiceGUI's observable dicts
    (~5 KB of every open list): they are never changed in place, and the issue list's columns
    are one list for every page."""

    def __init__(
        self, *, columns: list[dict[str, Any]], rows: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(columns=[], rows=[], **kwargs)
        set_plain(self, columns=columns, rows=rows)

    @property
    def pagination(self) -> dict[str, Any]:
        return self.props["pagination"]

    @pagination.setter
    def pagination(self, value: dict[str, Any]) -> None:
        now = self.props.get("pagination") or {}
        if {**PAGINATION_DEFAULTS, **now} != {**PAGINATION_DEFAULTS, **value}:
            self.props["pagination"] = value

    @property
    def selected(self) -> list[dict[str, Any]]:
        return self.props["selected"]

    @selected.setter
    def selected(self, value: list[dict[str, Any]]) -> None:
        set_plain(self, selected=list(value))


class LiveRows(ui.element, component="live_rows.js"):
    """Keeps `table`'s rows; placed beside it. It shows nothing but is the table's polite
    live region for screen readers (`say`)."""

    def __init__(self, table: LiveTable) -> None:
        super().__init__()
        self.table = table
        table.selected = []  # a plain list: NiceGUI's would send the whole table on a change
        set_plain(self, table=table.id, serial=0, picks=0)
        self.on("resync", table.update)

    def replace(self, rows: list[dict[str, Any]]) -> None:
        """Swap in a new page of rows and push it: as a difference to a page that shows the
        table already, whole otherwise. `table.rows = rows` would wrap every row in NiceGUI's
        observable dicts (a third of a page's memory, and CPU on every push), which buys
        nothing here: rows are never changed in place, only replaced."""
        table, client = self.table, self.client
        old = table.props.get("rows") or []
        set_plain(table, rows=rows)
        if not old or not rows or not client.has_socket_connection:
            table.update()  # not shown yet
        elif table.id not in client.outbox.updates:  # else going out whole anyway
            set_plain(self, spec=difference(old, rows), serial=self.props["serial"] + 1)
            self.update()

    def say(self, text: str) -> None:
        """Announced once by screen readers (one region, not one per badge)."""
        self.props["said"] = text

    def select(self, rows: list[dict[str, Any]]) -> None:
        """Set the table's selection and push it as ids: the browser holds the rows. Sending
        the whole table redrew its selection cells, which took a keyboard user's focus from
        the checkbox just ticked."""
        table, client = self.table, self.client
        table.selected = rows
        if not client.has_socket_connection:
            table.update()
        elif table.id not in client.outbox.updates:  # else going out whole anyway
            picked = json.dumps([row["id"] for row in rows])
            set_plain(self, picked=picked, picks=self.props["picks"] + 1)
            self.update()
