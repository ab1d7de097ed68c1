"""Figures for the dashboard and insights, built off the event loop. Daily series use day
ticks and end with today's live counts, so a chart never lags the cards above it, and the
caption says where the recorded history starts instead of drawing a short history as if it
were the whole range."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import plotly.graph_objects as go
from nicegui import ui

import services

from . import markup
from .components import SEVERITIES, STATUS_LABELS, STATUSES

BAR_COLORS = {"LOW": "#9e9e9e", "MEDIUM": "#009688", "HIGH": "#ff5722", "CRITICAL": "#f44336"}
LINE_COLORS = {"OPEN": "#2196f3", "TRIAGED": "#9c27b0", "IN_PROGRESS": "#ff9800", "DONE": "#4caf50"}
MARGIN = {"l": 40, "r": 10, "t": 10, "b": 40}
DAY_MS = 86_400_000
DAILY_TICKS_UP_TO = 10  # days; past this Plotly chooses (days or weeks, never hours)
# The toolbar offers only "download as PNG" (no logo, no zoom tools that cover a phone's
# chart when it is touched). Not with `modeBarButtons`: Plotly rewrites that list in place,
# which the page's reactive copy of the figure sees as a change, and redraws for ever.
_TOOLS_REMOVED = [
    "zoom2d",
    "pan2d",
    "select2d",
    "lasso2d",
    "zoomIn2d",
    "zoomOut2d",
    "autoScale2d",
    "resetScale2d",
    "hoverClosestCartesian",
    "hoverCompareCartesian",
    "toggleSpikelines",
]


def config() -> dict[str, Any]:
    """A fresh copy per figure: nothing shared between charts that Plotly could change."""
    return {"displaylogo": False, "modeBarButtonsToRemove": list(_TOOLS_REMOVED)}


EMPTY: dict[str, Any] = {"data": [], "layout": {}}
# Transparent, so a chart sits on the page's own background in light and dark mode alike;
# its text and grid take the theme's colours from CHART_CSS.
THEME: dict[str, Any] = {"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"}
CHART_CSS = """
.body--dark .js-plotly-plot .main-svg text { fill: #e0e0e0 !important; }
.body--dark .js-plotly-plot .gridlayer path,
.body--dark .js-plotly-plot .zerolinelayer path { stroke: #555 !important; }
.body--dark .js-plotly-plot .modebar-btn path { fill: #bbb !important; }
"""
# What "not done" is made of, said wherever a number counts it.
NOT_DONE = "Open, triaged or in progress: every issue not done yet."


def day_axis(first: dt.date, last: dt.date) -> dict[str, Any]:
    """A date axis that never ticks in hours: every day for short ranges; for longer ones
    Plotly picks whole days or weeks to fit the width (a phone gets fewer ticks)."""
    days = (last - first).days + 1
    axis: dict[str, Any] = {
        "type": "date",
        "tickformat": "%b %d",
        # Half a day either side, so one or two days still make a readable axis.
        "range": [
            (dt.datetime.combine(first, dt.time()) - dt.timedelta(hours=12)).isoformat(),
            (dt.datetime.combine(last, dt.time()) + dt.timedelta(hours=12)).isoformat(),
        ],
    }
    if days <= DAILY_TICKS_UP_TO:
        axis.update(dtick=DAY_MS, tick0=first.isoformat())
    else:
        axis["nticks"] = 10
    return axis


def severity_bars(counts: dict[str, int]) -> dict[str, Any]:
    fig = go.Figure(
        go.Bar(
            x=[s.capitalize() for s in SEVERITIES],
            y=[counts.get(s, 0) for s in SEVERITIES],
            marker_color=[BAR_COLORS[s] for s in SEVERITIES],
        )
    )
    yaxis = {"title": "issues not done", "rangemode": "tozero"}
    fig.update_layout(margin=MARGIN, height=320, yaxis=yaxis, **THEME)
    return _figure(fig)


def status_by_day(
    rows: Iterable[services.schemas.DailyCount],
    live: dict[str, int] | None,
    *,
    today: dt.date,
    first: dt.date,
    last: dt.date,
    stacked: bool = False,
) -> dict[str, Any]:
    """Issues per status per day from daily_stats, on an axis from `first` to `last` (days
    without counts show as a gap); `live` (the counts now) replaces today's stored point,
    which may be up to one job interval old."""
    totals = per_day_status(rows)
    if live is not None:
        totals[today] = {st: live.get(st, 0) for st in STATUSES}
    days = sorted(totals)
    extra: dict[str, Any] = {"stackgroup": "all"} if stacked else {}
    fig = go.Figure(
        [
            go.Scatter(
                x=[d.isoformat() for d in days],
                y=[totals[d].get(st, 0) for d in days],
                name=STATUS_LABELS[st],
                mode="lines+markers" if len(days) < 3 else "lines",
                line={"color": LINE_COLORS[st]},
                **extra,
            )
            for st in STATUSES
        ]
    )
    fig.update_layout(
        margin=MARGIN,
        height=320,
        xaxis=day_axis(first, last),
        yaxis={"rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
        **THEME,
    )
    return _figure(fig)


def per_day_status(rows: Iterable[services.schemas.DailyCount]) -> dict[dt.date, dict[str, int]]:
    totals: dict[dt.date, dict[str, int]] = {}
    for r in rows:
        day = totals.setdefault(r.day, {})
        day[r.status.value] = day.get(r.status.value, 0) + r.count
    return totals


def filed_and_resolved(days: Sequence[services.insights.DayFlow]) -> dict[str, Any]:
    x = [d.day.isoformat() for d in days]
    fig = go.Figure(
        [
            go.Bar(x=x, y=[d.created for d in days], name="Filed", marker_color="#2196f3"),
            go.Bar(x=x, y=[d.resolved for d in days], name="Resolved", marker_color="#4caf50"),
        ]
    )
    layout: dict[str, Any] = {"barmode": "group", "margin": MARGIN, "height": 300}
    if days:
        layout["xaxis"] = day_axis(days[0].day, days[-1].day)
    fig.update_layout(**layout, legend={"orientation": "h", "y": -0.2}, **THEME)
    return _figure(fig)


def history_note(
    history_start: dt.date | None, wanted: dt.date, *, admin: bool
) -> tuple[str, str | None]:
    """What the caption of a daily chart says about missing days, and for admins the
    command that fills them in from the activity log (None when nothing is missing)."""
    if history_start is not None and history_start <= wanted:
        return "", None
    begins = (
        f"Daily counts start on {history_start:%b %d, %Y}; "
        if history_start is not None
        else "No daily counts are recorded yet; "
    )
    note = begins + "there is no data for the days before."
    command = f"tracker stats backfill --since {wanted.isoformat()}" if admin else None
    return note, command


class HistoryCaption:
    """Under a daily chart: where the recorded days start and, for admins, how to backfill.
    One element of markup (each line laid out as the card lays out its items), hidden when
    there is nothing to say."""

    def __init__(self, *, admin: bool) -> None:
        self.admin = admin
        self.box = ui.html("").classes("nicegui-column w-full")

    def show(self, history_start: dt.date | None, wanted: dt.date) -> None:
        note, command = history_note(history_start, wanted, admin=self.admin)
        lines = [markup.div(note, "text-sm")] if note else []
        if command is not None:
            lines += [
                markup.div("To fill them in from the activity log, run:", "text-sm"),
                markup.div(command, "text-xs font-mono whitespace-pre overflow-x-auto"),
            ]
        self.box.set_content("".join(lines))
        self.box.set_visibility(bool(lines))


def card_heading(title: str, caption: str) -> ui.html:
    """A chart card's title and the line under it, as markup (one element), laid out as the
    card lays out its items."""
    parts = markup.div(title, "text-lg font-semibold") + markup.div(caption, "text-sm opacity-70")
    return ui.html(parts).classes("nicegui-column w-full")


def _figure(fig: go.Figure) -> dict[str, Any]:
    return fig.to_plotly_json() | {"config": config()}
