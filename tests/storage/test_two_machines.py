"""The issue's promise, with real processes: two `tracker serve` and a `tracker worker`, each
with its own data and upload directory (as on three machines), sharing only PostgreSQL,
Redis and the bucket. A file uploaded through one web process downloads through the other,
the worker reads it from the bucket, and no machine keeps a copy."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from rq import Queue

from services.intake import dispatch
from tests.pgschema import pg_schema
from tests.serverproc import running_server, tracker
from tracker_app import migrate, worker

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TRACKER_TEST_DATABASE_URL") and os.environ.get("TRACKER_TEST_REDIS_URL")),
    reason="needs the real PostgreSQL and Redis (set in CI)",
)
PASSWORD = "three machines passphrase"
TRACE = (
    b"Traceback (most recent call last):\n  File \"shop.py\", line 9, in pay\nKeyError: 'card'\n"
)


def test_two_web_processes_and_a_worker_share_only_database_redis_and_bucket(
    tmp_path: Path, s3_server, bucket, redis_client
) -> None:
    Queue(worker.QUEUE, connection=redis_client).empty()
    Queue(dispatch.QUEUE, connection=redis_client).empty()
    with pg_schema("machines") as url:
        migrate.upgrade(url)
        shared = {
            "TRACKER_DATABASE_URL": url,
            "TRACKER_REDIS_URL": os.environ["TRACKER_TEST_REDIS_URL"],
            "TRACKER_SECRET_KEY": "shared-secret-" + "x" * 40,
            "TRACKER_STORAGE_URL": f"s3://{bucket}/tracker",
            "TRACKER_S3_ENDPOINT_URL": s3_server.url,
        }
        machines = {name: tmp_path / name for name in ("a", "b", "c")}
        for root in machines.values():
            root.mkdir()
        with (
            running_server(
                machines["a"], **shared, TRACKER_UPLOAD_DIR=str(machines["a"] / "up")
            ) as a,
            running_server(
                machines["b"], **shared, TRACKER_UPLOAD_DIR=str(machines["b"] / "up")
            ) as b,
        ):
            a.cli("create-user", "--email", "max@example.com", "--role", "MAINTAINER",
                  "--password", PASSWORD)  # fmt: skip
            token = httpx.post(
                f"{a.url}/api/v1/auth/token",
                json={"email": "max@example.com", "password": PASSWORD},
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            issue = httpx.post(f"{a.url}/api/v1/issues", headers=auth, json={"title": "Pay fails"})
            upload = httpx.post(
                f"{a.url}/api/v1/issues/{issue.json()['id']}/attachments",
                headers=auth,
                files={"file": ("crash.log", TRACE, "text/plain")},
            )
            assert upload.status_code == 201, upload.text
            file_id = upload.json()["id"]
            got = httpx.get(f"{b.url}/api/v1/attachments/{file_id}", headers=auth)
            assert got.status_code == 200 and got.content == TRACE  # B never saw the upload

            env = {**a.env, "TRACKER_DATA_DIR": str(machines["c"])}
            env["TRACKER_UPLOAD_DIR"] = str(machines["c"] / "up")
            subprocess.run(
                [tracker(), "worker", "--burst"], env=env, cwd=machines["c"], check=True,
                capture_output=True, timeout=120,
            )  # fmt: skip
            deadline = time.monotonic() + 30
            while True:
                analysis = httpx.get(
                    f"{b.url}/api/v1/attachments/{file_id}/analysis", headers=auth
                ).json()
                if analysis["status"] == "done" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert analysis["status"] == "done" and "KeyError" in analysis["text"]
        assert len(s3_server.keys(bucket)) == 1
        for name, root in machines.items():
            assert [p for p in (root / "up").rglob("*") if p.is_file()] == [], name
