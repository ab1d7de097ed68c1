"""The one upload policy: which types (with their names and extensions), how large a file,
how many files per issue, how many bytes per user per day. The server-side checks, the
pages (the browser's `accept` list and the hint text) and the API's documentation all read
it from here; `services.connect()` sets it (tracker_app from the TRACKER_* settings).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import filetypes
from .db import runtime
from .filetypes import FileType

MB = 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 25 * MB
DEFAULT_MAX_FILES_PER_ISSUE = 10
DEFAULT_MAX_BYTES_PER_DAY = 500 * MB
NEVER_ACCEPTED = "HTML, SVG, XML with scripts, scripts and programs"


@dataclass(frozen=True)
class UploadPolicy:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_files_per_issue: int = DEFAULT_MAX_FILES_PER_ISSUE
    max_bytes_per_day: int = DEFAULT_MAX_BYTES_PER_DAY
    types: tuple[FileType, ...] = filetypes.ALLOWED

    @property
    def types_hint(self) -> str:
        """The allowed types in words: "PNG, JPEG, ... or plain text (logs, CSV, JSON)"."""
        labels = [t.label for t in self.types]
        return ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]

    @property
    def accept(self) -> str:
        """The browser file picker's `accept`: every extension, then every MIME type."""
        extensions = [e for t in self.types for e in t.extensions]
        return ",".join([*extensions, *(t.mime for t in self.types)])

    @property
    def image_types(self) -> frozenset[str]:
        return frozenset(t.mime for t in self.types if t.image)

    def unsupported(self, refused_as: str | None = None) -> str:
        """Why a file's content is refused, naming what it really is when we know."""
        what = f": it is {refused_as}, whatever its name says" if refused_as else ""
        return (
            f"This file type is not allowed{what}. Allowed: {self.types_hint}; "
            f"{NEVER_ACCEPTED} are never accepted."
        )

    def too_large(self) -> str:
        return f"The file is larger than the limit of {size_text(self.max_file_bytes)}."

    def describe(self) -> str:
        """The rules in Markdown, for the API documentation."""
        return (
            f"Accepted, by content (not by name or claimed type): {self.types_hint}. "
            f"{NEVER_ACCEPTED} are refused (415) whatever their name. A name whose extension "
            "does not match the content gets the right one added (`report.pdf` holding a PNG "
            f"is stored as `report.pdf.png`). At most {size_text(self.max_file_bytes)} per "
            f"file (413), {self.max_files_per_issue} files per issue (422) and "
            f"{size_text(self.max_bytes_per_day)} per user per 24 hours (429 with "
            "`Retry-After`). Nothing is stored when a file is refused."
        )


def policy() -> UploadPolicy:
    """The policy `services.connect()` set for this process."""
    return runtime().uploads


def size_text(n: int) -> str:
    """Bytes for people: "25 MB", "1.5 MB", "900 KB"."""
    if n >= MB:
        return f"{n / MB:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(n / 1024))} KB"
