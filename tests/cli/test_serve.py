"""`tracker serve` as a real process: first start, health endpoint, refusals before serving."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import services
from services import Role
from tests.workers import free_port

from .conftest import SETTINGS_VARS

STARTUP_SECONDS = 20
REFUSAL_SECONDS = 30
FIRST_START = re.compile(
    r"created the administrator admin@tracker\.local with the one-time password (\S+)"
)


def tracker_command() -> list[str]:
    """The `tracker` script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "tracker"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tracker_app.cli"]


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """This environment minus tracker settings and pytest markers (NiceGUI changes its
    behaviour when it sees PYTEST_CURRENT_TEST)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTINGS_VARS and not k.startswith(("PYTEST_", "NICEGUI_"))
    }
    return {**env, "TRACKER_DATA_DIR": str(data_dir), **extra}


@dataclass
class Server:
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serving(tmp_path: Path, name: str) -> Iterator[Server]:
    """Start `tracker serve` on a free port, wait for /healthz, always stop it."""
    server = Server(free_port(), tmp_path / f"{name}.log")
    with server.log.open("w") as log:
        proc = subprocess.Popen(
            [*tracker_command(), "serve", "--port", str(server.port)],
            cwd=tmp_path,
            env=environment(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert proc.poll() is None, f"serve exited early:\n{server.output()}"
            try:
                httpx.get(f"http://127.0.0.1:{server.port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"no answer in time:\n{server.output()}"
                time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_first_start_creates_an_admin_and_reports_healthy(tmp_path: Path) -> None:
    with serving(tmp_path, "first") as server:
        health = httpx.get(f"http://127.0.0.1:{server.port}/healthz", timeout=5)

        assert health.status_code == 200
        assert health.json() == {
            "status": "ok",
            "database": "ok",
            "redis": "disabled",
            "storage": "ok",
            "storage_kind": "local",
        }
        assert health.headers["X-Content-Type-Options"] == "nosniff"
        assert health.headers["Referrer-Policy"] == "same-origin"
        assert health.headers["X-Frame-Options"] == "DENY"

    output = server.output()
    assert f"Serving on http://127.0.0.1:{server.port}" in output
    match = FIRST_START.search(output)
    assert match, output
    services.connect(f"sqlite:///{tmp_path / 'tracker.db'}", upload_dir=tmp_path / "uploads")
    with services.session() as s:
        admin = services.auth.authenticate(s, "admin@tracker.local", match.group(1))
    assert admin.role == Role.ADMIN


def test_serve_second_start_does_not_create_or_show_another_password(tmp_path: Path) -> None:
    with serving(tmp_path, "first") as first:
        pass
    password = FIRST_START.search(first.output())
    assert password, first.output()

    with serving(tmp_path, "second") as second:
        pass

    output = second.output()
    assert "Serving on" in output
    assert "First start" not in output
    assert "one-time password" not in output
    services.connect(f"sqlite:///{tmp_path / 'tracker.db'}", upload_dir=tmp_path / "uploads")
    with services.session() as s:
        assert services.users.count_users(s) == 1
        services.auth.authenticate(s, "admin@tracker.local", password.group(1))


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"TRACKER_ENV": "production"}, "TRACKER_SECRET_KEY"),
        ({"TRACKER_MAX_UPLOAD_MB": "abc"}, "TRACKER_MAX_UPLOAD_MB"),
    ],
    ids=["production-without-secret", "bad-upload-limit"],
)
def test_serve_refuses_bad_settings_before_serving(
    env: dict[str, str], variable: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    done = subprocess.run(
        [*tracker_command(), "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=environment(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=REFUSAL_SECONDS,
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert variable in done.stderr
    assert done.stderr.strip().startswith("Error: ")
    assert "Traceback" not in done.stderr
    assert "Serving on" not in done.stdout
    assert not (data_dir / "tracker.db").exists()


def test_serve_refuses_an_unmigrated_postgres_database(tmp_path: Path, fresh_pg_url: str) -> None:
    done = subprocess.run(
        [*tracker_command(), "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=environment(
            tmp_path, TRACKER_DATABASE_URL=fresh_pg_url, TRACKER_SECRET_KEY=secrets.token_hex(24)
        ),
        capture_output=True,
        text=True,
        timeout=REFUSAL_SECONDS,
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "at revision base" in done.stderr
    assert "run `tracker db upgrade` first" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Serving on" not in done.stdout
