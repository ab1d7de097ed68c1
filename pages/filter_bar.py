"""The issue list's counts by status (chips that filter on one status) and its filters, as one
element drawn by the browser (filter_bar.js). As NiceGUI elements they were fourteen: chips,
fields, rows and a button, ~80 KB of server memory for every open list (docs/performance.md).
The browser keeps what the fields hold and sends each change as `filter` {name, value}; the
server sends the counts and the sort in effect."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import json, ui

import services
from services import filters

from . import head
from .components import SEVERITIES, STATUS_COLORS, STATUS_LABELS, STATUSES
from .plain import set_plain

SHOW = {  # staff's quick views of the list
    "all": "All issues",
    "assigned": "Assigned to me",
    "reported": "Reported by me",
    "unassigned": "Unassigned",
}
SORTS = {  # the sort picker that stands in for the column headers on a phone
    "-updated": "Recently updated",
    "-created": "Newest first",
    "created": "Oldest first",
    "-severity": "Most severe first",
    "-affected": "Most affected first",
    "title": "Title A to Z",
}
# What each field offers, the same for every page: in the shared head once per process
# (`register`), so neither a page's memory nor each live update carries it.
OPTIONS: dict[str, Any] = {
    "statuses": [
        {"value": s, "label": STATUS_LABELS[s], "color": STATUS_COLORS[s]} for s in STATUSES
    ],
    "severities": [{"value": s, "label": s.capitalize()} for s in SEVERITIES],
    "show": [{"value": k, "label": v} for k, v in SHOW.items()],
    "max_q": filters.MAX_Q,
    "max_tag": filters.MAX_TAG,
    "max_reporter": filters.MAX_REPORTER,
}
LABELS = [  # what the bar shows besides the chips (for page tests: ElementFilter's content)
    "Search issues, comments and files",
    "Status",
    "Severity",
    "Tag",
    "Sort",
    "Save view",
]
STAFF_LABELS = ["Show", "Reporter (name or email)"]
OPTIONS_SCRIPT = (
    "<script>window.trackerFilterOptions = "
    + json.dumps(OPTIONS).replace("<", "\\u003c")
    + ";</script>"
)
NAMES = {"q", "status", "severity", "tag", "sort", "signature"}
STAFF_NAMES = {"show", "reporter"}  # the fields only staff are offered
# A sort the picker does not offer, chosen with a column's header: named after the column.
SORTED_BY = {"id": "Number", "status": "Status", "updated": "Updated", "severity": "Severity"}
SORTED_BY |= {"title": "Title", "created": "Created", "affected": "Affected"}


def register() -> None:
    head.share(OPTIONS_SCRIPT)


def sort_choices(f: services.IssueQuery) -> list[dict[str, str]]:
    """The phone's sort picker: "Best match" while searching, and the one in effect."""
    choices = ({filters.RELEVANCE: "Best match"} if f.q else {}) | SORTS
    if f.order not in choices:
        column = SORTED_BY.get(f.order.removeprefix("-"), f.order)
        choices[f.order] = f"{column}, {'descending' if f.order.startswith('-') else 'ascending'}"
    return [{"value": k, "label": v} for k, v in choices.items()]


Handler = Callable[[str, Any], Awaitable[None]]


class FilterBar(ui.element, component="filter_bar.js"):
    """`on_filter(name, value)` gets each change (one of NAMES, or of STAFF_NAMES for staff;
    the value as the browser sent it: the caller validates); `on_save` runs for "Save
    view"."""

    def __init__(
        self,
        query: services.IssueQuery,
        shown: str,
        *,
        staff: bool,
        autofocus: bool,
        on_filter: Handler,
        on_save: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__()
        values = {
            "q": query.q or "",
            "status": [s.value for s in query.status],
            "severity": [s.value for s in query.severity],
            "tag": query.tag or "",
            "show": shown,
            "reporter": query.reporter or "",
            "signature": query.signature,
        }
        set_plain(
            self,
            values=values,
            counts={},
            sort=query.order,
            sorts=sort_choices(query),
            staff=staff,
            autofocus=autofocus,
        )

        self.signature = query.signature  # its chip is shown until removed
        allowed = NAMES | (STAFF_NAMES if staff else set())

        async def filtered(e: Any) -> None:
            args = e.args if isinstance(e.args, dict) else {}
            name, value = args.get("name"), args.get("value")
            if name == "signature":  # its chip is only removed: set by a link
                if value is not None:
                    return
                self.signature = None
            if name in allowed:
                await on_filter(name, value)

        self.on("filter", filtered)
        self.on("save", on_save)

    def show(self, counts: dict[str, int], query: services.IssueQuery) -> None:
        """The counts and the sort in effect; sent only if they changed."""
        now = {"counts": counts, "sort": query.order, "sorts": sort_choices(query)}
        if any(self.props.get(key) != value for key, value in now.items()):
            set_plain(self, **now)
            self.update()

    def chip_texts(self) -> list[str]:
        counts = self.props["counts"]
        return [f"{STATUS_LABELS[s]} · {counts.get(s, 0):,}" for s in STATUSES]

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        labels = LABELS + (STAFF_LABELS if self.props["staff"] else [])
        chip = f"Crash signature {self.signature[:12]}" if self.signature else None
        return [*self.chip_texts(), *labels, chip]
