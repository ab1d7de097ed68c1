"""The storage interface and what every backend shares."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

NAME = re.compile(r"[0-9a-f]{32}")
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredObject:
    name: str
    size: int
    modified: float  # seconds since the epoch
    sha256: str = ""  # recorded at write time when the backend keeps it ("" if not)


class Reader(Protocol):
    """A stored file being read: its size, then its bytes in chunks (closed after)."""

    size: int

    def chunks(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class Storage(Protocol):
    """Stored files by name. Errors: FileNotFoundError for a missing file,
    services.StorageUnavailable when the backend cannot be reached, services.StorageError
    when it refuses (full, read-only)."""

    kind: str  # "local" or "s3"
    description: str  # for people: "local directory", "s3://bucket/prefix"

    def put_file(self, name: str, source: Path, *, sha256: str, move: bool = False) -> None:
        """Store a local file under `name` (whole or not at all); with `move` the source is
        gone once stored (and kept when storing failed)."""
        ...

    def put_bytes(self, name: str, data: bytes, *, sha256: str) -> None: ...

    def open(self, name: str) -> Reader: ...

    def stat(self, name: str) -> StoredObject | None: ...

    def delete(self, name: str) -> None:
        """Remove a stored file; one already gone is not an error."""
        ...

    def listing(self) -> Iterator[StoredObject]:
        """Every stored file (nothing in flight, nothing that is not a stored name)."""
        ...

    def local_path(self, name: str) -> Path | None:
        """Where the file is on this machine's disk, when the backend keeps it there."""
        ...

    def check(self) -> None:
        """Raise StorageUnavailable unless files can be stored and read right now."""
        ...


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise ValueError("not a stored file name")
    return name


def key_of(name: str) -> str:
    """`ab/ab12...`: the layout of both backends (a directory or a prefix per first byte)."""
    return f"{name[:2]}/{check_name(name)}"


def digest(storage: Storage, name: str) -> str:
    """The sha256 of a stored file, read back whole (streamed)."""
    sha = hashlib.sha256()
    reader = storage.open(name)
    try:
        for chunk in reader.chunks():
            sha.update(chunk)
    finally:
        reader.close()
    return sha.hexdigest()
