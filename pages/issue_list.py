"""`/`: the issue list. Server-side pagination, sort, filters, search, counts per status;
live: rows and counts update in place, filters and half-typed input stay untouched."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import filters, permissions
from services.events import ChangeEvent

from . import filter_bar, head
from .bulk_edit import BulkEdit
from .components import (
    SEVERITY_COLORS,
    STATUS_COLORS,
    STATUS_LABELS,
    page_heading,
    parse_id,
    when,
)
from .filter_bar import FilterBar
from .frame import frame, page
from .live import hub
from .live_rows import LiveRows, LiveTable
from .redirects import login_url
from .save_view import save_view_action
from .viewer import Viewer, viewer_for

PAGE_SIZE = 25
PAGE_SIZES = (10, 25, 50, 100)
COLUMNS: list[dict[str, Any]] = [
    {
        "name": "id",
        "label": "#",
        "field": "id",
        "sortable": True,
        "align": "left",
        "classes": "cell-id",
    },
    {
        "name": "title",
        "label": "Title",
        "field": "title",
        "sortable": True,
        "align": "left",
        "classes": "cell-title",
    },
    {"name": "status", "label": "Status", "field": "status", "sortable": True, "align": "left"},
    {
        "name": "severity",
        "label": "Severity",
        "field": "severity",
        "sortable": True,
        "align": "left",
    },
    {
        "name": "affected",
        "label": "Affected",
        "field": "affected",
        "sortable": True,
        "align": "right",
        # reporters it affects: its own and its duplicates' (services.affected)
        "headerClasses": "gt-xs",
        "classes": "gt-xs",
    },
    {
        "name": "tags",
        "label": "Tags",
        "field": "tags",
        "align": "left",
        "headerClasses": "gt-sm",
        "classes": "gt-sm cell-wrap",
    },
    {
        "name": "reporter",
        "label": "Reporter",
        "field": "reporter",
        "align": "left",
        "headerClasses": "gt-sm",
        "classes": "gt-sm cell-person",
    },
    {
        "name": "assignee",
        "label": "Assignee",
        "field": "assignee",
        "align": "left",
        "headerClasses": "gt-sm",
        "classes": "gt-sm cell-person",
    },
    {"name": "updated", "label": "Updated", "field": "updated", "sortable": True, "align": "left"},
]
# On a phone the table's rows become cards: number and title on the first line, status,
# severity and when below (the less important columns are hidden there anyway).
CARDS_CSS = """
.issue-table td.cell-title { white-space: normal; min-width: 14rem; overflow-wrap: anywhere; }
.issue-table td.cell-wrap { white-space: normal; overflow-wrap: anywhere; }
.issue-table td.cell-person { max-width: 16rem; overflow: hidden; text-overflow: ellipsis; }
@media (max-width: 599.98px) {
  .issue-table thead { display: none; }
  .issue-table tbody tr { display: flex; flex-wrap: wrap; align-items: center; height: auto;
    padding: 6px 2px; border-bottom: 1px solid rgba(128, 128, 128, .35); }
  .issue-table tbody td { height: auto; border: 0; padding: 2px 6px; white-space: normal; }
  .issue-table tbody td.cell-title { flex: 1 1 calc(100% - 120px); font-size: 1rem; }
  .issue-table tbody td.cell-id { opacity: .7; }
  .issue-table tbody td.q-table--col-auto-width { width: auto; padding-right: 0; }
}
"""
# The table's "1-50 of 10,000+" when the total was counted only that far (services.queries).
CAPPED_LABEL = "(first, end, total) => `${first}-${end} of ${total.toLocaleString('en')}+`"
# Sortable headers take the focus and sort with Enter or Space, like a click; the focus goes
# back to the header once the table is redrawn (live_rows.js).
HEADER_CELL = r"""
<q-th :props="props" :tabindex="props.col.sortable ? 0 : undefined" :data-col="props.col.name"
  @keydown.enter.prevent="props.col.sortable && props.sort(props.col)"
  @keydown.space.prevent="props.col.sortable && props.sort(props.col)"
