"""Copy every stored file to another storage (`tracker storage migrate --to s3://...`).

Each file is checked against the sha256 its attachment row recorded before it is copied
(a damaged file is reported, never spread), copied whole, and read back from the target to
verify it. Files the target already holds with the same size and checksum are skipped, so
an interrupted run resumes where it stopped. Nothing is switched: the processes keep using
the current storage until their TRACKER_STORAGE_URL is changed, by a person, after a run
that copied everything."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from ..db import session
from ..errors import StorageError, StorageUnavailable
from ..models import Attachment
from .base import CHUNK, Storage, digest


@dataclass
class Migration:
    total: int = 0
    copied: int = 0
    already: int = 0  # found in the target, complete (a resumed run)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (stored name, why)

    @property
    def complete(self) -> bool:
        return not self.failed and self.copied + self.already == self.total


def count_files() -> int:
    with session() as s:
        return s.scalar(select(func.count()).select_from(Attachment)) or 0


def migrate(
    source: Storage, target: Storage, *, progress: Callable[[int], None] = lambda n: None
) -> Migration:
    """Copy every attachment's file from `source` to `target`; see the module's docstring.
    StorageUnavailable (either side down) stops the run: run it again to resume."""
    target.check()
    report = Migration(total=count_files())
    for name, sha256, size in _files():
        why = _copy_one(source, target, name, sha256, size, report)
        if why:
            report.failed.append((name, why))
        progress(1)
    return report


def _files() -> list[tuple[str, str, int]]:
    with session() as s:
        rows = s.execute(
            select(Attachment.stored_name, Attachment.sha256, Attachment.size).order_by(
                Attachment.id
            )
        )
        return [(r[0], r[1], r[2]) for r in rows]


def _copy_one(
    source: Storage, target: Storage, name: str, sha256: str, size: int, report: Migration
) -> str:
    """ "" when the file is in the target, verified; else why not."""
    there = target.stat(name)
    if (
        there is not None
        and there.size == size
        and (there.sha256 or digest(target, name)) == sha256
    ):
        report.already += 1
        return ""
    from ..files import local_copy

    try:
        with local_copy(name, limit=size, source=source) as path:
            if _sha256_of(path) != sha256:
                return "the stored file does not match its recorded checksum; not copied"
            target.put_file(name, path, sha256=sha256)
    except FileNotFoundError:
        return "missing from the current storage"
    except StorageUnavailable:
        raise
    except StorageError as e:
        return e.message
    if digest(target, name) != sha256:
        target.delete(name)
        return "the copy read back differs from the original; removed from the target"
    report.copied += 1
    return ""


def _sha256_of(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()
