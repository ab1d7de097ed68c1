"""`tracker serve --workers N`, in process: what the parent does once before it starts the
web processes, what each of them does, and what is refused. The processes themselves run
for real in tests/deploy/test_serve_workers.py."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.workers import free_ports
from tracker_app import migrate, serve_many, web

from .conftest import assert_clean_error


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("must not be called here")


def test_a_process_of_a_group_only_serves(
    tracker: Callable[..., Result], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[tuple[str, int, bool]] = []

    def run(_settings: object, host: str, port: int, *, scheduled: bool = True) -> None:
        served.append((host, port, scheduled))

    monkeypatch.setattr(web, "run", run)
    monkeypatch.setattr(migrate, "upgrade", _refuse)  # the parent migrated, once
    monkeypatch.setattr(serve_many, "run", _refuse)

    for index in ("0", "1"):
        result = tracker("serve", "--port", "9001", "--worker-index", index)
        assert result.exit_code == 0, result.output
        assert result.output == ""  # no first admin, no banner: the parent's

    # The first process alone runs the embedded scheduled jobs.
    assert served == [("127.0.0.1", 9001, True), ("127.0.0.1", 9001, False)]
    assert not (data_dir / "tracker.db").exists()  # nothing created a table


def test_the_parent_migrates_and_makes_the_admin_once_then_starts_one_per_core(
    tracker: Callable[..., Result], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[str, int, int]] = []

    def run(host: str, port: int, count: int) -> int:
        started.append((host, port, count))
        return 0

    monkeypatch.setattr(serve_many, "run", run)
    monkeypatch.setattr(serve_many, "cores", lambda: 3)
    monkeypatch.setattr(web, "run", _refuse)
    first = free_ports(3)[0]

    result = tracker("serve", "--workers", "auto", "--port", str(first))

    assert result.exit_code == 0, result.output
    assert started == [("127.0.0.1", first, 3)]
    assert result.output.count("First start: created the administrator") == 1
    assert "3 web processes" in result.output
    upstreams = " ".join(f"127.0.0.1:{port};" for port in range(first, first + 3))
    assert f"upstream servers: {upstreams}" in result.output
    url = f"sqlite:///{data_dir / 'tracker.db'}"
    assert migrate.current(url) == migrate.head()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], "at least 1 (or 'auto': one per core)"),
        (["--workers", "many"], "'many' is not a number of processes or 'auto'"),
    ],
)
def test_a_count_that_is_not_one_is_a_usage_error(
    tracker: Callable[..., Result], args: list[str], message: str
) -> None:
    result = tracker("serve", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_several_processes_on_postgresql_need_redis(
    tracker: Callable[..., Result], data_dir: Path
) -> None:
    # Refused before any connection: nobody listens at this address.
    result = tracker(
        "serve",
        "--workers",
        "2",
        TRACKER_DATABASE_URL="postgresql+psycopg2://nobody@127.0.0.1:9/none",
    )
    assert_clean_error(result, "Several web processes on PostgreSQL need TRACKER_REDIS_URL")


def test_a_port_in_use_is_refused_before_anything_changes(
    tracker: Callable[..., Result], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve_many, "run", _refuse)
    first, second = free_ports(2)
    with socket.socket() as other:
        other.bind(("127.0.0.1", second))
        other.listen()
        result = tracker("serve", "--workers", "2", "--port", str(first))
    assert_clean_error(result, f"Port {second} is in use")
    assert not (data_dir / "tracker.db").exists()
