"""Similar issues while a new one is typed (from the third word, a moment after the last
key): up to five, best first. A reporter sees only their own; when someone else's issue
matches strongly they are told a similar report exists and the team will link theirs,
nothing more (no title, number or count)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from nicegui import background_tasks, ui

import services

from . import markup
from .viewer import Viewer

WAIT = 0.5  # seconds after the last key
MIN_WORDS = 3
_WORD = re.compile(r"\w+")


class SimilarWhileTyping:
    def __init__(self, viewer: Viewer, title: Any, description: Any) -> None:
        self.viewer = viewer
        self.title = title
        self.description = description
        self.box = ui.column().classes("w-full gap-1").props('aria-live="polite"')
        self._task: asyncio.Task[None] | None = None
        self._asked: tuple[str, str] | None = None
        title.on_value_change(self._changed)
        description.on_value_change(self._changed)
        self._changed()  # a restored draft gets its suggestions at once

    def _changed(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = background_tasks.create(self._soon(), name="similar-while-typing")

    async def _soon(self) -> None:
        await asyncio.sleep(WAIT)
        title, text = self.title.value or "", self.description.value or ""
        if len(_WORD.findall(f"{title} {text}")) < MIN_WORDS:
            self._asked = None
            self.box.clear()
            return
        if (title, text) == self._asked:
            return
        self._asked = (title, text)
        found = await self.viewer.query(services.suggest.similar_to_draft, title, text)
        if found.value is not None and not self.box.is_deleted:
            self.show(found.value)

    def show(self, found: services.suggest.Suggestions) -> None:
        self.box.clear()
        if not found.items and not found.hidden_match:
            return
        with self.box, ui.card().classes("w-full p-3 gap-1 bg-blue-50 dark:bg-slate-800"):
            heading = "Similar issues: is yours one of these?"
            if self.viewer.is_staff:
                heading = "Similar issues"
            ui.label(heading).classes("font-semibold")
            if found.items:
                markup.show(
                    (
                        '<li class="flex no-wrap items-center gap-2 max-sm:flex-wrap">'
                        + markup.similar_issue(item, score=False, new_tab=True)
                        + "</li>"
                        for item in found.items
                    ),
                    tag="ul",
                    classes="w-full flex flex-col gap-1",
                )
            if found.hidden_match:
                ui.label(
                    "A similar report already exists and will be linked by the team. File "
                    "yours anyway: your issue will then show how the original is going."
                ).classes("text-sm")
            if found.mode == "lexical":
                ui.label("Matched by words only (no similarity model is installed).").classes(
                    "text-xs opacity-70"
                )
