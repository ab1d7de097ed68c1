"""The saved views in the header, next to Issues: the viewer's own views and the shared ones
as links to the issue list, the one the list shows highlighted. Loaded when first opened
(most pages never open it), then kept current live."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import app, ui
from nicegui.events import ValueChangeEventArguments

import services
from services import filters

from . import markup
from .live import hub
from .viewer import Viewer

_KEY = "views_menu"  # this page's menu, in the client's storage


class ViewsMenu:
    # Its button, drawn by the header (pages.frame) as markup; the menu opens from it.
    BUTTON = markup.button(
        "bookmarks",
        'type="button" id="views-menu" aria-label="Saved views" title="Saved views"',
        classes="text-white q-btn--round",
    )

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.loaded = False
        self.items: dict[str, list[ui.item]] = {}  # by query: the links to highlight
        self.current: Callable[[], services.IssueQuery] | None = None
        self.menu = ui.menu().props('auto-close max-height=70vh target="#views-menu"')
        self.menu.classes("min-w-56").mark("views-menu")
        self.menu.on_value_change(self._opened)
        app.storage.client[_KEY] = self
        hub.watch(viewer, lambda _change: False, self._changed, views=True)

    @staticmethod
    def follow(current: Callable[[], services.IssueQuery]) -> None:
        """The issue list says what it shows, so the view that matches is highlighted."""
        menu = app.storage.client.get(_KEY)
        if isinstance(menu, ViewsMenu):
            menu.current = current

    async def _opened(self, e: ValueChangeEventArguments) -> None:
        if not e.value:
            return
        if self.loaded:
            self._highlight()
        else:  # made when first opened, not on every page
            if not self.menu.default_slot.children:
                with self.menu:
                    ui.label("Loading…").classes("q-item q-item-type row no-wrap items-center")
            await self.refresh()

    async def _changed(self) -> None:
        if self.loaded:
            await self.refresh()

    async def refresh(self) -> None:
        result = await self.viewer.query(services.views.list_views)
        if result.value is None or self.menu.is_deleted:
            return
        self.loaded = True
        self.items = {}
        self.menu.clear()
        with self.menu:
            if not result.value:
                ui.item("No saved views yet: “Save view” on the issue list adds one.").props(
                    "disable"
                )
            for view in result.value:
                item = ui.item(view.name).props('active-class="text-primary text-weight-bold"')
                item.props["href"] = view.url
                if view.shared:
                    with item, ui.item_section().props("side"):
                        ui.item_label("shared").props("caption")
                self.items.setdefault(view.query, []).append(item)
            ui.separator()
            ui.item("Manage views").props('href="/views"')
        self._highlight()

    def _highlight(self) -> None:
        shown = filters.url_of(self.current()) if self.current else None
        for query, items in self.items.items():
            for item in items:
                active = query == shown
                if item.props.get("active", False) != active:
                    item.props["active"] = active
                    item.props["aria-current"] = "page" if active else "false"
