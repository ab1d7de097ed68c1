"""Small shared UI pieces. User text goes in as element text, never into props or HTML
(markup.py draws read-only lists as HTML and escapes every value itself)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nicegui import ui

# Quasar palette shades dark enough for white text (and as text on white) at 4.5:1 or more.
STATUS_COLORS = {
    "OPEN": "blue-9",
    "TRIAGED": "purple-8",
    "IN_PROGRESS": "deep-orange-10",
    "DONE": "green-9",
}
SEVERITY_COLORS = {
    "LOW": "grey-8",
    "MEDIUM": "teal-9",
    "HIGH": "deep-orange-10",
    "CRITICAL": "red-9",
}
PRIMARY = "#1d5ea8"  # the header, buttons and links: 6.5:1 with white
# A title or text with a long word (a URL, a path, a hash) breaks inside it where it would
# not fit (`wrap-anywhere`), rather than widening its list or page past the screen.
# In NiceGUI's `overrides` layer: an important declaration there beats Quasar's colour
# classes (their layer comes later, and for important declarations the earlier layer wins).
LINK_CSS = """
.nicegui-link { color: #1d5ea8; }
:focus-visible:not(input):not(textarea) { outline: 2px solid #1d5ea8; outline-offset: 2px; }
.q-header :focus-visible { outline-color: #fff; }
.body--dark :focus-visible:not(input):not(textarea) { outline-color: #8ab4f8; }
.wrap-anywhere { overflow-wrap: anywhere; }
@layer overrides {
  .body--dark .nicegui-link:not(.text-white),
  .body--dark .tracker-md a,
  .body--dark .text-primary { color: #8ab4f8 !important; }
  .body--dark .q-badge--outline, .body--dark .q-chip--outline,
  .body--dark .status-text { color: #eeeeee !important; }
  .body--dark .text-negative { color: #ff8a80 !important; }
}
"""
STATUS_LABELS = {"OPEN": "Open", "TRIAGED": "Triaged", "IN_PROGRESS": "In progress", "DONE": "Done"}
SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
RESOLUTION_LABELS = {
    "fixed": "fixed",
    "wont_fix": "won't fix",
    "duplicate": "duplicate",
    "invalid": "invalid",
    "withdrawn": "withdrawn",
}
CLOSE_LABELS = {  # the buttons that close an issue outright
    "wont_fix": "Close: won't fix",
    "invalid": "Close: invalid",
    "withdrawn": "Withdraw my issue",
}
STATUSES = ["OPEN", "TRIAGED", "IN_PROGRESS", "DONE"]


MAX_ID = 2**31 - 1


def parse_id(text: str | None, default: int = 0) -> int:
    """A positive database id (or page number) from user text; `default` for anything else,
    including non-ASCII digits and numbers too large for the database."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 10:
        return default
    value = int(text)
    return value if 0 < value <= MAX_ID else default


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


# Not `.md`: Quasar's `.md` means "show only on medium screens" and hid the text elsewhere.
MARKDOWN_CLASS = "tracker-md"
MARKDOWN_CSS = """
.tracker-md { overflow-wrap: anywhere; }
.tracker-md > * + * { margin-top: .6em; }
.tracker-md ul { list-style: disc; padding-left: 1.5em; }
.tracker-md ol { list-style: decimal; padding-left: 1.5em; }
.tracker-md h1 { font-size: 1.5em; font-weight: 600; }
.tracker-md h2 { font-size: 1.3em; font-weight: 600; }
.tracker-md h3 { font-size: 1.1em; font-weight: 600; }
.tracker-md code { font-family: monospace; background: rgba(127,127,127,.15);
                   padding: 0 .25em; border-radius: 3px; }
.tracker-md pre { background: rgba(127,127,127,.12); padding: .6em; border-radius: 4px;
                  overflow-x: auto; }
.tracker-md pre code { background: none; padding: 0; }
.tracker-md blockquote { border-left: 3px solid rgba(127,127,127,.4); padding-left: .8em;
                         opacity: .85; }
.tracker-md table { border-collapse: collapse; }
.tracker-md th, .tracker-md td { border: 1px solid rgba(127,127,127,.4); padding: .2em .5em; }
.tracker-md a { color: var(--q-primary); text-decoration: underline; }
"""


def markdown_html(html: str) -> ui.html:
    """Show Markdown rendered by the services' safe renderer (sanitised again in the browser)."""
    return ui.html(html).classes(f"{MARKDOWN_CLASS} w-full")


def tag_picker(label: str, value: list[str], known: list[str], on_change: Any) -> ui.select:
    """Tags: the existing ones are suggested as you type, a new one is added with Enter."""
    return ui.select(
        sorted(set(known) | set(value)),
        label=label,
        value=list(value),
        multiple=True,
        with_input=True,
        new_value_mode="add-unique",
        on_change=on_change,
    ).props("use-chips")


def mark_invalid(fields: dict[str, Any], error: Any) -> None:
    """Put an InvalidInput's per-field messages under the fields they are about (the
    notification says it too); `fields` maps the service's field names to inputs."""
    problems = getattr(error, "errors", None) or {}
    for name, field in fields.items():
        message = problems.get(name)
        if message is None:
            clear_invalid(field)
            continue
        field.props["error"] = True
        label = str(field.props.get("label") or name).split(" (")[0]
        field.props["error-message"] = (
            f"{message.rstrip('.')}." if message[:1].isupper() else f"{label} {message}."
        )
        field.update()


def clear_invalid(field: Any) -> None:
    if field.props.get("error"):
        field.props["error"] = False
        field.props.pop("error-message", None)
        field.update()


def page_heading(text: str) -> ui.label:
    """The page's one level-one heading (screen readers jump by headings)."""
    heading = ui.label(text).classes("text-2xl font-semibold wrap-anywhere")
    heading.props["role"] = "heading"
    heading.props["aria-level"] = "1"
    return heading


class PageDialog(ui.dialog):
    """A dialog that belongs to the page, not to the element it was opened from: a live
    refresh that rebuilds that element while the dialog is open leaves it open (and the
    answer reaches whoever awaits it). Await it with `answer`, which deletes it.

    NiceGUI ties a dialog to where it was made through a hidden element there; that one is
    made in a hidden holder of the page's own, deleted with the dialog."""

    def __init__(self) -> None:
        with ui.context.client.layout:
            self.holder = ui.element().style("display: none")
        with self.holder:
            super().__init__()


async def answer(dialog: PageDialog) -> Any:
    """What the person chose in `dialog` (None when dismissed); the dialog is gone after."""
    try:
        return await dialog
    finally:
        for element in (dialog, dialog.holder):
            if not element.is_deleted:
                element.delete()
