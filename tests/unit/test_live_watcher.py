"""A page's live refresh loop stops when its task is cancelled (the page closed, the app
shutting down), even when the cancellation lands inside NiceGUI's `run.io_bound`, which
swallows it and returns None."""

from __future__ import annotations

import asyncio
from typing import Any

from pages.live import Watcher


class _Client:
    is_deleted = False
    has_socket_connection = True

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


async def test_a_cancelled_refresh_ends_the_loop_without_its_pause() -> None:
    started = asyncio.Event()

    async def refresh() -> None:
        started.set()
        try:
            await asyncio.sleep(60)  # a database read in a thread
        except asyncio.CancelledError:
            return None  # what run.io_bound does with a cancellation

    viewer: Any = None
    watcher = Watcher(_Client(), viewer, lambda change: True, refresh, min_interval=60)  # type: ignore[arg-type]
    watcher._dirty = True
    task = asyncio.create_task(watcher._loop())
    await started.wait()
    task.cancel()
    await asyncio.wait_for(task, 5)  # not the 60 s pause between two refreshes
    assert not watcher._running
