"""Plain text and log files: the text itself (capped), decoded leniently."""

from __future__ import annotations

import codecs
from pathlib import Path

from . import Extraction, Limits

VERSION = "1"
CHUNK = 64 * 1024


def extract_text(path: Path, limits: Limits) -> Extraction:
    """The file's text, at most `limits.max_text_chars` characters (UTF-8, with anything
    undecodable replaced; a UTF-16 file with a byte-order mark is read as such)."""
    with path.open("rb") as f:
        head = f.read(4)
        encoding = (
            "utf-16" if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
        )
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        parts, size = [decoder.decode(head)], len(head)
        while size < limits.max_text_chars * 4 and (chunk := f.read(CHUNK)):
            parts.append(decoder.decode(chunk))
            size += len(chunk)
        truncated = bool(f.read(1))
    text = "".join(parts)
    notes = []
    if truncated or len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
        notes.append(f"Only the first {limits.max_text_chars:,} characters were read.")
    return Extraction(kind="text", fields={"lines": len(text.splitlines())}, text=text, notes=notes)
