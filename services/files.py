"""Upload storage: stream to a temporary file of the uploader's while checking size and type
(by content: services.filetypes), hash, then hand it to the storage (services.storage: the
local directory, or a bucket) under a random name. Files are never served from a static
folder. Files waiting for their issue (the new-issue form) stay
in the uploader's temporary folder, so their bytes count towards the uploader's daily limit
in every process; leftovers are swept after STAGED_MAX_AGE."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import re
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import filetypes
from .db import runtime
from .errors import InvalidInput, StorageError, TooLarge, UnsupportedType
from .filetypes import HEAD, FileType
from .storage import Reader, Storage, check_name
from .uploads import UploadPolicy

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
INCOMING = ".incoming"
STAGED_MAX_AGE = 6 * 3600  # seconds; a form's files are discarded with its page long before


@dataclass(frozen=True)
class Staged:
    path: Path
    size: int
    sha256: str
    kind: FileType

    @property
    def content_type(self) -> str:
        return self.kind.mime


def stage(
    source: BinaryIO | bytes | Iterable[bytes], *, owner: int, policy: UploadPolicy
) -> Staged:
    """Write an upload to a temporary file of `owner` while checking it; nothing is left on
    error. The type comes from the first bytes; a text is scanned to its end for markup."""
    incoming = _incoming(owner)
    path = incoming / secrets.token_hex(16)
    digest, size = hashlib.sha256(), 0
    chunks = _chunks(source)
    try:
        head = _head(chunks)
        if not head:
            raise InvalidInput("The file is empty.", {"file": "empty"})
        sniffed = filetypes.sniff(head)
        kind = sniffed.kind
        if kind is None or kind not in policy.types:
            raise UnsupportedType(policy.unsupported(sniffed.refused_as), {"file": "type"})
        scanner = filetypes.MarkupScanner() if kind is filetypes.TEXT else None
        incoming.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for chunk in itertools.chain([head], chunks):
                size += len(chunk)
                if size > policy.max_file_bytes:
                    raise TooLarge(policy.too_large(), {"file": "too large"})
                if scanner is not None and (found := scanner.feed(chunk)):
                    raise UnsupportedType(policy.unsupported(found), {"file": "type"})
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as e:
        path.unlink(missing_ok=True)
        raise StorageError() from e
    except BaseException:  # refused, or the client went away mid-upload
        path.unlink(missing_ok=True)
        raise
    return Staged(path=path, size=size, sha256=digest.hexdigest(), kind=kind)


def staged_bytes(owner: int, *, besides: Path | None = None) -> int:
    """The bytes of `owner`'s files waiting on disk (in every process), but `besides`."""
    total = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(_incoming(owner)):
            if entry.path != str(besides):
                with contextlib.suppress(FileNotFoundError):
                    total += entry.stat().st_size
    return total


def discard(staged: Iterable[Staged]) -> None:
    """Delete staged files that will not be used; one already gone is not an error."""
    for item in staged:
        with contextlib.suppress(OSError):
            item.path.unlink(missing_ok=True)


def sweep(max_age: float = STAGED_MAX_AGE) -> int:
    """Delete temporary files older than `max_age` seconds (left by a crash, or a page that
    never said goodbye); returns how many. Safe with uploads in progress: they are young."""
    cutoff = time.time() - max_age
    removed = 0
    for path in (runtime().upload_dir / INCOMING).rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    if removed:
        log.info("removed %d staged upload(s) older than %d s", removed, max_age)
    return removed


def _incoming(owner: int) -> Path:
    return runtime().upload_dir / INCOMING / str(int(owner))


def storage() -> Storage:
    """Where this process keeps stored files (services.storage; local unless a bucket)."""
    return runtime().storage


def place(staged: Staged) -> str:
    """Hand a staged file to the storage under a new random name; returns that name. Stored,
    the staged file is gone; refused (StorageError, StorageUnavailable), nothing was stored
    and the staged file stays for another try (or `discard`)."""
    name = secrets.token_hex(16)
    storage().put_file(name, staged.path, sha256=staged.sha256, move=True)
    return name


def store_blob(data: bytes) -> str:
    """Store bytes made by the tracker itself (a thumbnail, a photo without its location)
    under a new random name; returns the name."""
    name = secrets.token_hex(16)
    storage().put_bytes(name, data, sha256=hashlib.sha256(data).hexdigest())
    return name


def path_of(stored_name: str) -> Path | None:
    """The stored file on this machine's disk (None when the storage is a bucket)."""
    return storage().local_path(check_name(stored_name))


def open_stored(stored_name: str) -> Reader:
    """A stored file to stream (FileNotFoundError if it is not there)."""
    return storage().open(check_name(stored_name))


def read_bytes(stored_name: str, *, limit: int) -> bytes:
    """A small stored file whole (at most `limit` bytes: StorageError beyond)."""
    reader = open_stored(stored_name)
    try:
        if reader.size > limit:
            raise StorageError("The stored file is larger than expected; it was not read.")
        return b"".join(reader.chunks())
    finally:
        reader.close()


@contextlib.contextmanager
def local_copy(stored_name: str, *, limit: int, source: Storage | None = None) -> Iterator[Path]:
    """The stored file as a local path for the sandboxed readers: the file itself on a local
    disk, else a temporary copy (at most `limit` bytes) deleted afterwards. `source`: another
    storage than this process's (a migration)."""
    source = source or storage()
    here = source.local_path(check_name(stored_name))
    if here is not None:
        yield here
        return
    fd, name = tempfile.mkstemp(prefix="tracker-stored-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            reader = source.open(stored_name)
            try:
                if reader.size > limit:
                    raise StorageError("The stored file is larger than expected; not read.")
                copied = 0
                for chunk in reader.chunks():
                    copied += len(chunk)
                    if copied > limit:
                        raise StorageError("The stored file grew while it was read.")
                    out.write(chunk)
            finally:
                reader.close()
        yield path
    finally:
        path.unlink(missing_ok=True)


def remove(stored_names: Iterable[str]) -> None:
    """Delete stored files (after the rows are gone); a missing file is not an error, and a
    storage that is down leaves an orphan for `services.storage.sweep` instead of failing."""
    for name in stored_names:
        try:
            storage().delete(check_name(name))
        except (OSError, ValueError, StorageError) as e:
            log.warning("a stored file stays behind for the orphan sweep: %s", e)


def display_name(filename: str, kind: FileType) -> str:
    """The name shown and given to downloads: cleaned, ending in an extension that agrees
    with the content (services.filetypes.stored_name)."""
    return clean_filename(filetypes.stored_name(clean_filename(filename), kind))


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
