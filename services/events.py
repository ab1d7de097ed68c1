"""Change events: queued on the session, handed to the bus after commit, dropped on rollback.

Events carry ids, never data: a receiver re-runs its own query with its own actor. Other
processes' changes arrive through Redis (RedisBus), or without Redis from the activity
table (services.watch), and reach the same listeners.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "tracker:events"  # database 0's; "tracker:events:N" for database N (channel_for)
_PENDING = "tracker_pending_events"
REDIS_RETRY_SECONDS = 5.0

Listener = Callable[["ChangeEvent"], None]


def channel_for(client: Any) -> str:
    """The pub/sub channel of the Redis database `client` uses. Redis pub/sub ignores
    database numbers, so the number is part of the channel: trackers (or test runs) that
    share a Redis server in different databases never hear each other's events."""
    pool = getattr(client, "connection_pool", None)
    db = int(getattr(pool, "connection_kwargs", {}).get("db") or 0)
    return CHANNEL if db == 0 else f"{CHANNEL}:{db}"


@dataclass(frozen=True)
class ChangeEvent:
    # "issue" | "comment" | "attachment" | "user" | "stats" (daily_stats recomputed) |
    # "view" (a saved view; `user_id` its owner, None when everyone lists it) |
    # "system" (events may have been missed: every page reloads)
    kind: str
    # "created" | "updated" | "deleted" | "bulk" (many issues at once: an import, the demo
    # data, a burst another process wrote) | "resync" (kind "system")
    op: str
    issue_id: int | None = None
    reporter_id: int | None = None
    user_id: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> ChangeEvent:
        return cls(**json.loads(text))


def emit(s: Session, change: ChangeEvent) -> None:
    """Queue an event; it is published only if the session commits."""
    s.info.setdefault(_PENDING, []).append(change)


@event.listens_for(Session, "after_commit")
def _after_commit(s: Session) -> None:
    pending = s.info.pop(_PENDING, [])
    gathering: list[ChangeEvent] | None = s.info.get(_GATHERED)
    for change in pending:
        if gathering is not None and change.kind in _ABOUT_ISSUES:
            gathering.append(change)
        else:
            bus.publish(change)


_GATHERED = "tracker_gathered_events"
_ABOUT_ISSUES = {"issue", "comment", "attachment"}


@contextmanager
def gathered(s: Session) -> Iterator[None]:
    """For work that commits many issues one by one (a bulk edit): their issue, comment and
    attachment events are held back, and one `issue/bulk` event goes out at the end (the
    one event itself when there was only one), so open pages refresh once, not N times."""
    held: list[ChangeEvent] = []
    s.info[_GATHERED] = held
    try:
        yield
    finally:
        s.info.pop(_GATHERED, None)
        if len(held) == 1:
            bus.publish(held[0])
        elif held:
            bus.publish(ChangeEvent("issue", "bulk"))


@event.listens_for(Session, "after_rollback")
def _after_rollback(s: Session) -> None:
    s.info.pop(_PENDING, None)


_listeners: list[Listener] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> Callable[[], None]:
    """Call `listener(change)` for every committed change; returns the unsubscribe function.

    Listeners run on whichever thread delivers: the one that committed, the Redis listener
    or the activity watcher. A UI must hop to its own loop and keep the work tiny.
    """
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def deliver(change: ChangeEvent) -> None:
    """Hand a change to this process's listeners."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(change)
        except Exception:  # one broken page must not stop the others
            log.exception("event listener failed for %s", change)


class LocalBus:
    """In-process delivery: the embedded default."""

    def publish(self, change: ChangeEvent) -> None:
        deliver(change)

    def start_listener(self) -> None:
        """Nothing to listen to in-process."""

    def close(self) -> None:
        """Nothing to release in-process."""


class RedisBus(LocalBus):
    """Delivers locally at once and publishes to Redis for every other process.

    A Redis outage never fails a write: the publish is logged and dropped, local pages
    still update, and the listener reconnects when Redis returns. Once Redis is reachable
    again, a process that dropped events announces `system/resync`, so other processes'
    pages reload instead of missing those changes for good.
    """

    def __init__(self, redis_url: str, *, client: Any = None) -> None:
        import redis

        self.origin = uuid.uuid4().hex
        self.client = client or redis.Redis.from_url(
            redis_url, socket_connect_timeout=2, socket_timeout=2, health_check_interval=10
        )
        self.channel = channel_for(self.client)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._down_until = 0.0
        self._dropped = False  # other processes missed events of ours: owe them a resync

    def publish(self, change: ChangeEvent) -> None:
        deliver(change)
        if time.monotonic() < self._down_until:
            self._dropped = True
            return  # Redis failed moments ago: do not make every commit wait for it
        self._send(change)

    def _send(self, change: ChangeEvent | None) -> None:
        """Publish `change` (None: only what is owed), preceded by a resync if events were
        dropped since Redis was last reachable."""
        try:
            if self._dropped:
                self._dropped = False  # cleared first: a drop from now on needs a new one
                self._publish(ChangeEvent("system", "resync"))
            if change is not None:
                self._publish(change)
        except Exception as e:
            self._dropped = True
            self._down_until = time.monotonic() + REDIS_RETRY_SECONDS
            what = change or "a resync"
            log.warning("could not publish %s to Redis (%s); other processes miss it", what, e)

    def _publish(self, change: ChangeEvent) -> None:
        self.client.publish(
            self.channel, json.dumps({"origin": self.origin, "event": asdict(change)})
        )

    def start_listener(self) -> None:
        """Receive other processes' events on a daemon thread."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._listen, name="tracker-events", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _listen(self) -> None:
        backoff = 0.5
        lost = False
        while not self._stop.is_set():
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                backoff = 0.5
                if lost:  # changes made meanwhile in other processes never reached us
                    lost = False
                    deliver(ChangeEvent("system", "resync"))
                    # Redis is back: publish again at once, and tell the other processes
                    # about the events dropped meanwhile.
                    self._down_until = 0.0
                    if self._dropped:
                        self._send(None)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None:
                        self._receive(message["data"])
                pubsub.close()
            except Exception as e:
                lost = True
                log.warning("Redis event listener lost its connection (%s); retrying", e)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)

    def _receive(self, data: bytes | str) -> None:
        try:
            message = json.loads(data)
            if message.get("origin") == self.origin:
                return
            deliver(ChangeEvent(**message["event"]))
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed event message: %r", data)


bus: LocalBus = LocalBus()


def configure_bus(redis_url: str | None, *, client: Any = None) -> LocalBus:
    """Choose this process's transport: Redis pub/sub when a URL is given, else in-process."""
    global bus
    bus.close()
    bus = RedisBus(redis_url, client=client) if redis_url else LocalBus()
    return bus
