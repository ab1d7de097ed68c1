"""`/`: the issue list. Server-side pagination, sort, filters, search, counts per status;
live: rows and counts update in place, filters and half-typed input stay untouched."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import permissions
from services.events import ChangeEvent

from .components import (
    SEVERITIES,
    SEVERITY_COLORS,
    STATUS_COLORS,
    STATUS_LABELS,
    STATUSES,
    parse_id,
    when,
)
from .frame import frame
from .live import hub
from .session import Viewer, login_url, viewer_for

PAGE_SIZE = 25
SORTS = {
    "updated": "Last updated",
    "created": "Created",
    "severity": "Severity",
    "status": "Status",
    "title": "Title",
    "id": "Number",
}
COLUMNS: list[dict[str, Any]] = [
    {"name": "id", "label": "#", "field": "id", "sortable": True, "align": "left"},
    {"name": "title", "label": "Title", "field": "title", "sortable": True, "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "sortable": True, "align": "left"},
    {
        "name": "severity",
        "label": "Severity",
        "field": "severity",
        "sortable": True,
        "align": "left",
    },
    {"name": "tags", "label": "Tags", "field": "tags", "align": "left"},
    {"name": "reporter", "label": "Reporter", "field": "reporter", "align": "left"},
    {"name": "assignee", "label": "Assignee", "field": "assignee", "align": "left"},
    {"name": "updated", "label": "Updated", "field": "updated", "sortable": True, "align": "left"},
]
CELL_TITLE = r"""
<q-td :props="props"><a :href="'/issues/' + props.row.id" class="text-primary font-medium">
{{ props.value }}</a></q-td>"""
CELL_STATUS = (
    '<q-td :props="props"><q-badge :color="'
    + json.dumps(STATUS_COLORS).replace('"', "'")
    + '[props.value]">{{ '
    + json.dumps(STATUS_LABELS).replace('"', "'")
    + "[props.value] }}</q-badge></q-td>"
)
CELL_SEVERITY = (
    '<q-td :props="props"><q-badge outline :color="'
    + json.dumps(SEVERITY_COLORS).replace('"', "'")
    + '[props.value]">{{ props.value.charAt(0) + props.value.slice(1).toLowerCase() }}'
    "</q-badge></q-td>"
)


@dataclass
class Filters:
    q: str = ""
    status: list[str] = field(default_factory=list)
    severity: list[str] = field(default_factory=list)
    tag: str = ""
    reporter_id: int | None = None
    reporter: str = ""
    sort: str = "-updated"
    page: int = 1

    @classmethod
    def from_query(cls, params: Any) -> Filters:
        sort = params.get("sort", "-updated")
        if sort.removeprefix("-") not in SORTS:
            sort = "-updated"
        reporter = params.get("reporter", "")
        return cls(
            q=params.get("q", "")[:200],
            status=[s for s in params.getlist("status") if s in STATUSES],
            severity=[s for s in params.getlist("severity") if s in SEVERITIES],
            tag=params.get("tag", "")[:40],
            reporter_id=parse_id(reporter) or None,
            reporter=params.get("who", "")[:100],
            sort=sort,
            page=parse_id(params.get("page"), default=1),
        )

    def to_query(self) -> str:
        pairs: list[tuple[str, Any]] = [("q", self.q), ("tag", self.tag)]
        pairs += [("status", s) for s in self.status] + [("severity", s) for s in self.severity]
        if self.reporter_id:
            pairs.append(("reporter", self.reporter_id))
        pairs.append(("who", self.reporter))
        if self.sort != "-updated":
            pairs.append(("sort", self.sort))
        if self.page > 1:
            pairs.append(("page", self.page))
        return urlencode([(k, v) for k, v in pairs if v])

    def key(self) -> tuple[Any, ...]:
        return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in asdict(self).items())


@dataclass(frozen=True)
class Listing:
    rows: list[dict[str, Any]]
    total: int
    counts: dict[str, int]


def load(s: Any, actor: services.Actor, f: Filters) -> Listing:
    """One page of rows and the status counts, in one session (runs off the event loop).
    Built once per change for every page showing the same query."""
    page = services.issues.list_issues(
        s,
        actor,
        q=f.q or None,
        status=f.status or None,
        severity=f.severity or None,
        tag=f.tag or None,
        reporter_id=f.reporter_id,
        reporter=f.reporter or None,
        sort=f.sort,
        page=f.page,
        page_size=PAGE_SIZE,
    )
    counts = services.stats.counts_by_status(s, actor)
    return Listing(rows=[row(i) for i in page.items], total=page.total, counts=counts)


def row(issue: services.IssueSummary) -> dict[str, Any]:
    return {
        "id": issue.id,
        "title": issue.title,
        "status": issue.status.value,
        "severity": issue.severity.value,
        "tags": ", ".join(issue.tags),
        "reporter": issue.reporter.full_name or issue.reporter.email,
        "assignee": (issue.assignee.full_name or issue.assignee.email) if issue.assignee else "",
        "updated": when(issue.updated_at),
    }


def replace_rows(table: ui.table, rows: list[dict[str, Any]]) -> None:
    """Swap in a new page of rows and push it. `table.rows = rows` would wrap every row in
    NiceGUI's observable dicts (a third of a page's memory, and CPU on every push), which
    buys nothing here: rows are never changed in place, only replaced."""
    dict.__setitem__(table.props, "rows", rows)
    table.update()


def register() -> None:
    @ui.page("/")
    async def issue_list(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url(str(request.url.path)), status_code=303)
        view = IssueListView(viewer, Filters.from_query(request.query_params))
        with frame(viewer, "Issues"):
            await view.build()
        hub.watch(viewer, view.wants, view.refresh)
        return None


class IssueListView:
    def __init__(self, viewer: Viewer, filters: Filters) -> None:
        self.viewer = viewer
        self.f = filters
        self.count_chips: dict[str, ui.chip] = {}

    async def build(self) -> None:
        ui.label("Issues").classes("text-2xl font-semibold")
        with ui.row().classes("gap-2"):
            for status in STATUSES:
                self.count_chips[status] = ui.chip(
                    STATUS_LABELS[status],
                    color=STATUS_COLORS[status],
                    text_color="white",
                    on_click=lambda s=status: self.only_status(s),
                ).props(f'aria-label="Show only {STATUS_LABELS[status]} issues"')
        self._filters()
        self.table = ui.table(
            columns=COLUMNS, rows=[], row_key="id", pagination=self._pagination(0)
        )
        self.table.classes("w-full").props('flat bordered no-data-label="No issues match."')
        self.table.add_slot("body-cell-title", CELL_TITLE)
        self.table.add_slot("body-cell-status", CELL_STATUS)
        self.table.add_slot("body-cell-severity", CELL_SEVERITY)
        self.table.on("request", self.on_request)
        await self.reload()

    def _filters(self) -> None:
        with ui.row().classes("w-full items-end gap-3"):
            ui.input(
                "Search title and description",
                value=self.f.q,
                on_change=lambda e: self.set(q=(e.value or "").strip()),
            ).props("clearable debounce=300 dense").classes("min-w-64 grow")
            ui.select(
                {s: STATUS_LABELS[s] for s in STATUSES},
                label="Status",
                multiple=True,
                value=self.f.status,
                on_change=lambda e: self.set(status=list(e.value or [])),
            ).props("dense clearable use-chips").classes("min-w-40")
            ui.select(
                {s: s.capitalize() for s in SEVERITIES},
                label="Severity",
                multiple=True,
                value=self.f.severity,
                on_change=lambda e: self.set(severity=list(e.value or [])),
            ).props("dense clearable use-chips").classes("min-w-40")
            ui.input(
                "Tag", value=self.f.tag, on_change=lambda e: self.set(tag=(e.value or "").strip())
            ).props("clearable debounce=400 dense").classes("w-32")
            if self.viewer.is_staff:
                # A text filter, not a list of everyone: that list would sit in every open page.
                ui.input(
                    "Reporter (name or email)",
                    value=self.f.reporter,
                    on_change=lambda e: self.set(
                        reporter=(e.value or "").strip(), reporter_id=None
                    ),
                ).props("clearable debounce=400 dense").classes("min-w-48")

    def _pagination(self, total: int) -> dict[str, Any]:
        return {
            "page": self.f.page,
            "rowsPerPage": PAGE_SIZE,
            "rowsNumber": total,
            "sortBy": self.f.sort.removeprefix("-"),
            "descending": self.f.sort.startswith("-"),
        }

    async def set(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.f, key, value)
        self.f.page = 1
        await self.reload()

    async def only_status(self, status: str) -> None:
        await self.set(status=[] if self.f.status == [status] else [status])

    async def on_request(self, e: Any) -> None:
        pagination = e.args.get("pagination", {})
        sort_by = pagination.get("sortBy") or "updated"
        self.f.sort = ("-" if pagination.get("descending") else "") + (
            sort_by if sort_by in SORTS else "updated"
        )
        self.f.page = parse_id(str(pagination.get("page", "")), default=1)
        await self.reload()

    async def reload(self, *, shared: bool = False) -> None:
        f = Filters(**asdict(self.f))
        if shared:
            result = await hub.shared(
                (self.viewer.scope, f.key()), lambda: self.viewer.query(load, f)
            )
        else:
            result = await self.viewer.call(load, f)
        if not result.ok or result.value is None:
            return
        listing = result.value
        if listing.rows != self.table.rows:
            replace_rows(self.table, listing.rows)
        pagination = self._pagination(listing.total)
        if pagination != self.table.pagination:
            self.table.pagination = pagination
        for status, chip in self.count_chips.items():
            text = f"{STATUS_LABELS[status]} · {listing.counts.get(status, 0)}"
            if chip.text != text:
                chip.text = text
        if not shared:
            query = self.f.to_query()
            ui.navigate.history.replace("/" + (f"?{query}" if query else ""))

    def wants(self, change: ChangeEvent) -> bool:
        # Other reporters' issues: ignored before touching the database.
        return change.reporter_id is None or permissions.sees_issues_of(
            self.viewer.actor, change.reporter_id
        )

    async def refresh(self) -> None:
        await self.reload(shared=True)
