"""A warning under a text field when what is typed looks like a secret (a password, a key,
a token): said before saving, so the reporter can take it out. The text is stored as typed;
the tracker masks secrets in what it reads from files, in search and in exports."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui import background_tasks, run, ui

import services

WAIT = 0.4  # seconds after the last key before checking


class SecretWarning:
    def __init__(self, field: Any) -> None:
        self.field = field
        self.label: ui.label | None = None  # made at the first secret: most never need it
        self._task: asyncio.Task[None] | None = None
        field.on_value_change(self._changed)

    def _changed(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = background_tasks.create(self._check_soon(), name="secret-check")

    async def _check_soon(self) -> None:
        await asyncio.sleep(WAIT)
        kinds = await run.io_bound(services.intake.secret_kinds, self.field.value or "")
        self.show(kinds or [])

    def show(self, kinds: list[str]) -> None:
        if self.field.is_deleted or (self.label is None and not kinds):
            return
        label = self.label or self._make()
        if kinds:
            what = ", ".join(k.replace("_", " ") for k in kinds)
            label.text = (
                f"This looks like a secret ({what}). Take it out unless the team needs it: it "
                "would be stored as typed (the tracker masks it in search and exports)."
            )
        label.set_visibility(bool(kinds))

    def _make(self) -> ui.label:
        """The warning, right under the field."""
        slot = self.field.parent_slot
        assert slot is not None
        with slot:
            # Quasar's "warning" yellow is unreadable on white (1.7:1): a dark amber, 7:1.
            self.label = ui.label().classes("text-amber-900 dark:text-amber-300 text-sm")
        self.label.props('role="status"')
        self.label.move(target_index=slot.children.index(self.field) + 1)
        return self.label
