"""Storage tests against a real S3-compatible server (tests/storage/s3server.py), on both
databases: the services connected with TRACKER_STORAGE_URL=s3://<bucket>/tracker."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

import services
from services import events
from tests.storage.s3server import CREDENTIALS, S3Server

PREFIX = "tracker"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = S3Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _aws_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials as the usual AWS settings give them; nothing from this machine's own."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")


@pytest.fixture
def bucket(s3_server: S3Server) -> Iterator[str]:
    s3_server.start()
    yield s3_server.new_bucket()
    s3_server.start()  # a test that stopped the server leaves it running for the next


@pytest.fixture
def db(database_url: str, tmp_path: Path, bucket: str, s3_server: S3Server) -> Iterator[str]:
    """The services connected to a clean database, their files in the bucket."""
    services.connect(
        database_url,
        upload_dir=tmp_path / "uploads",
        max_upload_bytes=1024 * 1024,
        secret_key="test-secret-" + secrets.token_hex(16),
        storage_url=f"s3://{bucket}/{PREFIX}",
        s3_endpoint_url=s3_server.url,
    )
    yield database_url
    services.runtime().engine.dispose()
    events.configure_bus(None)


def local_files(root: Path) -> list[Path]:
    """Every file under the local upload directory (files in flight included)."""
    return [p for p in root.rglob("*") if p.is_file()]
