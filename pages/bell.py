"""The bell in the header: the viewer's unread notifications, counted live."""

from __future__ import annotations

from nicegui import ui

import services
from services.events import ChangeEvent

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
        # the database), then again whenever the viewer's notifications change.
        hub.watch(
            viewer,
            self.wants,
            self.refresh,
            min_interval=0.5,
            notices=True,
            at_connect=True,
        )

    def wants(self, change: ChangeEvent) -> bool:
        """Besides the viewer's own notification events: a reporter's bell also looks again
        when one of their issues changes (a change another process made reaches this one
        without Redis as an issue event only). Staff bells do not: every issue is theirs."""
        return (
            not self.viewer.is_staff
            and change.kind in ("issue", "comment")
            and change.reporter_id == self.viewer.actor.id
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
