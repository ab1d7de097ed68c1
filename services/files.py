"""Upload storage: stream to a temporary file, check size and type by magic bytes, hash,
then move into place under a random name. Files are never served from a static folder."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import itertools
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .db import runtime
from .errors import InvalidInput, StorageError, TooLarge, UnsupportedType

CHUNK = 64 * 1024
HEAD = 4096  # bytes looked at to decide the type
_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
]
ALLOWED_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/zip",
    "text/plain",
)
UNSUPPORTED_MESSAGE = (
    "This file type is not allowed. Allowed: PNG, JPEG, GIF, WebP, PDF, ZIP and plain text "
    "(logs, CSV, JSON)."
)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Staged:
    path: Path
    size: int
    sha256: str
    content_type: str


def detect_type(head: bytes) -> str | None:
    """The allowed content type of a file from its first bytes, or None."""
    for magic, offset, kind in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if _looks_like_text(head):
        return "text/plain"
    return None


def stage(source: BinaryIO | bytes | Iterable[bytes], max_bytes: int) -> Staged:
    """Write an upload to a temporary file while checking it; nothing is left on error."""
    incoming = runtime().upload_dir / ".incoming"
    path = incoming / secrets.token_hex(16)
    digest, size = hashlib.sha256(), 0
    chunks = _chunks(source)
    try:
        head = _head(chunks)
        kind = detect_type(head)
        if not head:
            raise InvalidInput("The file is empty.", {"file": "empty"})
        if kind is None:
            raise UnsupportedType(UNSUPPORTED_MESSAGE, {"file": "type not allowed"})
        incoming.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for chunk in itertools.chain([head], chunks):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(
                        f"The file is larger than the limit of {max_bytes // (1024 * 1024)} MB.",
                        {"file": "too large"},
                    )
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except InvalidInput:
        path.unlink(missing_ok=True)
        raise
    except OSError as e:
        path.unlink(missing_ok=True)
        raise StorageError() from e
    return Staged(path=path, size=size, sha256=digest.hexdigest(), content_type=kind)


def place(staged: Staged) -> str:
    """Move a staged file to its final random name; returns that name."""
    name = secrets.token_hex(16)
    target = path_of(name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, target)
    except OSError as e:
        staged.path.unlink(missing_ok=True)
        raise StorageError() from e
    return name


def store_blob(data: bytes) -> str:
    """Store bytes made by the tracker itself (a thumbnail, a photo without its location)
    under a new random name; returns the name."""
    name = secrets.token_hex(16)
    target = path_of(name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as e:
        target.unlink(missing_ok=True)
        raise StorageError() from e
    return name


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ValueError("not a stored file name")
    return runtime().upload_dir / stored_name[:2] / stored_name


def remove(stored_names: Iterable[str]) -> None:
    """Delete stored files (after the rows are gone); a missing file is not an error."""
    for name in stored_names:
        with contextlib.suppress(OSError, ValueError):
            path_of(name).unlink(missing_ok=True)


def clean_filename(name: str) -> str:
    """The original name for display: no path, no control or bidi-override characters
    (a U+202E override cannot make "invoice.exe" pose as a PDF), at most 255 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf"))
    base = base.strip().lstrip(".") or "file"
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 250 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else base[:255]
    return base


def _chunks(source: BinaryIO | bytes | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray):
        for i in range(0, len(source), CHUNK):
            yield bytes(source[i : i + CHUNK])
        return
    read = getattr(source, "read", None)
    if read is not None:
        while chunk := read(CHUNK):
            yield chunk
        return
    for chunk in source:
        if chunk:
            yield chunk


def _head(chunks: Iterator[bytes]) -> bytes:
    """At least HEAD bytes (or the whole file if shorter), however the source is chunked."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= HEAD:
            break
    return head


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    # Tabs, newlines, form feeds and ESC (coloured logs) are fine; other controls are not.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls <= len(head) // 100
