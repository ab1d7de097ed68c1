"""`/dashboard`: open issues by severity (a reporter sees their own), counts by status and,
for staff once daily_stats has rows, the trend. Live, at most a few updates a second."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services.events import ChangeEvent

from .components import SEVERITIES, SEVERITY_COLORS, STATUS_COLORS, STATUS_LABELS, STATUSES
from .frame import frame
from .live import hub
from .session import Viewer, login_url, viewer_for

TREND_DAYS = 90
BAR_COLORS = {"LOW": "#9e9e9e", "MEDIUM": "#009688", "HIGH": "#ff5722", "CRITICAL": "#f44336"}
LINE_COLORS = {"OPEN": "#2196f3", "TRIAGED": "#9c27b0", "IN_PROGRESS": "#ff9800", "DONE": "#4caf50"}
EMPTY: dict[str, Any] = {"data": [], "layout": {}}
assert set(BAR_COLORS) == set(SEVERITY_COLORS)


@dataclass(frozen=True)
class Numbers:
    """What the dashboard shows, figures included: built once per change, off the loop."""

    open_by_severity: dict[str, int]
    by_status: dict[str, int]
    trend: list[services.schemas.DailyCount]
    bars: dict[str, Any]
    lines: dict[str, Any] | None


def load(s: Any, actor: services.Actor) -> Numbers:
    trend: list[services.schemas.DailyCount] = []
    if actor.is_staff:
        since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=TREND_DAYS)
        trend = services.stats.daily_series(s, actor, since=since)
    open_by_severity = services.stats.open_by_severity(s, actor)
    return Numbers(
        open_by_severity=open_by_severity,
        by_status=services.stats.counts_by_status(s, actor),
        trend=trend,
        bars=severity_figure(open_by_severity),
        lines=trend_figure(trend) if trend else None,
    )


def register() -> None:
    @ui.page("/dashboard")
    async def dashboard(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/dashboard"), status_code=303)
        with frame(viewer, "Dashboard"):
            await Dashboard(viewer).build()
        return None


def severity_figure(counts: dict[str, int]) -> dict[str, Any]:
    fig = go.Figure(
        go.Bar(
            x=[s.capitalize() for s in SEVERITIES],
            y=[counts.get(s, 0) for s in SEVERITIES],
            marker_color=[BAR_COLORS[s] for s in SEVERITIES],
        )
    )
    fig.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        height=320,
        yaxis={"title": "open issues", "rangemode": "tozero"},
    )
    return fig.to_plotly_json()


def trend_figure(rows: list[services.schemas.DailyCount]) -> dict[str, Any]:
    days = sorted({r.day for r in rows})
    totals = {(r.day, r.status.value): 0 for r in rows}
    for r in rows:
        totals[(r.day, r.status.value)] += r.count
    fig = go.Figure(
        [
            go.Scatter(
                x=days,
                y=[totals.get((d, st), 0) for d in days],
                name=STATUS_LABELS[st],
                mode="lines",
                line={"color": LINE_COLORS[st]},
            )
            for st in STATUSES
        ]
    )
    fig.update_layout(margin={"l": 40, "r": 10, "t": 10, "b": 40}, height=320)
    return fig.to_plotly_json()


class Dashboard:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.numbers: Numbers | None = None

    async def build(self) -> None:
        ui.label("Dashboard").classes("text-2xl font-semibold")
        if not self.viewer.is_staff:
            ui.label("Your own issues.").classes("opacity-70")
        with ui.row().classes("gap-3"):
            self.status_cards = {}
            for status in STATUSES:
                with ui.card().classes("items-center min-w-32"):
                    ui.label(STATUS_LABELS[status]).classes(f"text-{STATUS_COLORS[status]}")
                    self.status_cards[status] = ui.label("0").classes("text-3xl font-bold")
        result = await self.viewer.call(load)
        if result.value is None:
            return
        with ui.card().classes("w-full"):
            ui.label("Open issues by severity").classes("text-lg font-semibold")
            self.bars = ui.plotly(result.value.bars).classes("w-full")
        self.trend_card = ui.card().classes("w-full")
        with self.trend_card:
            ui.label(f"Issues by status, last {TREND_DAYS} days").classes("text-lg font-semibold")
            self.trend = ui.plotly(result.value.lines or EMPTY).classes("w-full")
        self.show(result.value)
        hub.watch(self.viewer, self.wants, self.refresh, min_interval=1.0)

    def wants(self, change: ChangeEvent) -> bool:
        if change.kind not in ("issue", "stats"):
            return False
        return self.viewer.is_staff or change.reporter_id in (None, self.viewer.actor.id)

    async def refresh(self) -> None:
        result = await hub.shared(("dashboard", self.viewer.scope), lambda: self.viewer.query(load))
        if result.value is not None:
            self.show(result.value)

    def show(self, numbers: Numbers) -> None:
        old, self.numbers = self.numbers, numbers
        for status, label in self.status_cards.items():
            label.text = str(numbers.by_status.get(status, 0))
        if old is not None and old.open_by_severity != numbers.open_by_severity:
            self.bars.figure = numbers.bars
            self.bars.update()
        if numbers.lines is not None and (old is None or old.trend != numbers.trend):
            self.trend.figure = numbers.lines
            self.trend.update()
        self.trend_card.set_visibility(numbers.lines is not None)
