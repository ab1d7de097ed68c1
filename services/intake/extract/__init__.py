"""Pure extractors: a file's bytes (or a text) in, plain dataclasses out.

Nothing here touches the database, the settings or the rest of `services` (an import-linter
contract keeps it so), and heavy libraries (pypdfium2, Pillow, piexif, pytesseract) are
imported inside the functions that need them. Untrusted files reach these functions only in
a child process with CPU, memory and time limits (services.intake.sandbox).

Modules:
    text      plain text and logs, decoded leniently (capped)
    traces    stack traces in text (Python, Java/Kotlin, JavaScript, Go, .NET) and their
              fingerprints (helpers: trace_lines, trace_formats, trace_grammar, trace_python,
              trace_dotnet_go)
    secrets_scan  credentials in text, found and masked
    pdf       a PDF's text layer, and its pages rendered and OCR'd when it has none
    invoice   invoice fields from a document's text (helpers: invoice_labels,
              invoice_lexicon, invoice_values, invoice_vendor)
    image     size, camera, time taken, thumbnail, location data removed
    location  GPS data taken out of JPEG, PNG, WebP and GIF files, image data untouched
    ocr       text in images (Tesseract, when installed); ocr_prepare readies screenshots
    archive   a ZIP's entries, and the text inside it, within caps (zipread: the reader)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FieldValue = str | int | float | bool | None


@dataclass(frozen=True)
class Limits:
    """Caps that bound the work of one file (the sandbox adds CPU, memory and wall time)."""

    max_pages: int = 20  # PDF pages read for text
    max_ocr_pages: int = 3  # pages of a scanned PDF rendered and OCR'd
    max_pixels: int = 40_000_000  # an image larger than this is not decoded
    max_text_chars: int = 200_000  # extracted text kept
    max_zip_entries: int = 1_000
    max_zip_entry_bytes: int = 5 * 1024 * 1024  # a text entry read from a ZIP
    max_zip_total_bytes: int = 50 * 1024 * 1024  # uncompressed bytes read from one ZIP
    max_zip_ratio: int = 100  # uncompressed / compressed size of an entry (zip bombs)
    thumbnail_px: int = 320  # the longer side of a thumbnail


@dataclass
class Extraction:
    """What one extractor read from one file. `fields` use the names the issue tracker
    documents (invoice_number, invoice_date, ..., width, height, camera, taken_at, ...)."""

    kind: str  # "pdf" | "invoice" | "image" | "text" | "zip"
    fields: dict[str, FieldValue] = field(default_factory=dict)
    text: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    thumbnail: bytes | None = None  # JPEG or PNG bytes, orientation applied
    cleaned: bytes | None = None  # the file with location data removed, to store instead
    notes: list[str] = field(default_factory=list)  # e.g. "OCR skipped: Tesseract missing"


class Refused(Exception):
    """The file breaks a cap (too many pixels, a zip bomb...): analysis ends as `failed`
    with this message as the reason."""
