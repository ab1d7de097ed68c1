"""Keyboard shortcuts on every page (not while typing in a field): `?` lists them, `n` files
a new issue, `/` goes to the search, `g i` to the issues, `g d` to the dashboard."""

from __future__ import annotations

import time
from typing import Any

from nicegui import ui

SHORTCUTS = [
    ("?", "show these shortcuts"),
    ("n", "file a new issue"),
    ("/", "search the issues"),
    ("g then i", "go to the issues"),
    ("g then d", "go to the dashboard"),
]
GO = {"i": "/", "d": "/dashboard"}
SEQUENCE_SECONDS = 1.5
SEARCH = "[data-search] input, input[data-search]"


class Shortcuts:
    """One per page: remembers a pending `g`."""

    def __init__(self) -> None:
        self._g_at = 0.0
        self._dialog: ui.dialog | None = None  # made on the first `?`, opened again after
        ui.keyboard(on_key=self.on_key, ignore=["input", "select", "button", "textarea"])

    def on_key(self, e: Any) -> None:
        if not getattr(e.action, "keydown", False) or e.action.repeat:
            return
        key = str(e.key)
        pending_g, self._g_at = time.monotonic() - self._g_at < SEQUENCE_SECONDS, 0.0
        if pending_g and key in GO:
            ui.navigate.to(GO[key])
        elif key == "g":
            self._g_at = time.monotonic()
        elif key == "n":
            ui.navigate.to("/issues/new")
        elif key == "/":
            ui.run_javascript(
                f"const s = document.querySelector('{SEARCH}');"
                "if (s) { s.focus(); } else { window.location.href = '/?focus=search'; }"
            )
        elif key == "?":
            self.show()

    def show(self) -> None:
        if self._dialog is not None and not self._dialog.is_deleted:
            self._dialog.open()
            return
        with ui.dialog() as dialog, ui.card().classes("gap-2"):
            ui.label("Keyboard shortcuts").classes("text-lg font-semibold")
            for keys, what in SHORTCUTS:
                with ui.row().classes("items-center gap-3"):
                    ui.label(keys).classes("font-mono bg-gray-100 dark:bg-gray-700 px-2 rounded")
                    ui.label(what)
            ui.button("Close", on_click=dialog.close).props("flat")
        self._dialog = dialog
        dialog.open()
