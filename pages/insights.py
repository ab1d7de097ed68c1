"""`/insights` (MAINTAINER, ADMIN): how intake is going — open issues by status over time,
filed vs resolved per day, time to triage and to done, the oldest untriaged issues. Live."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nicegui import events, ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import permissions
from services.events import ChangeEvent

from . import charts, insights_files
from .components import RESOLUTION_LABELS, page_heading, when
from .frame import frame, page
from .live import hub
from .live_rows import LiveTable
from .redirects import login_url
from .viewer import Viewer, viewer_for

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Insight:
    area: dict[str, Any]
    flow: dict[str, Any]
    cycle: list[services.insights.CycleTime]
    oldest: list[services.IssueSummary]
    most_affected: list[services.IssueSummary]
    resolutions: dict[str, int]
    history_start: dt.date | None
    signatures: list[services.intake.SignatureStat]
    invoices_by_month: list[services.intake.InvoiceSum]
    invoices_by_vendor: list[services.intake.InvoiceSum]


def load(s: Any, actor: services.Actor, since: dt.date, until: dt.date) -> Insight:
    today = dt.datetime.now(dt.UTC).date()
    daily = services.stats.daily_series(s, actor, since=since, until=until)
    start = services.stats.history_start(s, actor)
    live = services.stats.counts_by_status(s, actor) if since <= today <= until else None
    area = charts.status_by_day(daily, live, today=today, first=since, last=until, stacked=True)
    flow = services.insights.flow(s, actor, since, until)
    cycle = services.insights.cycle_times(s, actor, since, until)
    oldest = services.issues.list_issues(s, actor, status="OPEN", sort="created", page_size=10)
    unresolved = ["OPEN", "TRIAGED", "IN_PROGRESS"]
    # Only issues affecting several people: the index on `affected` finds them (sorting every
    # unresolved issue by it read them all, 90 ms at 100,000 issues).
    affected = services.issues.list_issues(
        s, actor, status=unresolved, affected_min=2, sort="-affected", page_size=10
    )
    return Insight(
        area=area,
        flow=charts.filed_and_resolved(flow),
        cycle=cycle,
        oldest=oldest.items,
        most_affected=affected.items,
        resolutions=services.insights.resolutions(s, actor, since, until),
        history_start=start,
        signatures=services.intake.signature_stats(s, actor, since=since, limit=10),
        invoices_by_month=services.intake.invoice_sums(s, actor, group="month"),
        invoices_by_vendor=services.intake.invoice_sums(s, actor, group="vendor"),
    )


def register() -> None:
    @page("/insights")
    async def insights(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/insights"), status_code=303)
        with frame(viewer, "Insights"):
            if not viewer.is_staff:
                ui.label("Insights are for maintainers and admins.")
                return None
            await InsightsView(viewer).build()
        return None


class InsightsView:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.until = dt.datetime.now(dt.UTC).date()
        self.since = self.until - dt.timedelta(days=DEFAULT_DAYS - 1)

    async def build(self) -> None:
        with ui.row().classes("w-full items-center gap-4"):
            page_heading("Insights")
            ui.space()
            with ui.input("Date range", value=self._range_text()).classes("w-64") as field:
                with ui.menu().props("no-parent-event") as menu:
                    ui.date(
                        value={"from": self.since.isoformat(), "to": self.until.isoformat()},
                        on_change=lambda e: self.set_range(e, field, menu),
                    ).props("range")
                with field.add_slot("append"):
                    ui.icon("edit_calendar").on("click", menu.open).classes("cursor-pointer")
            ui.button("Export CSV", icon="download", on_click=self.export)
        with ui.card().classes("w-full"):
            charts.card_heading(
                "Issues by status per day", "At the end of each day; today's point is live."
            )
            self.history = charts.HistoryCaption(admin=permissions.can_run_jobs(self.viewer.actor))
            self.area = ui.plotly(charts.EMPTY).classes("w-full")
        with ui.card().classes("w-full"):
            ui.label("Filed and resolved per day").classes("text-lg font-semibold")
            self.flow = ui.plotly(charts.EMPTY).classes("w-full")
        with ui.row().classes("w-full gap-4 items-start max-md:flex-col"):
            with ui.card().classes("grow max-md:w-full"):
                ui.label("Median time, for issues filed in the range").classes(
                    "text-lg font-semibold"
                )
                ui.label("To done: fixed issues only, not those closed without the work.").classes(
                    "text-sm opacity-70"
                )
                self.cycle = ui.column().classes("w-full")
                ui.label("How the issues closed in the range ended").classes("font-semibold")
                self.endings = ui.row().classes("w-full gap-4")
            with ui.card().classes("grow max-md:w-full"):
                ui.label("Oldest untriaged").classes("text-lg font-semibold")
                self.oldest = ui.column().classes("w-full gap-1")
            with ui.card().classes("grow max-md:w-full"):
                ui.label("Most affected unresolved").classes("text-lg font-semibold")
                self.affected = ui.column().classes("w-full gap-1")
        with ui.card().classes("w-full"):
            ui.label("Top crash signatures").classes("text-lg font-semibold")
            ui.label(
                "The same crash across issues (by its stack trace's fingerprint), seen in the "
                "range; click one to list its issues."
            ).classes("text-sm opacity-70")
            self.signatures = ui.column().classes("w-full")
        with ui.card().classes("w-full"):
            ui.label("Invoices in attached files").classes("text-lg font-semibold")
            with ui.row().classes("w-full gap-4 items-start max-md:flex-col"):
                self.invoices_month = ui.column().classes("grow basis-0 w-full")
                self.invoices_vendor = ui.column().classes("grow basis-0 w-full")
        await self.reload(shared=False)
        hub.watch(self.viewer, self.wants, self.refresh, min_interval=2.0)

    def _range_text(self) -> str:
        return f"{self.since.isoformat()} to {self.until.isoformat()}"

    async def set_range(self, e: events.ValueChangeEventArguments, field: Any, menu: Any) -> None:
        value = e.value
        if isinstance(value, dict) and value.get("from") and value.get("to"):
            self.since = dt.date.fromisoformat(value["from"].replace("/", "-"))
            self.until = dt.date.fromisoformat(value["to"].replace("/", "-"))
            field.value = self._range_text()
            menu.close()
            await self.reload(shared=False)

    def wants(self, change: ChangeEvent) -> bool:
        return change.kind in ("issue", "stats", "analysis")

    async def refresh(self) -> None:
        await self.reload(shared=True)

    async def reload(self, *, shared: bool) -> None:
        since, until = self.since, self.until
        if shared:
            result = await hub.shared(
                ("insights", since, until), lambda: self.viewer.query(load, since, until)
            )
        else:
            result = await self.viewer.call(load, since, until)
        if result.value is None:
            return
        data = result.value
        self.history.show(data.history_start, since)
        self.area.figure = data.area
        self.area.update()
        self.flow.figure = data.flow
        self.flow.update()
        self.cycle.clear()
        with self.cycle:
            rows = [
                {
                    "severity": c.severity.capitalize(),
                    "issues": c.issues,
                    "triage": _hours(c.median_hours_to_triage),
                    "done": _hours(c.median_hours_to_done),
                }
                for c in data.cycle
            ]
            LiveTable(
                columns=[
                    {"name": "severity", "label": "Severity", "field": "severity", "align": "left"},
                    {"name": "issues", "label": "Filed", "field": "issues"},
                    {"name": "triage", "label": "To triage", "field": "triage"},
                    {"name": "done", "label": "To done", "field": "done"},
                ],
                rows=rows,
                row_key="severity",
            ).props("flat dense").classes("w-full")
        _issue_links(
            self.oldest,
            data.oldest,
            "Nothing waits for triage.",
            lambda issue: f"filed {when(issue.created_at)}",
        )
        self.endings.clear()
        with self.endings:
            for resolution, count in data.resolutions.items():
                ui.label(f"{RESOLUTION_LABELS[resolution]}: {count}").classes("text-sm")
        _issue_links(
            self.affected,
            data.most_affected,
            "No unresolved issue has duplicates.",
            lambda issue: f"affects {issue.affected} reporters",
        )
        for box, draw in (
            (self.signatures, lambda: insights_files.signatures(data.signatures)),
            (
                self.invoices_month,
                lambda: insights_files.invoices("By month", data.invoices_by_month),
            ),
            (
                self.invoices_vendor,
                lambda: insights_files.invoices("By vendor", data.invoices_by_vendor),
            ),
        ):
            box.clear()
            with box:
                draw()

    async def export(self) -> None:
        result = await self.viewer.call(services.insights.daily_csv, self.since, self.until)
        if result.value is not None:
            ui.download(
                result.value.encode(),
                f"daily_stats_{self.since}_{self.until}.csv",
                media_type="text/csv",
            )


def _issue_links(
    box: ui.column,
    issues: list[services.IssueSummary],
    empty: str,
    caption: Callable[[services.IssueSummary], str],
) -> None:
    """A short list of issues, each a link with a caption (or a line saying there is none)."""
    box.clear()
    with box:
        if not issues:
            ui.label(empty).classes("opacity-70")
        for issue in issues:
            with ui.row().classes("gap-2 items-baseline"):
                ui.link(f"#{issue.id} {issue.title}", f"/issues/{issue.id}").classes(
                    "min-w-0 wrap-anywhere"
                )
                ui.label(caption(issue)).classes("text-xs opacity-60")


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} d"
