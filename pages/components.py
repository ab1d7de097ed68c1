"""Small shared UI pieces. User text goes in as element text, never into props or HTML."""

from __future__ import annotations

import datetime as dt

from nicegui import ui

STATUS_COLORS = {"OPEN": "blue", "TRIAGED": "purple", "IN_PROGRESS": "orange", "DONE": "green"}
SEVERITY_COLORS = {"LOW": "grey", "MEDIUM": "teal", "HIGH": "deep-orange", "CRITICAL": "red"}
STATUS_LABELS = {"OPEN": "Open", "TRIAGED": "Triaged", "IN_PROGRESS": "In progress", "DONE": "Done"}
SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
STATUSES = ["OPEN", "TRIAGED", "IN_PROGRESS", "DONE"]


def status_badge(status: str) -> ui.badge:
    return ui.badge(STATUS_LABELS.get(status, status), color=STATUS_COLORS.get(status, "grey"))


def severity_badge(severity: str) -> ui.badge:
    return ui.badge(severity.capitalize(), color=SEVERITY_COLORS.get(severity, "grey")).props(
        "outline"
    )


def when(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """A short relative time: 'just now', '5 min ago', '3 h ago', '2 d ago', or the date."""
    seconds = ((now or dt.datetime.now(dt.UTC)) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 30 * 86400:
        return f"{int(seconds // 86400)} d ago"
    return moment.strftime("%Y-%m-%d")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def person(ref: object | None) -> str:
    if ref is None:
        return "—"
    name = getattr(ref, "full_name", "") or ""
    return name or str(getattr(ref, "email", ""))


def markdown_html(html: str) -> ui.html:
    """Show Markdown rendered by the services' safe renderer (sanitised again in the browser)."""
    return ui.html(html).classes("prose max-w-none dark:prose-invert")
