"""Changes other processes wrote, turned into events, for a web process without Redis.

In the embedded default the event bus is in-process, so an issue written by `tracker
import`, a notebook or the CLI would reach no open page. Every change users see lands in
the activity table, though, so the web process watches it: about once a second it asks
SQLite whether anything committed since (`PRAGMA data_version`, answered without reading a
table) and only then reads the activity rows newer than the last one it saw; on PostgreSQL
it reads the newest id straight away (one index probe). Rows this process committed itself
were already delivered by the bus and are skipped. Page queries never run here: the events
carry ids, and each page re-queries with its own user as for any other event.

A later part can `follow` a table whose rows are written in the same transaction as
activity rows (notifications: whose bell to update). It is read only in a look that found
other processes' activity, once per recipient (one grouped query).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

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
_NEW_ROWS = "tracker_new_watched_rows"


@dataclass(frozen=True)
class Follow:
    """A table written with activity rows whose new rows make events of their own: one
    `event(key)` per distinct value of its column `key`; `id` is its growing primary key."""

    id: InstrumentedAttribute[int]
    key: InstrumentedAttribute[int]
    event: Callable[[int], ChangeEvent]

    @property
    def model(self) -> Any:
        return self.id.class_


_follows: list[Follow] = []


def follow(
    id_column: InstrumentedAttribute[int],
    key: InstrumentedAttribute[int],
    make_event: Callable[[int], ChangeEvent],
) -> None:
    """Turn the new rows other processes write to `id_column`'s table into
    `make_event(key)`, once per distinct key in each look (the recipients of new
    notifications, say)."""
    if all(f.id is not id_column for f in _follows):
        _follows.append(Follow(id_column, key, make_event))


class _Recent:
    """Rows this process committed lately (id -> key), the oldest forgotten first."""

    def __init__(self) -> None:
        self.rows: OrderedDict[int, int | None] = OrderedDict()

    def add(self, row_id: int, key: int | None) -> None:
        self.rows[row_id] = key
        if len(self.rows) > _LOCAL_KEPT:
            self.rows.popitem(last=False)

    def keys_between(self, after: int, upto: int) -> Counter[int | None]:
        return Counter(k for i, k in self.rows.items() if after < i <= upto)


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
        self._followed: dict[Follow, int] = {}  # the last id seen of each followed table
        self._local: dict[type, _Recent] = {}  # per model: rows this process committed
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
            _watchers.append(self)
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
            if self in _watchers:
                _watchers.remove(self)
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

    def committed_here(self, rows: dict[type, list[tuple[int, int | None]]]) -> None:
        """Rows (id, key) of each watched model this process committed (its bus already
        delivered their events)."""
        with self._lock:
            for model, found in rows.items():
                recent = self._local.setdefault(model, _Recent())
                for row_id, key in found:
                    recent.add(row_id, key)

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
            changes = self._changes(rows)
            followed = self._read_follows(conn, other_processes_wrote=bool(changes))
            stats_at = conn.scalar(select(func.max(DailyStat.computed_at)))
        finally:
            conn.rollback()  # never hold a read transaction open between looks
        self._last_id = newest
        changes += followed
        if stats_at != self._stats_at:
            self._stats_at = stats_at
            changes.append(ChangeEvent("stats", "updated"))
        return changes

    def _changes(self, rows: Sequence[Any]) -> list[ChangeEvent]:
        with self._lock:
            local = self._local.get(Activity, _Recent()).rows
            foreign = [r for r in rows if r.id not in local]
        if len(rows) > BULK_AT and foreign:
            return [ChangeEvent("issue", "bulk")]
        changes: dict[tuple[str, str, int], ChangeEvent] = {}
        for r in foreign:
            kind, op = _KINDS.get(Verb(r.verb), ("issue", "updated"))
            change = ChangeEvent(kind, op, r.issue_id, r.reporter_id)
            changes.setdefault((kind, op, r.issue_id), change)
        return list(changes.values())

    def _read_follows(self, conn: Connection, *, other_processes_wrote: bool) -> list[ChangeEvent]:
        """The followed tables' new rows, when other processes' activity came in (they are
        written with it): one event per key that has a row this process did not commit.
        A table's first look only notes where it stands."""
        out: list[ChangeEvent] = []
        for f in list(_follows):
            last = self._followed.get(f)
            if last is None:
                self._followed[f] = conn.scalar(select(func.max(f.id))) or 0
            elif other_processes_wrote:
                out += self._read_follow(conn, f, last)
            conn.rollback()  # one table per transaction, as above
        return out

    def _read_follow(self, conn: Connection, f: Follow, last: int) -> list[ChangeEvent]:
        rows = conn.execute(
            select(f.key, func.count(), func.max(f.id))
            .where(f.id > last)
            .group_by(f.key)
            .order_by(f.key)
        ).all()
        newest = max([last, *(r[2] for r in rows)])
        with self._lock:
            local = self._local.get(f.model, _Recent()).keys_between(last, newest)
        self._followed[f] = newest
        return [f.event(key) for key, count, _ in rows if count > local[key]]

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


def _note_new_rows(s: Session, _context: Any) -> None:
    if not _watchers:
        return
    keys = {f.model: f.key.key for f in _follows}
    for obj in s.new:
        model = type(obj)
        if model is Activity or model in keys:
            key = getattr(obj, keys[model]) if model in keys else None
            s.info.setdefault(_NEW_ROWS, {}).setdefault(model, []).append((obj.id, key))


def _hand_over_rows(s: Session) -> None:
    rows = s.info.pop(_NEW_ROWS, None)
    if rows:
        for watcher in list(_watchers):
            watcher.committed_here(rows)


def _forget_rows(s: Session) -> None:
    s.info.pop(_NEW_ROWS, None)


# Listened to once, for good, and idle while no watcher runs. Adding and removing a listener
# on the Session class while another thread makes a sessionmaker (a new subclass of Session)
# left that subclass out of step, so the removal failed ("not in deque") and stopped the
# app's shutdown half-way.
event.listen(Session, "after_flush", _note_new_rows)
event.listen(Session, "after_commit", _hand_over_rows)
event.listen(Session, "after_rollback", _forget_rows)
