"""A bounded ZIP reader: the central directory walked record by record, entries inflated
through streams that stop at a byte budget. Nothing is extracted to disk.

Python's zipfile is not used on untrusted archives: it parses the whole central directory
into objects before anything can be checked (100,000 entries cost 115 MB and half a second
before a cap could apply), and it trusts the sizes an entry declares.
"""

from __future__ import annotations

import bz2
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"
CENTRAL = b"PK\x01\x02"
LOCAL = b"PK\x03\x04"
CHUNK = 64 * 1024
STORED, DEFLATED, BZIP2 = 0, 8, 12
READABLE_METHODS = (STORED, DEFLATED, BZIP2)


class BadZip(Exception):
    """The bytes are no ZIP archive, or its structure is broken."""


class Expanding(Exception):
    """An entry inflates to more than it declared, or past the ratio cap: a zip bomb."""


@dataclass(frozen=True)
class Entry:
    name: str
    size: int  # uncompressed, as declared
    compressed: int
    method: int
    flags: int
    offset: int  # of the local header, corrected for data prepended to the archive

    @property
    def encrypted(self) -> bool:
        return bool(self.flags & 0x1) or self.method == 99  # 99: AES (WinZip)

    @property
    def is_dir(self) -> bool:
        return self.name.endswith(("/", "\\"))


@dataclass(frozen=True)
class Directory:
    count: int  # entries the archive declares
    offset: int  # where the central directory starts
    size: int
    shift: int  # bytes prepended to the archive (a self-extractor's stub)


def directory(f: BinaryIO, file_size: int) -> Directory:
    """Find the end-of-central-directory record (and its ZIP64 form)."""
    tail_size = min(file_size, 65535 + 22)
    f.seek(file_size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(EOCD)
    if at < 0 or len(tail) - at < 22:
        raise BadZip("not a ZIP archive (no end of central directory)")
    _, _, _, count, size, offset, _ = struct.unpack_from("<HHHHIIH", tail, at + 4)
    eocd = file_size - tail_size + at
    end = eocd  # where the central directory ends
    if count == 0xFFFF or size == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        end, count, size, offset = _zip64(f, eocd)
    start = end - size
    if start < 0 or offset > start:
        raise BadZip("the central directory lies outside the file")
    return Directory(count=count, offset=start, size=size, shift=start - offset)


def _zip64(f: BinaryIO, eocd: int) -> tuple[int, int, int, int]:
    """(where the central directory ends, entries, its size, its offset) from the ZIP64
    end record, which sits right before its locator, right before the end record."""
    if eocd < 76:
        raise BadZip("broken ZIP64 archive")
    f.seek(eocd - 20)
    if f.read(4) != ZIP64_LOCATOR:
        raise BadZip("broken ZIP64 archive (no locator)")
    record = eocd - 20 - 56
    f.seek(record)
    head = f.read(56)
    if head[:4] != ZIP64_EOCD:
        raise BadZip("broken ZIP64 archive (no end record)")
    count, size, offset = struct.unpack_from("<QQQ", head, 32)
    return record, count, size, offset


def entries(f: BinaryIO, where: Directory) -> Iterator[Entry]:
    """The central directory's records, one at a time (a broken record ends the walk)."""
    f.seek(where.offset)
    end = where.offset + where.size
    position = where.offset
    for _ in range(where.count):
        head = f.read(46)
        if len(head) < 46 or head[:4] != CENTRAL or position + 46 > end:
            raise BadZip("broken central directory")
        flags, method = struct.unpack_from("<HH", head, 8)
        compressed, size = struct.unpack_from("<II", head, 20)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", head, 28)
        offset = struct.unpack_from("<I", head, 42)[0]
        raw_name = f.read(name_len)
        extra = f.read(extra_len)
        f.seek(comment_len, 1)
        position += 46 + name_len + extra_len + comment_len
        size, compressed, offset = _zip64_sizes(extra, size, compressed, offset)
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
        yield Entry(name, size, compressed, method, flags, offset + where.shift)


def _zip64_sizes(extra: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int]:
    """Sizes and offset from the ZIP64 extra field, for the values stored as 0xFFFFFFFF."""
    i = 0
    while i + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, i)
        if tag == 0x0001:
            room = max(0, min(length, len(extra) - i - 4, 24)) // 8
            values = list(struct.unpack_from(f"<{room}Q", extra, i + 4))
            if size == 0xFFFFFFFF and values:
                size = values.pop(0)
            if compressed == 0xFFFFFFFF and values:
                compressed = values.pop(0)
            if offset == 0xFFFFFFFF and values:
                offset = values.pop(0)
            break
        i += 4 + length
    return size, compressed, offset


def read(f: BinaryIO, entry: Entry, limit: int, max_ratio: int, ratio_floor: int) -> bytes:
    """At most `limit` bytes of an entry's content. Raises Expanding when the content
    outgrows its declared size or, past `ratio_floor` bytes, `max_ratio` times what was
    consumed; BadZip when its local header or data is broken."""
    f.seek(entry.offset)
    head = f.read(30)
    if len(head) < 30 or head[:4] != LOCAL:
        raise BadZip(f"broken local header for {entry.name!r}")
    name_len, extra_len = struct.unpack_from("<HH", head, 26)
    f.seek(entry.offset + 30 + name_len + extra_len)
    want = min(limit, entry.size + 1)  # one byte more than declared exposes a lie
    out, consumed, left = bytearray(), 0, entry.compressed
    stream = _Stream(entry.method)
    while len(out) < want and not stream.finished:
        chunk = b""
        if stream.needs_input:
            if left <= 0:
                break
            chunk = f.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            consumed += len(chunk)
        try:
            produced = stream.feed(chunk, want - len(out))
        except (zlib.error, OSError, EOFError, ValueError) as e:
            raise BadZip(f"damaged data in {entry.name!r}: {e}") from e
        out += produced
        if len(out) > entry.size:
            raise Expanding(f"{entry.name!r} holds more than the {entry.size:,} bytes declared")
        if len(out) >= ratio_floor and len(out) > max_ratio * max(1, consumed):
            raise Expanding(f"{entry.name!r} expands more than {max_ratio} times")
        if not produced and not chunk:
            break  # nothing more will come
    return bytes(out[:limit])


class _Stream:
    """Stored, deflate or bzip2 data, inflated at most `n` bytes per call."""

    def __init__(self, method: int) -> None:
        if method not in READABLE_METHODS:
            raise BadZip(f"compression method {method} is not read")
        self.method = method
        self.tail = b""  # input not used yet (stored and deflate)
        self.inflater = zlib.decompressobj(-15) if method == DEFLATED else None
        self.unzipper = bz2.BZ2Decompressor() if method == BZIP2 else None

    @property
    def needs_input(self) -> bool:
        if self.unzipper is not None:
            return self.unzipper.needs_input
        return not self.tail

    @property
    def finished(self) -> bool:
        if self.inflater is not None:
            return bool(self.inflater.eof)
        if self.unzipper is not None:
            return self.unzipper.eof
        return False

    def feed(self, data: bytes, n: int) -> bytes:
        if self.unzipper is not None:
            produced: bytes = self.unzipper.decompress(data, n)
            return produced
        data = self.tail + data
        if self.inflater is not None:
            produced = self.inflater.decompress(data, n)
            self.tail = self.inflater.unconsumed_tail
            return produced
        self.tail = data[n:]
        return data[:n]