>{{ props.col.label }}</q-th>"""
CELL_TITLE = r"""
<q-td :props="props"><a :href="'/issues/' + props.row.id" class="text-primary font-medium">
{{ props.value }}</a></q-td>"""
CELL_STATUS = (  # role=none: Quasar's badges are live regions; 50 of them chatter
    '<q-td :props="props"><q-badge role="none" :color="'
    + json.dumps(STATUS_COLORS).replace('"', "'")
    + '[props.value]">{{ '
    + json.dumps(STATUS_LABELS).replace('"', "'")
    + "[props.value] }}</q-badge></q-td>"
)
CELL_SEVERITY = (
    '<q-td :props="props"><q-badge role="none" outline :color="'
    + json.dumps(SEVERITY_COLORS).replace('"', "'")
    + '[props.value]">{{ props.value.charAt(0) + props.value.slice(1).toLowerCase() }}'
    "</q-badge></q-td>"
)


@dataclass(frozen=True)
class ListState:
    """What the list shows: the services' IssueQuery (the filters and the sort) and a page.
    The URL names are a contract (bookmarks, links): `reporter` is the reporter's id and
    `who` part of their name or email, the API's `reporter_id` and `reporter`."""

    query: services.IssueQuery = field(default_factory=services.IssueQuery)
    page: int = 1
    per_page: int = PAGE_SIZE

    @classmethod
    def from_url(cls, params: Any) -> ListState:
        """From a URL anyone may have typed: a filter whose value does not validate is left
        out (the names are services.filters.URL_FIELDS)."""
        query = filters.query_from_url(str(params), forgiving=True)
        per_page = parse_id(params.get("per"), default=PAGE_SIZE)
        per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZE
        return cls(query, parse_id(params.get("page"), default=1), per_page)

    def to_url(self) -> str:
        paging: list[tuple[str, Any]] = []
        if self.page > 1:
            paging.append(("page", self.page))
        if self.per_page != PAGE_SIZE:
            paging.append(("per", self.per_page))
        return "&".join(part for part in (filters.url_of(self.query), urlencode(paging)) if part)

    def changed(self, **changes: Any) -> ListState:
        """The same list with other filters or sort (checked: InvalidInput), from page 1."""
        query = filters.build(services.IssueQuery, self.query, changes)
        return ListState(query, per_page=self.per_page)


@dataclass(frozen=True)
class Listing:
    rows: list[dict[str, Any]]
    total: int
    counts: dict[str, int]
    capped: bool = False  # `total` is a lower bound ("10,000+")


def load(s: Any, actor: services.Actor, state: ListState) -> Listing:
    """One page of rows and the status counts, in one session (runs off the event loop).
    Built once per change for every page showing the same query."""
    page = services.issues.list_issues(
        s, actor, state.query, page=state.page, page_size=state.per_page
    )
    counts = services.stats.counts_by_status(s, actor)
    rows = [row(i) for i in page.items]
    return Listing(rows=rows, total=page.total, counts=counts, capped=page.total_capped)


def row(issue: services.IssueSummary) -> dict[str, Any]:
    return {
        "id": issue.id,
        "version": issue.version,  # what a bulk edit checks against
        "title": issue.title,
        "status": issue.status.value,
        "severity": issue.severity.value,
        "affected": issue.affected,
        "tags": ", ".join(issue.tags),
        "reporter": issue.reporter.shown_name,
        "assignee": issue.assignee.shown_name if issue.assignee else "",
        "updated": when(issue.updated_at),
    }


def _filtering(query: services.IssueQuery) -> bool:
    """Whether any filter is on (the sort is not a filter)."""
    return query.model_copy(update={"sort": ""}) != services.IssueQuery()


def register() -> None:
    head.share_css(CARDS_CSS)  # once per process, not a copy in each open list page's head
    filter_bar.register()

    @page("/")
    async def issue_list(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url(str(request.url.path)), status_code=303)
        view = IssueListView(viewer, ListState.from_url(request.query_params))
        view.focus_search = request.query_params.get("focus") == "search"  # the `/` key
        with frame(viewer, "Issues"):
            await view.build()
        hub.watch(viewer, view.wants, view.refresh)
        return None


