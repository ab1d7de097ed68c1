"""Where stored files live: a local directory (the default) or an S3-compatible bucket.

Every file the tracker keeps (attachments, photos without their location, redacted texts)
has a random 32-hex name; a backend maps it to `<xx>/<name>` under its root or prefix. The
interface is small on purpose: whole files in (from a local file or bytes), a stream out,
a listing for the orphan sweep and the migration, and a check for /healthz.

    open_storage(None, local_dir=Path("var/uploads"))          -> LocalStorage
    open_storage("s3://bucket/prefix", local_dir=..., endpoint_url="http://minio:9000")
"""

from __future__ import annotations

from pathlib import Path

from .base import NAME, Reader, Storage, StoredObject, check_name, key_of
from .local import LocalStorage

__all__ = [
    "NAME",
    "LocalStorage",
    "Reader",
    "Storage",
    "StoredObject",
    "check_name",
    "describe_url",
    "key_of",
    "open_storage",
]


def open_storage(url: str | None, *, local_dir: Path, endpoint_url: str | None = None) -> Storage:
    """The storage a TRACKER_STORAGE_URL names: unset (or a plain path) is a local
    directory, `s3://bucket[/prefix]` a bucket. Nothing is contacted here."""
    if not url:
        return LocalStorage(local_dir)
    if url.startswith("s3://"):
        from .s3 import S3Storage  # boto3 is imported only by those who use it

        return S3Storage.from_url(url, endpoint_url=endpoint_url)
    if "://" in url and not url.startswith("file://"):
        raise ValueError(f"a storage URL is s3://bucket/prefix or a directory, not {url!r}")
    return LocalStorage(Path(url.removeprefix("file://")))


def describe_url(url: str | None) -> str:
    """What to show of a storage URL (a URL never carries credentials here, but a
    user-info part is dropped anyway)."""
    if not url:
        return "local directory"
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url
