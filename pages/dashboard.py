"""`/dashboard`: counts by status, unresolved issues by severity (a reporter sees their own)
and, for staff, issues by status per day ending with the live counts. Live, at most a few
updates a second."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import permissions
from services.events import ChangeEvent

from . import charts, markup
from .components import STATUS_COLORS, STATUS_LABELS, STATUSES, page_heading
from .frame import frame, page
from .live import hub
from .redirects import login_url
from .viewer import Viewer, viewer_for

TREND_DAYS = 90


@dataclass(frozen=True)
class Numbers:
    """What the dashboard shows, figures included: built once per change, off the loop."""

    open_by_severity: dict[str, int]
    by_status: dict[str, int]
    history_start: dt.date | None
    bars: dict[str, Any]
    lines: dict[str, Any] | None


def load(s: Any, actor: services.Actor) -> Numbers:
    open_by_severity = services.stats.open_by_severity(s, actor)
    by_status = services.stats.counts_by_status(s, actor)
    lines, start = None, None
    if permissions.is_staff(actor):
        today = dt.datetime.now(dt.UTC).date()
        since = today - dt.timedelta(days=TREND_DAYS - 1)
        trend = services.stats.daily_series(s, actor, since=since)
        start = services.stats.history_start(s, actor)
        # The whole range on the axis, so days without counts show as a visible gap.
        lines = charts.status_by_day(trend, by_status, today=today, first=since, last=today)
    return Numbers(
        open_by_severity=open_by_severity,
        by_status=by_status,
        history_start=start,
        bars=charts.severity_bars(open_by_severity),
        lines=lines,
    )


def register() -> None:
    @page("/dashboard")
    async def dashboard(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/dashboard"), status_code=303)
        with frame(viewer, "Dashboard"):
            await Dashboard(viewer).build()
        return None


class Dashboard:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.numbers: Numbers | None = None

    async def build(self) -> None:
        page_heading("Dashboard")
        if not self.viewer.is_staff:
            ui.label("Your own issues.").classes("opacity-70")
        self.status_cards = ui.html(status_cards({})).classes("nicegui-column gap-4 w-full")
        result = await self.viewer.call(load)
        if result.value is None:
            return
        with ui.card().classes("w-full"):
            charts.card_heading("Unresolved issues by severity", charts.NOT_DONE)
            self.bars = ui.plotly(result.value.bars).classes("w-full")
        self.trend_card = ui.card().classes("w-full")
        with self.trend_card:
            charts.card_heading(
                "Issues by status per day",
                f"The last {TREND_DAYS} days at the end of each day; today's point is live.",
            )
            self.history = charts.HistoryCaption(admin=permissions.can_run_jobs(self.viewer.actor))
            self.trend = ui.plotly(result.value.lines or charts.EMPTY).classes("w-full")
        self.show(result.value)
        hub.watch(self.viewer, self.wants, self.refresh, min_interval=1.0)

    def wants(self, change: ChangeEvent) -> bool:
        if change.kind not in ("issue", "stats"):
            return False
        return change.reporter_id is None or permissions.sees_issues_of(
            self.viewer.actor, change.reporter_id
        )

    async def refresh(self) -> None:
        result = await hub.shared(("dashboard", self.viewer.scope), lambda: self.viewer.query(load))
        if result.value is not None:
            self.show(result.value)

    def show(self, numbers: Numbers) -> None:
        old, self.numbers = self.numbers, numbers
        if old is None or old.by_status != numbers.by_status:
            self.status_cards.set_content(status_cards(numbers.by_status))
        if old is not None and old.open_by_severity != numbers.open_by_severity:
            self.bars.figure = numbers.bars
            self.bars.update()
        if numbers.lines is not None and (old is None or old.lines != numbers.lines):
            self.trend.figure = numbers.lines
            self.trend.update()
        self.trend_card.set_visibility(numbers.lines is not None)
        wanted = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=TREND_DAYS - 1)
        self.history.show(numbers.history_start, wanted)


def status_cards(by_status: dict[str, int]) -> str:
    """ "Issues by status, now": a card per status with its count, as markup (one element)."""
    cards = [
        f'<div class="{markup.CARD} items-center min-w-32">'
        + markup.div(STATUS_LABELS[status], f"text-{STATUS_COLORS[status]} status-text font-medium")
        + markup.div(str(by_status.get(status, 0)), "text-3xl font-bold")
        + "</div>"
        for status in STATUSES
    ]
    return markup.div("Issues by status, now", "text-lg font-semibold") + markup.row(cards, "gap-3")