class IssueListView:
    def __init__(self, viewer: Viewer, state: ListState) -> None:
        self.viewer = viewer
        self.state = state
        self.focus_search = False
        self.total = 0
        self.count_text = "0"
        self.bulk: BulkEdit | None = None

    async def build(self) -> None:
        page_heading("Issues")
        self.bar = FilterBar(
            self.state.query,
            self._shown(),
            staff=self.viewer.is_staff,
            autofocus=self.focus_search,
            on_filter=self.on_filter,
            on_save=save_view_action(self.viewer, lambda: self.state.query),
        )
        self.empty = ui.column().classes("w-full")  # the invitation when there is nothing yet
        bulk_place = ui.column().classes("w-full gap-1") if self.viewer.is_staff else None
        self.table = LiveTable(
            columns=COLUMNS, rows=[], row_key="id", pagination=self._pagination(0)
        )
        self.rows = LiveRows(self.table)
        self.table.classes("w-full issue-table")
        self.table.props('flat bordered no-data-label="No issues match."')
        self.table.props["rows-per-page-options"] = list(PAGE_SIZES)
        self.table.add_slot("header-cell", HEADER_CELL)
        self.table.add_slot("body-cell-title", CELL_TITLE)
        self.table.add_slot("body-cell-status", CELL_STATUS)
        self.table.add_slot("body-cell-severity", CELL_SEVERITY)
        self.table.on("request", self.on_request)
        if bulk_place is not None:
            matching = lambda: (self.state.query, self.total)  # noqa: E731
            self.bulk = BulkEdit(self.viewer, self.rows, matching, bulk_place)
        await self.reload()

    async def on_filter(self, name: str, value: Any) -> None:
        """A change in the filter bar: "show" stands for other filters, and a reporter typed
        replaces one chosen by id (from a link)."""
        if name == "show":
            await self.set(**self._show_filter(value))
        elif name == "reporter":
            await self.set(reporter=value, reporter_id=None)
        else:
            await self.set(**{name: value})

    def _shown(self) -> str:
        f = self.state.query
        if f.assignee == "me":
            return "assigned"
        if f.unassigned:
            return "unassigned"
        if f.reporter_id == self.viewer.actor.id:
            return "reported"
        return "all"

    def _show_filter(self, shown: str) -> dict[str, Any]:
        """The filters a "Show" choice stands for (the others of its kind cleared)."""
        me = self.viewer.actor.id
        current = self.state.query.reporter_id
        return {
            "assignee": "me" if shown == "assigned" else None,
            "unassigned": shown == "unassigned",
            "reporter_id": me if shown == "reported" else (None if current == me else current),
        }

    def _pagination(self, total: int) -> dict[str, Any]:
        sort = self.state.query.order
        return {
            "page": self.state.page,
            "rowsPerPage": self.state.per_page,
            "rowsNumber": total,
            "sortBy": sort.removeprefix("-"),
            "descending": sort.startswith("-"),
        }

    async def set(self, **changes: Any) -> None:
        try:
            self.state = self.state.changed(**changes)
        except services.InvalidInput as e:
            ui.notify(e.message, type="negative")
            return
        if self.bulk is not None:
            self.bulk.forget()
        await self.reload()

    async def on_request(self, e: Any) -> None:
        pagination = e.args.get("pagination", {})
        sort_by = pagination.get("sortBy") or "updated"
        sort = ("-" if pagination.get("descending") else "") + (
            sort_by if sort_by in filters.SORTS else "updated"
        )
        page = parse_id(str(pagination.get("page", "")), default=1)
        per_page = parse_id(str(pagination.get("rowsPerPage", "")), default=PAGE_SIZE)
        if per_page not in PAGE_SIZES:
            per_page = PAGE_SIZE
        if per_page != self.state.per_page:
            page = 1  # another page size: back to the first page
        self.state = ListState(self.state.changed(sort=sort).query, page, per_page)
        await self.reload()

    async def reload(self, *, shared: bool = False) -> None:
        state = self.state
        if shared:
            result = await hub.shared(
                (self.viewer.scope, state), lambda: self.viewer.query(load, state)
            )
        else:
            result = await self.viewer.call(load, state)
        if not result.ok or result.value is None:
            return
        if state is not self.state:  # another filter was chosen meanwhile: its reload shows it
            return
        listing = result.value
        self.total = listing.total
        self.count_text = f"{listing.total:,}{'+' if listing.capped else ''}"
        if (":pagination-label" in self.table.props) != listing.capped:
            if listing.capped:
                self.table.props[":pagination-label"] = CAPPED_LABEL
            else:
                del self.table.props[":pagination-label"]
            self.table.update()
        if listing.rows != self.table.rows:
            self.rows.replace(listing.rows)
        if self.bulk is not None:
            self.bulk.show()
        self._invite(listing.total == 0 and not _filtering(state.query))
        self.table.pagination = self._pagination(listing.total)
        self.bar.show(listing.counts, state.query)
        if not shared:
            query = state.to_url()
            ui.navigate.history.replace("/" + (f"?{query}" if query else ""))

    def _invite(self, nothing_yet: bool) -> None:
        if nothing_yet == bool(self.empty.default_slot.children):
            return
        self.empty.clear()
        self.table.set_visibility(not nothing_yet)  # an empty table would say it again
        if not nothing_yet:
            return
        with self.empty, ui.card().classes("w-full items-center p-6 gap-2"):
            ui.icon("inbox", size="lg").classes("opacity-60")
            if self.viewer.is_staff:
                ui.label("No issues yet. They appear here, live, as they are filed.")
            else:
                ui.label("You have not filed an issue yet.").classes("text-lg")
                ui.label(
                    "Found a bug, or have a screenshot or an invoice to send? File it: only "
                    "you and the team will see it."
                ).classes("text-sm opacity-80 text-center")
            ui.button(
                "File your first issue" if not self.viewer.is_staff else "File an issue",
                icon="add_circle",
                on_click=lambda: ui.navigate.to("/issues/new"),
            )

    def wants(self, change: ChangeEvent) -> bool:
        # Other reporters' issues: ignored before touching the database.
        return change.reporter_id is None or permissions.sees_issues_of(
            self.viewer.actor, change.reporter_id
        )

    async def refresh(self) -> None:
        before = self.table.rows
        await self.reload(shared=True)
        if self.table.rows != before:
            self.rows.say(  # one polite announcement when the list changes by itself
                f"The list was updated at {dt.datetime.now():%H:%M:%S}: {self.count_text} issues."
            )
