"""Stored files in a local directory (one shared disk): the embedded default, as before."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import StorageError, StorageUnavailable
from .base import CHUNK, NAME, StoredObject, key_of


class LocalReader:
    def __init__(self, file: BinaryIO, size: int) -> None:
        self.file, self.size = file, size

    def chunks(self) -> Iterator[bytes]:
        while chunk := self.file.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self.file.close()


class LocalStorage:
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.description = f"the directory {self.root.resolve()}"

    def path(self, name: str) -> Path:
        return self.root / key_of(name)

    def put_file(self, name: str, source: Path, *, sha256: str, move: bool = False) -> None:
        target = self.path(name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if move:
                os.replace(source, target)
                return
            partial = target.with_name(f".{name}.part")
            try:
                with source.open("rb") as src, partial.open("wb") as out:
                    while chunk := src.read(CHUNK):
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
        except OSError as e:
            raise StorageError() from e

    def put_bytes(self, name: str, data: bytes, *, sha256: str) -> None:
        target = self.path(name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except OSError as e:
            target.unlink(missing_ok=True)
            raise StorageError() from e

    def open(self, name: str) -> LocalReader:
        file = self.path(name).open("rb")  # FileNotFoundError as it is
        return LocalReader(file, os.fstat(file.fileno()).st_size)

    def stat(self, name: str) -> StoredObject | None:
        try:
            st = self.path(name).stat()
        except FileNotFoundError:
            return None
        return StoredObject(name, st.st_size, st.st_mtime)

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(name).unlink()

    def listing(self) -> Iterator[StoredObject]:
        with contextlib.suppress(FileNotFoundError):
            for sub in sorted(os.scandir(self.root), key=lambda e: e.name):
                if len(sub.name) != 2 or not sub.is_dir():
                    continue  # .incoming (files in flight) and anything else
                for entry in os.scandir(sub.path):
                    if NAME.fullmatch(entry.name) and entry.name.startswith(sub.name):
                        with contextlib.suppress(FileNotFoundError):
                            st = entry.stat()
                            yield StoredObject(entry.name, st.st_size, st.st_mtime)

    def local_path(self, name: str) -> Path:
        return self.path(name)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageUnavailable() from e
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable()
