"""The insights that come from files: the crash signatures that hurt most, and what the
invoices attached to issues add up to (per month and per vendor, per currency)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from nicegui import ui

from services.intake import InvoiceSum, SignatureStat

from .components import when
from .live_rows import LiveTable

# Columns a phone leaves out, so the rest fit its width (Quasar's "wider than xs" class).
WIDE_ONLY = {"classes": "gt-xs", "headerClasses": "gt-xs"}


def signatures(stats: list[SignatureStat]) -> None:
    if not stats:
        ui.label("No stack traces found in files, descriptions or comments yet.").classes(
            "opacity-70"
        )
        return
    rows = [
        {
            "fingerprint": s.fingerprint,
            "exception": s.exception,
            "top_frame": s.top_frame,
            "issues": s.issues,
            "reporters": s.reporters,
            "first": when(s.first_seen),
            "last": when(s.last_seen),
        }
        for s in stats
    ]
    table = (
        LiveTable(
            columns=[
                {
                    "name": "exception",
                    "label": "Exception",
                    "field": "exception",
                    "align": "left",
                    "classes": "break-all",  # java.lang.NullPointerException is one word
                },
                {
                    "name": "top_frame",
                    "label": "Top frame",
                    "field": "top_frame",
                    "align": "left",
                    **WIDE_ONLY,
                },
                {"name": "issues", "label": "Issues", "field": "issues"},
                {"name": "reporters", "label": "Reporters", "field": "reporters"},
                {"name": "first", "label": "First seen", "field": "first", **WIDE_ONLY},
                {"name": "last", "label": "Last seen", "field": "last", **WIDE_ONLY},
            ],
            rows=rows,
            row_key="fingerprint",
        )
        .props("flat dense wrap-cells")
        .classes("w-full")
    )
    table.on("row-click", lambda e: _open(e.args))


def invoices(title: str, sums: list[InvoiceSum]) -> None:
    ui.label(title).classes("font-medium")
    if not sums:
        ui.label("No invoices read from files yet.").classes("opacity-70 text-sm")
        return
    LiveTable(
        columns=[
            {"name": "key", "label": "", "field": "key", "align": "left"},
            {"name": "currency", "label": "Currency", "field": "currency", "align": "left"},
            {"name": "count", "label": "Invoices", "field": "count", **WIDE_ONLY},
            {"name": "total", "label": "Total", "field": "total"},
        ],
        rows=[s.model_dump() for s in sums],
        row_key="key",
    ).props("flat dense wrap-cells").classes("w-full")


def _open(args: Any) -> None:
    """A click on a signature lists its issues."""
    row = args[1] if isinstance(args, list) and len(args) > 1 else None
    if isinstance(row, dict) and row.get("fingerprint"):
        ui.navigate.to(f"/?signature={quote(str(row['fingerprint']))}")
