"""Fault drills: a killed app loses nothing it confirmed; a full disk leaves nothing
half-written. (Many concurrent writers: tests/services/test_demo_and_concurrency.py.)"""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

import services
from services.models import Attachment
from tests.factories import make_issue, make_user
from tests.pgschema import application_name
from tests.serverproc import running_server

PASSWORD = "kill nine passphrase"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def test_kill_9_after_a_confirmed_create_loses_nothing(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        server.cli(
            "create-user", "--email", "k@example.com", "--role", "REPORTER", "--password", PASSWORD
        )
        token = httpx.post(
            f"{server.url}/api/v1/auth/token", json={"email": "k@example.com", "password": PASSWORD}
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        issue = httpx.post(
            f"{server.url}/api/v1/issues", headers=headers, json={"title": "Survives kill -9"}
        ).json()
        url = f"{server.url}/api/v1/issues/{issue['id']}"
        assert (
            httpx.post(
                f"{url}/attachments", headers=headers, files={"file": ("s.png", PNG, "image/png")}
            ).status_code
            == 201
        )
        assert (
            httpx.post(f"{url}/comments", headers=headers, json={"body": "confirmed"}).status_code
            == 201
        )
        os.kill(server.pid, signal.SIGKILL)
    with running_server(tmp_path) as again:
        token = httpx.post(
            f"{again.url}/api/v1/auth/token", json={"email": "k@example.com", "password": PASSWORD}
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        url = f"{again.url}/api/v1/issues/{issue['id']}"
        back = httpx.get(url, headers=headers).json()
        assert back["title"] == "Survives kill -9" and len(back["attachments"]) == 1
        download = httpx.get(
            f"{again.url}/api/v1/attachments/{back['attachments'][0]['id']}", headers=headers
        )
        assert download.content == PNG
        assert [c["body"] for c in httpx.get(f"{url}/comments", headers=headers).json()] == [
            "confirmed"
        ]
        history = httpx.get(f"{url}/activity", headers=headers).json()
        assert [a["verb"] for a in history] == ["created", "attached", "commented"]


def test_a_full_disk_gives_a_clear_error_and_leaves_no_row_and_no_file(db, monkeypatch) -> None:
    user = make_user()
    issue = make_issue(user)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(services.files.os, "replace", disk_full)
    with services.session() as s, pytest.raises(services.StorageError) as err:
        services.attachments.save_attachment(s, user, issue.id, filename="a.png", content=PNG)
    assert "disk may be full" in err.value.message
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
    assert [p for p in services.runtime().upload_dir.rglob("*") if p.is_file()] == []


def test_the_app_reconnects_after_the_database_drops_its_connections(db, database_url) -> None:
    """What an idle app sees when PostgreSQL restarts: every pooled connection is dead.
    The next request must work (pool_pre_ping), not fail once per stale connection."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL restart is a PostgreSQL matter")
    from sqlalchemy import text

    user = make_user()
    make_issue(user, title="before the restart")
    with services.session() as s:  # warm the pool
        services.issues.list_issues(s, user)
    admin = services.db.make_engine(database_url)
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND application_name = :mine"  # not other workers' or runs' connections
            ),
            {"mine": application_name(database_url)},
        ).scalar()
    admin.dispose()
    assert killed >= 1
    with services.session() as s:
        assert services.issues.list_issues(s, user).items[0].title == "before the restart"
        assert services.issues.create_issue(s, user, {"title": "after"}).title == "after"
