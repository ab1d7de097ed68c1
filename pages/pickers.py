"""The issue page's assignee and tag pickers as one element drawn by the browser
(pickers.js). As two NiceGUI selects they cost ~16 KB on every open issue page and ~10 % of
a staff view's server CPU (docs/performance.md). The browser keeps what they hold and sends
each choice; the page's handlers call the services, which check it as any request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

NOBODY = 0  # "Unassigned" in the browser: Quasar shows no choice for a null value


class IssuePickers(ui.element, component="pickers.js"):
    """`on_assign(user_id or None)` and `on_tags(names)` get each choice, as sent."""

    def __init__(
        self,
        *,
        assignee: int | None,
        staff: dict[int | None, str],
        tags: list[str],
        known: list[str],
        on_assign: Callable[[int | None], Awaitable[None]],
        on_tags: Callable[[list[str]], Awaitable[None]],
    ) -> None:
        super().__init__()
        # Set without NiceGUI's observable wrapping: replaced with the element, never changed.
        for key, value in {
            "assigned": assignee or NOBODY,
            "staff": [{"value": k or NOBODY, "label": name} for k, name in staff.items()],
            "tags": tags,
            "known": sorted(set(known) | set(tags)),
        }.items():
            dict.__setitem__(self.props, key, value)

        async def assigned(e: Any) -> None:
            value = e.args.get("value") if isinstance(e.args, dict) else None
            if isinstance(value, int) and not isinstance(value, bool):
                await on_assign(value or None)

        async def tagged(e: Any) -> None:
            value = e.args.get("value") if isinstance(e.args, dict) else None
            if isinstance(value, list) and all(isinstance(t, str) for t in value):
                await on_tags(value)

        self.on("assign", assigned)
        self.on("tags", tagged)

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        return ["Assignee", "Tags", *self.props["tags"]]
