"""ZIP archives: their entries listed and the text of their text and log files read, so that
stack traces in logs inside a ZIP are found; nothing is ever extracted to disk.

Caps (Limits) and what breaks them:
- `max_zip_entries` entries are listed (`findings`, ZIPs nested one level included); the
  count the archive declares is the `entries` field, and a note says when the list is cut.
- A zip bomb is refused (Refused): an entry that declares more than `max_zip_ratio` times
  its compressed size (from 1 MiB uncompressed up: a small file of zeros may compress
  1000:1 harmlessly), entries whose declared total passes `max_zip_total_bytes` at a ratio
  above the cap (many small bombs), entries that share or overlap their data (a "flat"
  bomb), and, while inflating, an entry that outgrows the size it declared or the ratio cap.
- Entries are inflated through bounded streams: at most `max_zip_entry_bytes` of one entry
  and `max_zip_total_bytes` of the whole archive are read, and the text stops at
  `max_text_chars`.
- A ZIP inside the ZIP is opened (its entries listed as `outer.zip!/inner`, its text read);
  ZIPs inside that one are listed, not opened.
- Names are only names: `../../etc/passwd`, `/etc/cron.d/x` and `C:\\x` are listed (flagged
  `unsafe_name`), with control and bidirectional characters replaced (U+FFFD) so that
  `invoice\\u202efdp.exe` cannot pass for a PDF.
- Encrypted entries (ZipCrypto, AES) are listed (`encrypted`), never read.
- Text is sniffed from an entry's first 4 KiB: a UTF-16 byte-order mark, or no NUL byte
  and, for names without a text extension (.log, .txt, .json, `app.log.1`...), valid UTF-8.
  Names with a binary extension (.png, .gz, .exe...) are not read.
"""

from __future__ import annotations

import io
import itertools
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from . import Extraction, Limits, Refused
from . import zipread as z

VERSION = "1"  # bumped when this output changes, zipread.py's included
RATIO_FLOOR = 1024 * 1024
SNIFF_BYTES = 4096
MAX_NAME = 300
TEXT_NAME = re.compile(
    r"\.(?:txt|log|out|err|json|jsonl|ndjson|xml|csv|tsv|ya?ml|md|ini|cfg|conf|toml|"
    r"properties|env|trace|html?|sql|sh|bat|ps1|py|java|kt|js|ts|go|cs|rb|php|har)"
    r"(?:\.\d{1,3})?$",
    re.IGNORECASE,
)
BINARY_NAME = re.compile(
    r"\.(?:png|jpe?g|gif|webp|bmp|ico|pdf|exe|dll|so|dylib|bin|dat|gz|tgz|bz2|xz|zst|7z|rar|"
    r"jar|war|class|pyc|mp[34]|mov|wav|woff2?|ttf|otf|db|sqlite|pprof|dmp|core|zip)$",
    re.IGNORECASE,
)
_UNSAFE = re.compile(r"^(?:[/\\]|[A-Za-z]:)|(?:^|[/\\])\.\.(?:[/\\]|$)")


@dataclass
class _State:
    limits: Limits
    findings: list[dict[str, Any]] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    chars: int = 0
    read: int = 0
    unlisted: int = 0
    encrypted: int = 0
    unsafe: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def extract_zip(path: Path, limits: Limits) -> Extraction:
    """List a ZIP's entries and read its text; Refused for a zip bomb or a broken file."""
    state = _State(limits)
    with path.open("rb") as f:
        try:
            count = _walk(f, path.stat().st_size, "", 0, state)
        except (z.BadZip, struct.error) as e:
            raise Refused(f"This is not a ZIP archive that can be read: {e}.") from e
    notes = []
    if state.unlisted:
        notes.append(
            f"Only the first {len(state.findings):,} of "
            f"{len(state.findings) + state.unlisted:,} entries are listed."
        )
    if state.encrypted:
        notes.append(f"{_count(state.encrypted, 'encrypted entry')} listed, not read.")
    if state.unsafe:
        notes.append(
            f"{_count(state.unsafe, 'entry name')} pointing outside the archive (listed, "
            "never extracted)."
        )
    return Extraction(
        kind="zip",
        fields={"entries": count},
        text="".join(state.parts),
        findings=state.findings,
        notes=notes + state.notes,
    )


def _count(n: int, what: str) -> str:
    plural = what[:-1] + "ies" if what.endswith("y") else what + "s"
    return f"{n:,} {what if n == 1 else plural}"


