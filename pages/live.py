"""Live updates: committed changes fan out to the open pages that may care.

The web wiring hands every `ChangeEvent` to `hub.dispatch` on the event loop. A page
registers a watcher with a cheap filter (a reporter page ignores other reporters' issues
before touching the database) and a refresh coroutine. Refreshes start at once and then run
at most every `min_interval` while events keep coming. Pages showing the same data share one
query per change through `hub.shared`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from nicegui import Client, background_tasks, context

import services
from services.events import ChangeEvent

from .viewer import Result, Viewer

log = logging.getLogger(__name__)

SYSTEM = "system"
RESYNC = "resync"
RECHECK_SECONDS = 60.0
T = TypeVar("T")
Wants = Callable[[ChangeEvent], bool]
Refresh = Callable[[], Awaitable[None]]


RECENT = 512  # changes the hub remembers, for pages that were loading while they came
NOTIFICATION = "notification"  # someone's bell: only watchers of notices get these
VIEW = services.views.KIND  # saved views changed: only watchers of views get these


class Watcher:
    def __init__(
        self,
        client: Client,
        viewer: Viewer,
        wants: Wants,
        refresh: Refresh,
        min_interval: float,
        notices: bool = False,
        views: bool = False,
    ) -> None:
        self.client = client
        self.viewer = viewer
        self.wants = wants
        self.refresh = refresh
        self.min_interval = min_interval
        self.notices = notices
        self.views = views
        self._running = False
        self._dirty = False
        self._recheck = False

    def offer(self, change: ChangeEvent) -> None:
        if self.viewer.ended:
            return
        if change.kind == SYSTEM:
            # A periodic check, or events may have been missed (Redis came back): make sure
            # the viewer is still signed in; after missed events, also reload.
            self._recheck = True
            self._dirty = self._dirty or change.op == RESYNC
        elif change.kind == NOTIFICATION:
            if not self.notices or change.user_id != self.viewer.actor.id:
                return
            self._dirty = True
        elif change.kind == VIEW:
            # One user's private view (user_id), or a shared one (None: everyone's).
            if not self.views or change.user_id not in (None, self.viewer.actor.id):
                return
            self._dirty = True
        elif change.kind == "user":
            if change.user_id != self.viewer.actor.id:
                return
            self._recheck = True  # my account changed: am I still signed in, and as what?
        elif self.wants(change):
            self._dirty = True
        else:
            return
        self.start()

    def start(self) -> None:
        """Run pending refreshes, unless the page has no socket (not yet connected, or
        reconnecting): then the work waits for the connection, which calls this again."""
        if self._running or not (self._dirty or self._recheck):
            return
        if not self.client.has_socket_connection:
            return
        self._running = True
        background_tasks.create(self._loop(), name="live-refresh")

    async def _loop(self) -> None:
        try:
            while self._dirty or self._recheck:
                if self.client.is_deleted:  # the page was closed meanwhile
                    return
                with self.client:
                    if self._recheck:
                        self._recheck = False
                        role = self.viewer.actor.role
                        if not await self.viewer.still_signed_in():
                            return
                        self._dirty = self._dirty or self.viewer.actor.role != role
                    if self._dirty:
                        self._dirty = False
                        try:
                            await self.refresh()
                        except Exception:
                            log.exception("live refresh failed")
                if _cancelled():
                    return
                await asyncio.sleep(self.min_interval)
        finally:
            self._running = False


def _cancelled() -> bool:
    """Whether this task was asked to stop (the page closed, the app shutting down).
    NiceGUI's `run.io_bound` swallows the cancellation and returns None, so the loop would
    otherwise sleep on, and a shutdown (every page test's) waited for it."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Hub:
    def __init__(self) -> None:
        self._watchers: set[Watcher] = set()
        self._shared: dict[Hashable, asyncio.Future[Any]] = {}
        self._recent: deque[tuple[int, ChangeEvent]] = deque(maxlen=RECENT)
        self.generation = 0

    def dispatch(self, change: ChangeEvent) -> None:
        """Called on the event loop for every committed change in any process."""
        self.generation += 1
        self._recent.append((self.generation, change))
        self._shared.clear()
        for watcher in list(self._watchers):
            watcher.offer(change)

    def watch(
        self,
        viewer: Viewer,
        wants: Wants,
        refresh: Refresh,
        *,
        min_interval: float = 0.3,
        notices: bool = False,
        views: bool = False,
        at_connect: bool = False,
    ) -> Watcher:
        """Refresh the current page when a change it wants arrives (and re-check the viewer's
        session when their own account changes); forgotten when the page closes. With
        `notices`, also when the viewer's notifications change (other watchers never see
        those events); with `views`, when saved views the viewer lists change (the same).
        With `at_connect`, also once as soon as the page is connected (a part of the layout
        that loads its data after the page is shown)."""
        client = context.client
        watcher = Watcher(client, viewer, wants, refresh, min_interval, notices, views)
        watcher._dirty = at_connect
        self._watchers.add(watcher)
        client.on_connect(watcher.start)
        client.on_delete(lambda: self._watchers.discard(watcher))
        self._catch_up(watcher, viewer.since)
        return watcher

    def _catch_up(self, watcher: Watcher, since: int | None) -> None:
        """Offer the watcher what was dispatched after `since` (when the page's request
        began): a change committed while the page read its data, or just after, came before
        the page watched, and the page showed what it had read until the next change."""
        if since is None or since >= self.generation:
            return
        if not self._recent or self._recent[0][0] > since + 1:
            watcher._dirty = True  # more came than the hub remembers: reload
            return
        for generation, change in self._recent:
            if generation > since:
                watcher.offer(change)

    async def shared(self, key: Hashable, load: Callable[[], Awaitable[Result[T]]]) -> Result[T]:
        """Run `load` once per change for every page asking with the same key (the key must
        hold everything the result depends on, such as the viewer's scope). A failed load is
        not shared: a page that gets one retries with its own viewer."""
        full_key = (self.generation, key)
        future = self._shared.get(full_key)
        if future is None:
            future = asyncio.ensure_future(load())
            self._shared[full_key] = future
            future.add_done_callback(lambda f: f.exception() if not f.cancelled() else None)
        result: Result[T] = await asyncio.shield(future)
        if result.ok or isinstance(result.error, services.NotFound):
            return result
        if self._shared.get(full_key) is future:
            del self._shared[full_key]
        return await load()

    async def recheck_sessions(self, every: float = RECHECK_SECONDS) -> None:
        """Every open page re-checks its login session now and then, so a logout elsewhere
        or an expired session stops live pushes even if no event said so."""
        while True:
            await asyncio.sleep(every)
            self.dispatch(ChangeEvent(SYSTEM, "recheck"))

    @property
    def watchers(self) -> int:
        return len(self._watchers)

    def reset(self) -> None:
        self._watchers.clear()
        self._shared.clear()
        self._recent.clear()


hub = Hub()
