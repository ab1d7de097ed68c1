"""Changes other processes wrote, turned into events, for a web process without Redis.

In the embedded default the event bus is in-process, so an issue written by `tracker
import`, a notebook or the CLI would reach no open page. Every change users see lands in
the activity table, though, so the web process watches it: about once a second it asks
SQLite whether anything committed since (`PRAGMA data_version`, answered without reading a
table) and only then reads the activity rows newer than the last one it saw; on PostgreSQL
it reads the newest id straight away (one index probe). Rows this process committed itself
were already delivered by the bus and are skipped. Page queries never run here: the events
carry ids, and each page re-queries with its own user as for any other event.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, event, func, select
from sqlalchemy.orm import Session

from .enums import Verb
from .events import ChangeEvent, deliver
from .models import Activity, DailyStat

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
BULK_AT = 50  # more new rows than this in one look: one "bulk" event instead
_LOCAL_KEPT = 10_000
_KINDS = {
    Verb.CREATED: ("issue", "created"),
    Verb.DELETED: ("issue", "deleted"),
    Verb.COMMENTED: ("comment", "created"),
    Verb.ATTACHED: ("attachment", "created"),
}
_NEW_ROWS = "tracker_new_activity_ids"


class ActivityWatcher:
    """Polls for other processes' activity rows and delivers them as ChangeEvents."""

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float = POLL_SECONDS,
        sink: Callable[[ChangeEvent], None] = deliver,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.sink = sink
        self._conn: Connection | None = None
        self._version: Any = None
        self._last_id = 0
        self._stats_at: Any = None
        self._local: deque[int] = deque(maxlen=_LOCAL_KEPT)
        self._local_set: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._life = threading.Lock()  # start and stop, one at a time
        self._stopped = False

    def start(self) -> None:
        """Remember where the tables stand now (nothing older is replayed), then poll on a
        daemon thread. A watcher stopped before (or while) it starts never polls."""
        with self._life:
            if self._stopped:
                return
            _track_local_rows(self)
            try:
                self._look()
            except Exception as e:
                log.warning("could not read the activity table yet (%s)", e)
                self._close()
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="tracker-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._life:
            self._stopped = True
            self._stop.set()
            if self._thread is not None:
                self._thread.join(timeout=5)
                self._thread = None
            _untrack_local_rows(self)
            self._close()

    def poll(self) -> list[ChangeEvent]:
        """One look: deliver (and return) the events for rows other processes committed."""
        try:
            changes = self._look()
        except Exception as e:  # the database is down or restarting: try again next time
            log.warning("could not watch the activity table (%s); retrying", e)
            self._close()
            return []
        for change in changes:
            self.sink(change)
        return changes

    def committed_here(self, ids: list[int]) -> None:
        """Activity rows this process committed (its bus already delivered them)."""
        with self._lock:
            for row_id in ids:
                if len(self._local) == self._local.maxlen:
                    self._local_set.discard(self._local[0])
                self._local.append(row_id)
                self._local_set.add(row_id)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def _look(self) -> list[ChangeEvent]:
        conn = self._connection()
        try:
            if conn.dialect.name == "sqlite":
                version = conn.exec_driver_sql("PRAGMA data_version").scalar()
                if version == self._version:
                    return []
                self._version = version
            rows = conn.execute(
                select(Activity.id, Activity.issue_id, Activity.reporter_id, Activity.verb)
                .where(Activity.id > self._last_id)
                .order_by(Activity.id)
                .limit(BULK_AT + 1)
            ).all()
            newest = rows[-1].id if rows else self._last_id
            if len(rows) > BULK_AT:
                newest = conn.scalar(select(func.max(Activity.id))) or newest
            # One table per transaction: holding the activity table's lock while waiting
            # for daily_stats could deadlock with a statement that locks both (a TRUNCATE).
            conn.rollback()
            stats_at = conn.scalar(select(func.max(DailyStat.computed_at)))
        finally:
            conn.rollback()  # never hold a read transaction open between looks
        self._last_id = newest
        changes = self._changes(rows)
        if stats_at != self._stats_at:
            self._stats_at = stats_at
            changes.append(ChangeEvent("stats", "updated"))
        return changes

    def _changes(self, rows: Sequence[Any]) -> list[ChangeEvent]:
        with self._lock:
            foreign = [r for r in rows if r.id not in self._local_set]
        if len(rows) > BULK_AT and foreign:
            return [ChangeEvent("issue", "bulk")]
        changes: dict[tuple[str, str, int], ChangeEvent] = {}
        for r in foreign:
            kind, op = _KINDS.get(Verb(r.verb), ("issue", "updated"))
            change = ChangeEvent(kind, op, r.issue_id, r.reporter_id)
            changes.setdefault((kind, op, r.issue_id), change)
        return list(changes.values())

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                log.debug("closing the watch connection failed", exc_info=True)
            self._conn = None


# --- rows committed by this process ---------------------------------------------------------

_watchers: list[ActivityWatcher] = []


def _track_local_rows(watcher: ActivityWatcher) -> None:
    if not _watchers:
        event.listen(Session, "after_flush", _note_new_rows)
        event.listen(Session, "after_commit", _hand_over_rows)
        event.listen(Session, "after_rollback", _forget_rows)
    _watchers.append(watcher)


def _untrack_local_rows(watcher: ActivityWatcher) -> None:
    if watcher in _watchers:
        _watchers.remove(watcher)
    if not _watchers and event.contains(Session, "after_flush", _note_new_rows):
        event.remove(Session, "after_flush", _note_new_rows)
        event.remove(Session, "after_commit", _hand_over_rows)
        event.remove(Session, "after_rollback", _forget_rows)


def _note_new_rows(s: Session, _context: Any) -> None:
    ids = [obj.id for obj in s.new if isinstance(obj, Activity)]
    if ids:
        s.info.setdefault(_NEW_ROWS, []).extend(ids)


def _hand_over_rows(s: Session) -> None:
    ids = s.info.pop(_NEW_ROWS, None)
    if ids:
        for watcher in list(_watchers):
            watcher.committed_here(ids)


def _forget_rows(s: Session) -> None:
    s.info.pop(_NEW_ROWS, None)
