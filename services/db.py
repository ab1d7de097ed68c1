"""Engine and session handling. Nothing connects at import time: `connect()` does."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from . import events
from .errors import Unavailable

if TYPE_CHECKING:
    from .quotas import WriteLimits
    from .storage import Storage
    from .uploads import UploadPolicy

log = logging.getLogger(__name__)

_IMMEDIATE = "tracker_sqlite_immediate"
_HOLDS_LOCK = "tracker_holds_write_lock"
SQLITE_BUSY_SECONDS = 30
_sqlite_writers = threading.Lock()
DEFAULT_SESSION_IDLE_HOURS = 24.0


@dataclass
class Runtime:
    """What `connect()` set up; one per process."""

    engine: Engine
    sessions: sessionmaker[Session]
    upload_dir: Path
    secret_key: str | None
    uploads: UploadPolicy
    limits: WriteLimits
    storage: Storage
    redis_url: str | None = None
    session_idle: dt.timedelta = dt.timedelta(hours=DEFAULT_SESSION_IDLE_HOURS)

    @property
    def max_upload_bytes(self) -> int:
        return self.uploads.max_file_bytes


_runtime: Runtime | None = None


def connect(
    database_url: str,
    *,
    upload_dir: str | Path = "var/uploads",
    max_upload_bytes: int | None = None,
    max_files_per_issue: int | None = None,
    max_upload_bytes_per_day: int | None = None,
    limits: WriteLimits | None = None,
    secret_key: str | None = None,
    redis_url: str | None = None,
    session_idle_hours: float = DEFAULT_SESSION_IDLE_HOURS,
    storage_url: str | None = None,
    s3_endpoint_url: str | None = None,
    echo: bool = False,
) -> Engine:
    """Point the services at a database (and optionally Redis for events); returns the engine.
    Upload caps and per-user write limits left out keep their defaults (services.uploads,
    services.quotas), so a notebook is held to the same rules as the web app. Stored files
    live in `upload_dir` unless `storage_url` names a bucket (s3://bucket/prefix, with
    `s3_endpoint_url` for a server other than AWS); `upload_dir` then only holds files in
    flight (services.storage)."""
    global _runtime
    # Local imports: these modules import db for runtime() and the session hooks.
    from .quotas import WriteLimits
    from .storage import open_storage
    from .uploads import UploadPolicy

    defaults = UploadPolicy()
    uploads = UploadPolicy(
        max_file_bytes=max_upload_bytes or defaults.max_file_bytes,
        max_files_per_issue=max_files_per_issue or defaults.max_files_per_issue,
        max_bytes_per_day=max_upload_bytes_per_day or defaults.max_bytes_per_day,
    )

    if _runtime is not None:
        _runtime.engine.dispose()
    engine = make_engine(database_url, echo=echo)
    upload_path = Path(upload_dir)
    upload_path.mkdir(parents=True, exist_ok=True)
    _runtime = Runtime(
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        upload_dir=upload_path,
        secret_key=secret_key,
        uploads=uploads,
        limits=limits or WriteLimits(),
        storage=open_storage(storage_url, local_dir=upload_path, endpoint_url=s3_endpoint_url),
        redis_url=redis_url,
        session_idle=dt.timedelta(hours=session_idle_hours),
    )
    events.configure_bus(redis_url)
    return engine


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("services are not connected: call services.connect(database_url) first")
    return _runtime


@contextmanager
def session() -> Iterator[Session]:
    """One session per user action; public writes commit, anything unfinished rolls back."""
    s = runtime().sessions()
    try:
        yield s
    except (exc.OperationalError, exc.InterfaceError) as e:
        s.rollback()
        if _is_locked(e) or e.connection_invalidated or _is_disconnect(e):
            log.warning("database unavailable: %s", e.orig)
            raise Unavailable() from e
        raise
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def begin_write(s: Session) -> None:
    """Start a write transaction; on SQLite take the write lock up front (BEGIN IMMEDIATE).

    A deferred SQLite transaction that read first cannot wait for the lock when another
    writer committed meanwhile ("database is locked" at once); taking it at BEGIN makes
    the busy timeout apply, so concurrent writers queue instead of failing. Writers of this
    process also queue on a Python lock first: SQLite's own busy wait sleeps in growing
    steps, which left writers idle long after the lock was free (the p95 of concurrent API
    creates went from 842 to 94 ms: docs/performance.md, measured with bench/api_load.py).
    """
    if s.get_bind().dialect.name != "sqlite":
        return
    if s.in_transaction():
        if s.info.get(_HOLDS_LOCK) or s.new or s.dirty or s.deleted:
            return  # already writing: carry on in this transaction
        # Only reads so far (e.g. checking who is asking): end them, keeping what was loaded,
        # so the write below starts with the lock held.
        s.commit()
    if not _sqlite_writers.acquire(timeout=SQLITE_BUSY_SECONDS):
        raise Unavailable()
    s.info[_HOLDS_LOCK] = True
    try:
        s.connection(execution_options={_IMMEDIATE: True})
    except BaseException:
        _release_writer(s)
        raise


def writing(s: Session) -> bool:
    """Whether this session holds SQLite's write lock (`begin_write`)."""
    return bool(s.info.get(_HOLDS_LOCK))


def _release_writer(s: Session) -> None:
    if s.info.pop(_HOLDS_LOCK, False):
        _sqlite_writers.release()


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(s: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: committed or rolled back
        _release_writer(s)


def make_engine(database_url: str, *, echo: bool = False) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, echo=echo, pool_size=10, max_overflow=20)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # Connections are kept (20, and up to 20 more under load): a connection opened and closed
    # per request would start each query with a cold page cache.
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_SECONDS},
        pool_size=20,
        max_overflow=20,
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN (see begin_write).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_locked(e: exc.DBAPIError) -> bool:
    return "database is locked" in str(e.orig)


def _is_disconnect(e: exc.DBAPIError) -> bool:
    text = str(e.orig).lower()
    return any(
        needle in text
        for needle in ("could not connect", "connection refused", "server closed", "terminating")
    )


def ping() -> None:
    """Raise if the database cannot answer a trivial query."""
    with session() as s:
        s.execute(text("SELECT 1"))
