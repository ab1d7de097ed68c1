"""The bell in the header: the viewer's unread notifications, counted live."""

from __future__ import annotations

from nicegui import ui

import services

from .live import hub
from .viewer import Viewer


class Bell:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.count = 0
        self.button = ui.button(
            icon="notifications", on_click=lambda: ui.navigate.to("/notifications")
        )
        self.button.props("flat round color=white").mark("bell")
        with self.button:
            self.badge = ui.badge("", color="negative").props("floating rounded")
        self.badge.set_visibility(False)
        self._label()
        # The count loads once the page is connected (the frame itself must not wait for
        # the database), then again whenever the viewer's notifications change (in another
        # process too: through Redis, or without it through services.watch).
        hub.watch(
            viewer,
            lambda _change: False,
            self.refresh,
            min_interval=0.5,
            notices=True,
            at_connect=True,
        )

    async def refresh(self) -> None:
        result = await self.viewer.query(services.notify.unread_count)
        if result.value is None:
            return
        self.count = result.value
        self.badge.text = "99+" if self.count > 99 else str(self.count)
        self.badge.set_visibility(self.count > 0)
        self._label()

    def _label(self) -> None:
        unread = f", {self.count} unread" if self.count else ""
        self.button.props["aria-label"] = f"Notifications{unread}"
        self.button.props["title"] = f"Notifications{unread}"
        self.button.update()
