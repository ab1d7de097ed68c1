"""A real S3-compatible HTTP server for the storage tests: moto's server (the S3 API over
HTTP on a free local port), started and stopped like the real thing. Its data lives in
this process, so a stopped and restarted server still holds what was written before:
"nothing half-written" can be checked after an outage."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from tests.workers import free_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "tracker-test",
    "AWS_SECRET_ACCESS_KEY": "tracker-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class S3Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.running = False
        self._server: ThreadedMotoServer | None = None
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

    def start(self) -> None:
        if not self.running:
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
            self._server.start()
            self.running = True

    def stop(self) -> None:
        if self.running and self._server is not None:
            self._server.stop()
            self.running = False

    def client(self) -> Any:
        return boto3.session.Session(
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        ).client("s3", endpoint_url=self.url)

    def new_bucket(self) -> str:
        name = f"tracker-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def unfinished_uploads(self, bucket: str) -> list[str]:
        listed = self.client().list_multipart_uploads(Bucket=bucket)
        return [u["Key"] for u in listed.get("Uploads", [])]

    def head(self, bucket: str, key: str) -> dict[str, Any]:
        return dict(self.client().head_object(Bucket=bucket, Key=key))
