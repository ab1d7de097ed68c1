"""TRACKER_STORAGE_URL and TRACKER_S3_ENDPOINT_URL: unset is the local upload directory as
before; a bucket URL is checked when the settings are read, not at the first upload."""

from __future__ import annotations

import pytest

from services.storage import LocalStorage, describe_url, open_storage
from tracker_app.settings import Settings, SettingsError


def test_unset_means_the_local_upload_directory(tmp_path):
    settings = Settings.from_env({"TRACKER_DATA_DIR": str(tmp_path)})
    assert settings.storage_url is None and settings.s3_endpoint_url is None
    storage = open_storage(settings.storage_url, local_dir=settings.upload_dir)
    assert isinstance(storage, LocalStorage) and storage.kind == "local"
    assert storage.local_path("ab" * 16) == settings.upload_dir / "ab" / ("ab" * 16)


def test_a_bucket_url_and_its_endpoint(tmp_path):
    settings = Settings.from_env(
        {
            "TRACKER_DATA_DIR": str(tmp_path),
            "TRACKER_STORAGE_URL": " s3://files/tracker ",
            "TRACKER_S3_ENDPOINT_URL": "http://minio:9000",
        }
    )
    assert settings.storage_url == "s3://files/tracker"
    storage = open_storage(settings.storage_url, local_dir=tmp_path, endpoint_url="http://x:1")
    assert (storage.kind, storage.description) == ("s3", "s3://files/tracker")
    assert storage.local_path("ab" * 16) is None


@pytest.mark.parametrize("url", ["s3://", "s3:///prefix", "gs://bucket/x", "/srv/files"])
def test_anything_else_is_refused_with_the_variable_named(tmp_path, url):
    with pytest.raises(SettingsError, match="TRACKER_STORAGE_URL must be s3://bucket/prefix"):
        Settings.from_env({"TRACKER_DATA_DIR": str(tmp_path), "TRACKER_STORAGE_URL": url})


def test_stored_names_cannot_walk_out_of_the_storage(tmp_path):
    storage = open_storage(None, local_dir=tmp_path)
    for name in ("../../etc/passwd", "AB" * 16, "ab" * 15, "ab" * 16 + "/x"):
        with pytest.raises(ValueError):
            storage.local_path(name)


def test_a_url_shown_to_people_has_no_credentials():
    assert describe_url("s3://key:secret@bucket/x") == "s3://bucket/x"
    assert describe_url(None) == "local directory"
