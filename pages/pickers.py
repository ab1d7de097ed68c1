"""The issue page's assignee and tag pickers as one element drawn by the browser
(pickers.js). As two NiceGUI selects they cost ~15 KB on every open issue page and ~10 % of
a staff view's server CPU (docs/performance.md). The browser keeps what they hold and sends
each choice; the page's handlers call the services, which check it as any request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from .plain import set_plain

NOBODY = 0  # "Unassigned" in the browser: Quasar shows no choice for a null value


class IssuePickers(ui.element, component="pickers.js"):
    """`on_assign(user_id or None)` and `on_tags(names)` get each choice, as sent. The element
    stays for the page's life: `set` sends what the issue now holds, and a change made
    elsewhere leaves an open menu and half-typed text alone."""

    def __init__(
        self,
        *,
        assignee: int | None,
        tags: list[str],
        staff: dict[int | None, str],
        known: list[str],
        on_assign: Callable[[int | None], Awaitable[None]],
        on_tags: Callable[[list[str]], Awaitable[None]],
    ) -> None:
        super().__init__()
        self.known = known
        offered = [{"value": k or NOBODY, "label": name} for k, name in staff.items()]
        set_plain(self, staff=offered, drawn=0)
        self._hold(assignee, tags)

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

    def set(self, assignee: int | None, tags: list[str], *, again: bool = False) -> None:
        """What the issue holds, sent if it changed; `again` sends it anyway (a refused choice:
        the browser still shows it)."""
        if again or self.props["assigned"] != (assignee or NOBODY) or self.props["tags"] != tags:
            self._hold(assignee, tags)
            set_plain(self, drawn=self.props["drawn"] + 1)  # the browser shows it
            self.update()

    def _hold(self, assignee: int | None, tags: list[str]) -> None:
        known = sorted(set(self.known) | set(tags))
        set_plain(self, assigned=assignee or NOBODY, tags=list(tags), known=known)

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        return ["Assignee", "Tags", *self.props["tags"]]
