"""Stored files in an S3-compatible bucket (AWS S3, MinIO, SeaweedFS, Ceph, R2...).

Credentials and region come from the usual AWS settings (environment, profile, instance
role); TRACKER_S3_ENDPOINT_URL names a server other than AWS. Files go up from a local file
(multipart above MULTIPART bytes, so nothing large is held in memory); a failed multipart
upload is aborted by the transfer manager, so a half-written object never becomes visible.
Timeouts are short and retries few: a bucket that is down answers "try again" in seconds
instead of holding a request."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..errors import StorageUnavailable
from .base import CHUNK, NAME, StoredObject, key_of

log = logging.getLogger(__name__)

MULTIPART = 8 * 1024 * 1024
MISSING = {"404", "NoSuchKey", "NotFound"}
TRANSFER = TransferConfig(
    multipart_threshold=MULTIPART, multipart_chunksize=MULTIPART, max_concurrency=4
)


@contextlib.contextmanager
def reachable(what: str) -> Iterator[None]:
    """Turn the bucket's failures into StorageUnavailable (missing objects excepted)."""
    try:
        yield
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in MISSING:
            raise FileNotFoundError(what) from e
        log.warning("storage: %s failed: %s", what, e)
        raise StorageUnavailable() from e
    except (BotoCoreError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        log.warning("storage: %s failed: %s", what, e)
        raise StorageUnavailable() from e


class S3Reader:
    def __init__(self, body: Any, size: int, what: str) -> None:
        self.body, self.size, self.what = body, size, what

    def chunks(self) -> Iterator[bytes]:
        with reachable(self.what):
            yield from self.body.iter_chunks(CHUNK)

    def close(self) -> None:
        self.body.close()


class S3Storage:
    kind = "s3"

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None) -> None:
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.description = f"s3://{bucket}/{self.prefix}".rstrip("/")
        config = Config(
            connect_timeout=3,
            read_timeout=30,
            retries={"max_attempts": 2, "mode": "standard"},
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        session = boto3.session.Session()
        self.client = session.client("s3", endpoint_url=endpoint_url, config=config)
        # /healthz asks within its own few seconds: one quick try.
        quick = config.merge(Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}))
        self.probe = session.client("s3", endpoint_url=endpoint_url, config=quick)

    @classmethod
    def from_url(cls, url: str, *, endpoint_url: str | None = None) -> S3Storage:
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError(f"no bucket in {url!r}: use s3://bucket/prefix")
        return cls(bucket, prefix, endpoint_url=endpoint_url)

    def key(self, name: str) -> str:
        return f"{self.prefix}/{key_of(name)}" if self.prefix else key_of(name)

    def put_file(self, name: str, source: Path, *, sha256: str, move: bool = False) -> None:
        with reachable(f"storing {name}"):
            self.client.upload_file(
                str(source),
                self.bucket,
                self.key(name),
                ExtraArgs={"Metadata": {"sha256": sha256}},
                Config=TRANSFER,
            )
        if move:
            source.unlink(missing_ok=True)

    def put_bytes(self, name: str, data: bytes, *, sha256: str) -> None:
        with reachable(f"storing {name}"):
            self.client.put_object(
                Bucket=self.bucket, Key=self.key(name), Body=data, Metadata={"sha256": sha256}
            )

    def open(self, name: str) -> S3Reader:
        what = f"reading {name}"
        with reachable(what):
            got = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
        return S3Reader(got["Body"], int(got["ContentLength"]), what)

    def stat(self, name: str) -> StoredObject | None:
        try:
            with reachable(f"looking at {name}"):
                head = self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except FileNotFoundError:
            return None
        return StoredObject(
            name,
            int(head["ContentLength"]),
            head["LastModified"].timestamp(),
            head.get("Metadata", {}).get("sha256", ""),
        )

    def delete(self, name: str) -> None:
        with reachable(f"deleting {name}"):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def listing(self) -> Iterator[StoredObject]:
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        with reachable("listing the bucket"):
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(start) :].rpartition("/")[2]
                    if NAME.fullmatch(name) and item["Key"] == start + key_of(name):
                        modified = item["LastModified"].timestamp()
                        yield StoredObject(name, int(item["Size"]), modified)

    def abort_unfinished_uploads(self, *, older_than: float, dry_run: bool = False) -> int:
        """Abort multipart uploads under our prefix started before `older_than` (a process
        that died mid-upload, a server that stopped): their parts cost space, invisibly."""
        start = f"{self.prefix}/" if self.prefix else ""
        aborted = 0
        with reachable("listing unfinished uploads"):
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=start
            )
            for page in pages:
                for upload in page.get("Uploads", []):
                    if upload["Initiated"].timestamp() >= older_than:
                        continue
                    if not dry_run:
                        self.client.abort_multipart_upload(
                            Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                        )
                    aborted += 1
        return aborted

    def local_path(self, name: str) -> None:
        return None

    def check(self) -> None:
        try:
            with reachable("checking the bucket"):
                self.probe.head_bucket(Bucket=self.bucket)
        except FileNotFoundError:
            log.warning("storage: the bucket %s does not exist", self.bucket)
            raise StorageUnavailable() from None

    def create_bucket(self) -> bool:
        """Create the bucket if it is missing (compose's own server); True if created."""
        try:
            self.check()
            return False
        except StorageUnavailable:
            with reachable("creating the bucket"):
                self.client.create_bucket(Bucket=self.bucket)
            return True
