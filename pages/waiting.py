"""Pages built for a browser that never connects to them: a crawler, a link preview, `curl`,
a load generator, a tab closed at once. NiceGUI keeps such a page for 60 to 70 s, and its
outbox wakes ten times a second all the while: 1,000 page views that never connected kept
the server busy at 12-13 % of a core for the next minute, doing nothing, and held ~400 KB
each. Here a page nobody connected to goes after `TRACKER_PAGE_CONNECT_SECONDS` (20 s;
a browser connects within a second or two), and beyond `MAX_WAITING` of them the oldest go
at once, so no rate of requests makes the process hold more. A browser that connects after
its page went loads it again (NiceGUI's script does, when the page is not found)."""

from __future__ import annotations

import time

from nicegui import Client, app

# A process builds ~40 pages a second and a browser connects within a second or two, so only
# pages nobody connects to come near this; each one held is walked by every full garbage
# collection (~3,000 objects), which stops the whole process while it runs.
MAX_WAITING = 200
CHECK_SECONDS = 2.0

_connected: set[str] = set()  # the ids of the pages a browser has connected to
_wait = {"seconds": 20.0}  # set by install


def install(wait_seconds: float) -> None:
    """Prune waiting pages every CHECK_SECONDS, those older than `wait_seconds` first."""
    _wait["seconds"] = wait_seconds
    app.on_connect(_connected_to)
    app.on_delete(_deleted)
    app.timer(CHECK_SECONDS, prune)


def _connected_to(client: Client) -> None:
    _connected.add(client.id)


def _deleted(client: Client) -> None:
    _connected.discard(client.id)


def waiting() -> list[Client]:
    """The pages no browser has connected to yet, oldest first."""
    pages = [c for c in Client.instances.values() if c.id not in _connected and not c.is_deleted]
    return sorted(pages, key=lambda c: c.created)


def prune(now: float | None = None) -> int:
    """Delete the pages waiting longer than the wait, and the oldest beyond MAX_WAITING;
    returns how many."""
    pages = waiting()
    cutoff = (time.time() if now is None else now) - _wait["seconds"]
    stale = sum(1 for c in pages if c.created <= cutoff)
    gone = pages[: max(stale, len(pages) - MAX_WAITING)]
    for client in gone:
        client.delete()
    return len(gone)
