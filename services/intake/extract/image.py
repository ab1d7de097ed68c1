"""Pictures (PNG, JPEG, WebP, GIF): size, camera, time taken, a thumbnail, location data
removed, and the text of screenshots.

- The declared size is checked before anything is decoded (`Image.open` only reads the
  header): a picture over `limits.max_pixels` is refused, so a decompression bomb costs a
  header read.
- Fields: `width` and `height` as displayed (EXIF orientation applied), `camera` ("Make
  Model" from EXIF, the make left out when the model starts with it: "Canon EOS R6"),
  `taken_at` (EXIF DateTimeOriginal in ISO 8601, with OffsetTimeOriginal when present;
  None when absent or not a real date), `location_removed`.
- The thumbnail: the longer side at most `limits.thumbnail_px` (never enlarged),
  orientation applied, no metadata at all (a new image is encoded); PNG for pictures with
  transparency and for PNG/GIF sources (screenshots stay sharp), JPEG otherwise or when the
  PNG would be large.
- Location (location.py): removed by default; `Extraction.cleaned` is the file to store
  instead, None when there was nothing to remove. `keep_location=True` keeps it (a setting).
- Text (ocr.py): read from PNG, WebP and GIF files and from any picture without a camera in
  its EXIF (a screenshot saved as JPEG); photos from a camera are not read (their "text" is
  signs and labels, and reading costs seconds). `ocr=True/False` forces the choice. Without
  Tesseract everything else is still done and a note says why no text was read.
- A damaged picture (truncated data) still gets its fields and its location removed (that
  works on the metadata, not the pixels); the thumbnail and the text are skipped with a note.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import Extraction, FieldValue, Limits, Refused

if TYPE_CHECKING:
    from PIL.Image import Image

VERSION = "1"  # bumped when this output changes, location.py's and ocr.py's included
FORMATS = ("PNG", "JPEG", "MPO", "WEBP", "GIF")  # MPO: a JPEG with extra pictures (phones)
MAX_PNG_THUMBNAIL = 192 * 1024  # above this a PNG thumbnail becomes a JPEG one
OCR_FORMATS = ("PNG", "WEBP", "GIF")
_OFFSET = re.compile(r"[+-](?:[01]\d|2[0-3]):[0-5]\d")
_SWAPS_SIDES = (5, 6, 7, 8)  # orientations that turn the picture by 90 degrees


def extract_image(
    path: Path,
    limits: Limits,
    *,
    keep_location: bool = False,
    ocr: bool | None = None,
    langs: str = "eng",
) -> Extraction:
    """Read one picture; raises Refused for what is no picture or breaks `limits`."""
    from PIL import Image as PILImage

    data = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # damaged EXIF tags: Pillow warns and skips them
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            image = PILImage.open(io.BytesIO(data))
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as e:
            raise Refused(f"The picture is too large to read ({e}).") from e
        except Exception as e:  # hostile bytes break parsers in many ways
            raise Refused("This is not a picture that can be read.") from e
    with image:
        if image.format not in FORMATS:
            raise Refused(f"{image.format} pictures are not read.")
        width, height = image.size
        if width * height > limits.max_pixels:
            raise Refused(
                f"The picture is {width:,} x {height:,} pixels, more than the limit of "
                f"{limits.max_pixels:,} pixels."
            )
        with warnings.catch_warnings():  # Pillow warns about damaged EXIF tags, skipping them
            warnings.simplefilter("ignore")
            return _read(image, data, limits, keep_location, ocr, langs)


def _read(
    image: Image, data: bytes, limits: Limits, keep_location: bool, ocr: bool | None, langs: str
) -> Extraction:
    notes: list[str] = []
    facts = _exif_facts(image)
    orientation = facts.pop("orientation")
    width, height = image.size
    if orientation in _SWAPS_SIDES:
        width, height = height, width
    fields: dict[str, FieldValue] = {"width": width, "height": height, **facts}
    cleaned = None
    from .location import strip_location

    try:
        stripped = strip_location(data)
    except Exception as e:  # the walkers bound every read; this is the last line of defence
        stripped = None
        notes.append(f"Location data could not be checked ({e}).")
    if stripped is not None and keep_location:
        notes.append("Location data kept (the tracker is set to keep it).")
    elif stripped is not None:
        cleaned = stripped
    fields["location_removed"] = cleaned is not None
    read_text = ocr if ocr is not None else (image.format in OCR_FORMATS or not facts["camera"])
    thumbnail, text = None, ""
    try:
        if read_text:
            frame = _upright(image, None)
            text = _ocr(frame, langs, limits, notes)
        else:
            frame = _upright(image, limits.thumbnail_px)
        thumbnail = _thumbnail(frame, image.format or "", limits.thumbnail_px)
    except Exception as e:  # a damaged picture breaks a decoder in many ways
        notes.append(f"The picture's data is damaged or truncated ({e}): no thumbnail, no text.")
    return Extraction(
        kind="image", fields=fields, text=text, thumbnail=thumbnail, cleaned=cleaned, notes=notes
    )


def _exif_facts(image: Image) -> dict[str, FieldValue]:
    """camera, taken_at and orientation from EXIF (None/1 when absent or unreadable)."""
    facts: dict[str, FieldValue] = {"camera": None, "taken_at": None, "orientation": 1}
    try:
        exif = image.getexif()
        sub = exif.get_ifd(0x8769)
    except Exception:  # a damaged EXIF block leaves the facts unknown
        return facts
    make, model = _ascii(exif.get(0x010F)), _ascii(exif.get(0x0110))
    if make and model.lower().startswith(make.split()[0].lower()):
        make = ""  # "Canon" + "Canon EOS R6"
    facts["camera"] = f"{make} {model}".strip() or None
    facts["taken_at"] = _iso(_ascii(sub.get(0x9003)), _ascii(sub.get(0x9011)))
    orientation = exif.get(0x0112)
    facts["orientation"] = orientation if isinstance(orientation, int) else 1
    return facts


def _ascii(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return ""
    return "".join(c for c in value if c.isprintable()).strip()[:80]


def _iso(taken: str, offset: str) -> str | None:
    try:
        moment = datetime.strptime(taken, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # absent, "0000:00:00 00:00:00", or not a date
    return moment.isoformat() + (offset if _OFFSET.fullmatch(offset) else "")


def _upright(image: Image, size: int | None) -> Image:
    """The first frame, decoded (at a reduced scale for a thumbnail of a JPEG), with its
    EXIF orientation applied."""
    from PIL import ImageOps

    if size is not None and image.format in ("JPEG", "MPO"):
        image.draft("RGB", (size, size))  # JPEG decodes at 1/2, 1/4 or 1/8 scale
    image.load()
    upright = ImageOps.exif_transpose(image)
    return upright if upright is not None else image


def _thumbnail(frame: Image, source_format: str, size: int) -> bytes:
    from PIL import Image as PILImage

    alpha = frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info
    small = frame.convert("RGBA" if alpha else "RGB")
    small.thumbnail((size, size), PILImage.Resampling.LANCZOS)
    # Encoded from bare pixels: no EXIF, ICC, XMP or text chunk can come along.
    small = PILImage.frombytes(small.mode, small.size, small.tobytes())
    buffer = io.BytesIO()
    if alpha or source_format in ("PNG", "GIF"):
        small.save(buffer, "PNG")
        if alpha or buffer.tell() <= MAX_PNG_THUMBNAIL:
            return buffer.getvalue()
        buffer = io.BytesIO()
    small.convert("RGB").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _ocr(frame: Image, langs: str, limits: Limits, notes: list[str]) -> str:
    from . import ocr

    ready, reason = ocr.available()
    if not ready:
        notes.append(f"OCR skipped: {reason}")
        return ""
    try:
        text = ocr.read_text(frame, langs=langs)
    except RuntimeError as e:  # pytesseract: the run timed out or Tesseract failed
        notes.append(f"OCR failed: {e}")
        return ""
    if len(text) > limits.max_text_chars:
        notes.append(f"Only the first {limits.max_text_chars:,} characters were kept.")
    return text[: limits.max_text_chars]
