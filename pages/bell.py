"""The bell in the header: the viewer's unread notifications, counted live. Drawn by the
header as a link to /notifications with its count (`markup`), in the header's own element."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import services

from . import markup
from .live import hub
from .viewer import Viewer


class Bell:
    def __init__(self, viewer: Viewer, redraw: Callable[[], Awaitable[None]]) -> None:
        self.viewer = viewer
        self.redraw = redraw
        self.count = 0
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
        if result.value is not None and result.value != self.count:
            self.count = result.value
            await self.redraw()

    def markup(self) -> str:
        unread = f", {self.count} unread" if self.count else ""
        badge = ""
        if self.count:
            shown = "99+" if self.count > 99 else str(self.count)
            badge = markup.span(
                shown,
                f"{markup.BADGE} bg-negative text-white q-badge--floating q-badge--rounded",
            )
        return markup.button(
            "notifications",
            f'href="/notifications" aria-label="Notifications{unread}" '
            f'title="Notifications{unread}"',
            label=badge,
            tag="a",
            classes="text-white q-btn--round",
            spaced=False,
        )