def _walk(f: BinaryIO, size: int, prefix: str, depth: int, state: _State) -> int:
    """List one archive (checking it for bombs first), then read its text entries."""
    limits = state.limits
    where = z.directory(f, size)
    kept: list[z.Entry] = []
    spans: list[tuple[int, int]] = []
    total = total_compressed = 0
    for entry in z.entries(f, where):
        total, total_compressed = total + entry.size, total_compressed + entry.compressed
        spans.append((entry.offset, entry.offset + 30 + entry.compressed))
        if entry.size >= RATIO_FLOOR and entry.size > limits.max_zip_ratio * max(
            1, entry.compressed
        ):
            raise Refused(
                f"A zip bomb: {_display(entry.name)} expands from {entry.compressed:,} to "
                f"{entry.size:,} bytes."
            )
        if len(state.findings) < limits.max_zip_entries:
            state.findings.append(_finding(prefix, entry, state))
            kept.append(entry)
        else:
            state.unlisted += 1
    if total > limits.max_zip_total_bytes and total > limits.max_zip_ratio * max(
        1, total_compressed
    ):
        raise Refused(f"A zip bomb: {total_compressed:,} bytes expand to {total:,} bytes.")
    spans.sort()
    if any(b[0] < a[1] for a, b in itertools.pairwise(spans)):
        raise Refused("A zip bomb: entries share or overlap their data.")
    for entry in kept:
        if state.chars >= limits.max_text_chars:
            state.note(f"The text stops at {limits.max_text_chars:,} characters.")
            break
        _read_entry(f, prefix, entry, depth, state)
    return where.count


def _finding(prefix: str, entry: z.Entry, state: _State) -> dict[str, Any]:
    finding: dict[str, Any] = {
        "type": "zip_entry",
        "name": prefix + _display(entry.name),
        "size": entry.size,
        "compressed": entry.compressed,
    }
    if entry.encrypted:
        finding["encrypted"] = True
        state.encrypted += 1
    if _UNSAFE.search(entry.name):
        finding["unsafe_name"] = True
        state.unsafe += 1
    return finding


def _display(name: str) -> str:
    clean = "".join(
        "\ufffd" if unicodedata.category(c) in ("Cc", "Cf") else c for c in name[: MAX_NAME + 1]
    )
    return clean if len(clean) <= MAX_NAME else clean[: MAX_NAME - 1] + "\u2026"


def _read_entry(f: BinaryIO, prefix: str, entry: z.Entry, depth: int, state: _State) -> None:
    limits = state.limits
    if entry.is_dir or entry.encrypted or entry.size == 0:
        return
    if entry.method not in z.READABLE_METHODS:
        state.note(f"Entries compressed with method {entry.method} are listed, not read.")
        return
    name = prefix + _display(entry.name)
    budget = min(limits.max_zip_entry_bytes, limits.max_zip_total_bytes - state.read)
    if budget <= 0:
        state.note(f"Reading stopped at {limits.max_zip_total_bytes:,} bytes for the archive.")
        return
    if entry.name.lower().endswith(".zip"):
        _nested(f, name, entry, depth, budget, state)
        return
    if BINARY_NAME.search(entry.name):
        return
    strict = TEXT_NAME.search(entry.name) is None  # no text extension: must be valid UTF-8
    # The sniffed bytes are not counted: at most 4 KiB for each of max_zip_entries entries.
    if not _looks_like_text(_inflate(f, entry, SNIFF_BYTES, state, count=False), strict):
        return
    data = _inflate(f, entry, budget, state)
    if len(data) < entry.size:
        state.note(f"Only the first {len(data):,} bytes of {name} were read.")
    text = _decode(data)
    room = limits.max_text_chars - state.chars
    if len(text) > room:
        text = text[:room]
        state.note(f"The text stops at {limits.max_text_chars:,} characters.")
    state.parts.append(f"==> {name} <==\n{text}\n")
    state.chars += len(text)


def _nested(f: BinaryIO, name: str, entry: z.Entry, depth: int, budget: int, state: _State) -> None:
    if depth >= 1:
        state.note("ZIP files nested more than one level deep are listed, not opened.")
        return
    if entry.size > budget:
        state.note(f"{name} is too large to open ({entry.size:,} bytes).")
        return
    data = _inflate(f, entry, budget, state)
    try:
        _walk(io.BytesIO(data), len(data), name + "!/", depth + 1, state)
    except (z.BadZip, struct.error) as e:
        state.note(f"{name} is not a ZIP archive that can be read: {e}.")


def _inflate(f: BinaryIO, entry: z.Entry, limit: int, state: _State, count: bool = True) -> bytes:
    limits = state.limits
    try:
        data = z.read(f, entry, limit, limits.max_zip_ratio, RATIO_FLOOR)
    except z.Expanding as e:
        raise Refused(f"A zip bomb: {e}.") from e
    except z.BadZip as e:
        state.note(f"{_display(entry.name)} could not be read: {e}.")
        return b""
    state.read += len(data) if count else 0
    return data


def _looks_like_text(sample: bytes, strict: bool) -> bool:
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    if not sample or b"\x00" in sample:
        return False
    if not strict:
        return True  # a .log in Latin-1 is still a log
    text = sample.decode("utf-8", errors="replace")
    odd = sum(1 for c in text if c == "\ufffd" or (ord(c) < 32 and c not in "\t\n\r\f"))
    return odd <= len(text) // 20


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")
