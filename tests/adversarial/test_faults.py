"""Fault drills: a killed app loses nothing it confirmed; a full disk leaves nothing
half-written; many SQLite writers at once never see "database is locked"."""

from __future__ import annotations

import errno
import os
import signal
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

import services
from services.models import Attachment, Issue
from tests.factories import make_issue, make_user
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


def test_twenty_concurrent_sqlite_writers_never_fail(tmp_path: Path, sqlite_template) -> None:
    import shutil

    target = tmp_path / "t.db"
    shutil.copy(sqlite_template, target)
    services.connect(f"sqlite:///{target}", upload_dir=tmp_path / "up")
    actors = [make_user() for _ in range(20)]
    errors: list[BaseException] = []

    def write(actor) -> None:
        try:
            for n in range(5):
                with services.session() as s:
                    services.issues.create_issue(s, actor, {"title": f"w{n}"})
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(Issue)) == 100
    services.runtime().engine.dispose()
