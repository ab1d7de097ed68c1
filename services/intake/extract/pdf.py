"""A PDF's text: the text layer through pypdfium2, or OCR of the rendered pages of a scan.

Text comes out as *layout lines*: the words of a page grouped into lines by their baseline,
sorted left to right, with a gap of two or more spaces wherever the page has a visible gap
(a column, a table cell, a label on the left and its value on the right), and cells roughly
at the character column matching their position on the page. The same layout is built from
Tesseract's word boxes for scans, so `services.intake.extract.invoice` reads both alike: a
label and its value stay on one line, and a value printed under its label stays in the same
column of the next line.
"""

from __future__ import annotations

import ctypes
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import Extraction, Limits, Refused, ocr

if TYPE_CHECKING:  # only for the annotations: PIL is imported where it is used
    from PIL.Image import Image

VERSION = "1"

OCR_LANGS = "eng+deu+fra+spa"
OCR_DPI = 300  # Tesseract reads body text best at about 300 DPI
OCR_MAX_PIXELS = 12_000_000  # an A4 page at 300 DPI is 8.7 MP; bigger pages are scaled down
OCR_TIMEOUT_S = 60  # per page; the sandbox's wall-time limit still applies
OCR_PSM = 11  # sparse text: Tesseract drops words in framed boxes in its page mode (3)
MIN_PAGE_CHARS = 16  # fewer visible characters than this: the page is a scan (or empty)


@dataclass(frozen=True)
class PdfText:
    """The text of a PDF: one layout string per page read (at most `Limits.max_pages`)."""

    pages: tuple[str, ...]
    page_count: int  # pages in the file, read or not
    has_text_layer: bool  # some page read has a real text layer
    ocr_pages: int = 0  # pages whose text comes from OCR
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n\n".join(page for page in self.pages if page)


@dataclass(frozen=True)
class _Word:
    """A word on a page, in points, y growing downwards (from the top of the page)."""

    text: str
    x0: float
    x1: float
    base: float  # the baseline (text layer) or the line's centre (OCR)
    size: float  # the font size, or the OCR line's height


def _open(path: str | Path | bytes) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(path if isinstance(path, bytes) else str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc).strip().rstrip(".")
        # PDFium's last error is per thread and not reset by every failure (a PDF without
        # pages fails "successfully"): a password is claimed only if the file has /Encrypt.
        if "password" in message.lower() and _mentions_encrypt(path):
            raise Refused("the PDF is encrypted with a password") from None
        if "password" in message.lower() or "success" in message.lower():
            message = "no pages, or a broken document structure"
        raise Refused(f"not a readable PDF ({message})") from None


def _mentions_encrypt(path: str | Path | bytes, span: int = 1 << 20) -> bool:
    """Whether the first or last MiB of the file names an /Encrypt dictionary."""
    if isinstance(path, bytes):
        return b"/Encrypt" in path[:span] or b"/Encrypt" in path[-span:]
    with open(path, "rb") as file:
        head = file.read(span)
        file.seek(0, os.SEEK_END)
        file.seek(max(0, file.tell() - span))
        tail = file.read(span)
    return b"/Encrypt" in head or b"/Encrypt" in tail


def _page_words(page: Any, budget: int) -> list[_Word]:
    """The words of a page's text layer, reading at most `budget` characters.

    pypdfium2's helpers make one Python call per character anyway; the raw calls below skip
    their object wrapping, which matters on a page of 100,000 tiny text objects."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        height = page.get_height()
        count = min(raw.FPDFText_CountChars(textpage.raw), budget)
        words: list[_Word] = []
        chars: list[str] = []
        x0 = x1 = base = size = 0.0
        box = raw.FS_RECTF()
        ox, oy = ctypes.c_double(), ctypes.c_double()

        def flush() -> None:
            if chars:
                words.append(_Word("".join(chars), x0, x1, base, size))
                chars.clear()

        for i in range(count):
            code = raw.FPDFText_GetUnicode(textpage.raw, i)
            char = chr(code) if 32 < code < 0x110000 and not 0xD800 <= code < 0xE000 else " "
            if raw.FPDFText_IsGenerated(textpage.raw, i) or char.isspace():
                flush()
                continue
            # The loose box spans the glyph's advance: a narrow "1" does not open a gap.
            raw.FPDFText_GetLooseCharBox(textpage.raw, i, box)
            raw.FPDFText_GetCharOrigin(textpage.raw, i, ox, oy)
            char_size = raw.FPDFText_GetFontSize(textpage.raw, i) or (box.top - box.bottom)
            char_base = height - oy.value
            if chars and (
                abs(char_base - base) > 0.3 * size
                or box.left < x1 - 0.5 * size
                or box.left - x1 > 0.15 * size
            ):
                flush()  # another line, a jump backwards, or a gap: a new word
            if not chars:
                x0, base, size = box.left, char_base, max(char_size, 1.0)
            chars.append(char)
            x1 = max(box.right, x0)
        flush()
        return words
    finally:
        textpage.close()


def _layout(words: list[_Word]) -> str:
    """Words -> lines of text: grouped by baseline, sorted by x, gaps kept as 2+ spaces."""
    if not words:
        return ""
    widths = sorted((w.x1 - w.x0) / len(w.text) for w in words if w.x1 > w.x0)
    col = max(widths[len(widths) // 2] if widths else 5.0, 2.0)  # points per text column
    lines: list[list[_Word]] = []
    bases: list[float] = []
    for word in sorted(words, key=lambda w: w.base):
        if lines and abs(word.base - bases[-1]) <= 0.45 * word.size:
            lines[-1].append(word)
        else:
            lines.append([word])
            bases.append(word.base)
    out: list[str] = []
    previous: float | None = None
    for line, base in zip(lines, bases, strict=True):
        size = max(w.size for w in line)
        if previous is not None and base - previous > 2.2 * size:
            out.append("")  # a visible vertical gap: blocks stay apart
        previous = base
        text = ""
        last_x1 = None
        for word in sorted(line, key=lambda w: w.x0):
            target = round(word.x0 / col)
            if last_x1 is None:
                text = " " * min(target, 200)
            elif word.x0 - last_x1 < 0.8 * word.size:  # a space (Courier's is 0.6 em)
                text += " "
            else:
                text += " " * max(2, min(target - len(text), 200))
            text += word.text
            last_x1 = word.x1
        out.append(unicodedata.normalize("NFKC", text).rstrip())
    indent = min((len(line) - len(line.lstrip(" ")) for line in out if line), default=0)
    return "\n".join(line[indent:] for line in out).strip("\n")


def _tesseract_langs() -> str | None:
    """The OCR languages installed among ours, or None when Tesseract is missing."""
    import pytesseract

    try:
        available = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError, RuntimeError):
        return None
    langs = [lang for lang in OCR_LANGS.split("+") if lang in available]
    return "+".join(langs) if langs else None


def _ocr_page(image: Image, langs: str, dpi: float = OCR_DPI) -> list[_Word]:
    """Tesseract's words on a page image, as `_Word`s in points (one per recognised word)."""
    import pytesseract

    data = pytesseract.image_to_data(
        image,
        lang=langs,
        config=f"--psm {OCR_PSM}",
        output_type=pytesseract.Output.DICT,
        timeout=OCR_TIMEOUT_S,
    )
    to_pt = 72.0 / dpi
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, text in enumerate(data["text"]):
        if text.strip() and float(data["conf"][i]) >= 0:
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(i)
    # A scan is often tilted a little: the median slope of Tesseract's long lines, taken
    # out of every line's height on the page, keeps a label and its value far to the right
    # on one layout line.
    boxes = []
    for indexes in lines.values():
        first, last = indexes[0], indexes[-1]
        top = min(data["top"][i] for i in indexes)
        bottom = max(data["top"][i] + data["height"][i] for i in indexes)
        left = data["left"][first]
        right = data["left"][last] + data["width"][last]
        boxes.append((indexes, top, bottom, left, right))
    slopes = sorted(
        (_centre(data, ix[-1]) - _centre(data, ix[0]))
        / (data["left"][ix[-1]] - data["left"][ix[0]])
        for ix, _t, _b, left, right in boxes
        if len(ix) > 1 and right - left > 300
    )
    slope = slopes[len(slopes) // 2] if slopes else 0.0
    words: list[_Word] = []
    for indexes, top, bottom, left, right in boxes:
        # Every word of a Tesseract line gets the line's (untilted) centre and height, so a
        # descender or a capital does not split it.
        centre = ((top + bottom) / 2 - slope * (left + right) / 2) * to_pt
        size = max((bottom - top) * to_pt, 1.0)
        for i in indexes:
            x0 = data["left"][i] * to_pt
            words.append(
                _Word(data["text"][i].strip(), x0, x0 + data["width"][i] * to_pt, centre, size)
            )
    return words


def _centre(data: dict[str, list[Any]], i: int) -> float:
    return float(data["top"][i] + data["height"][i] / 2)


def render_page(page: Any, dpi: float, max_pixels: int) -> tuple[Image, float]:
    """A page as a grayscale PIL image at `dpi`, scaled down to at most `max_pixels` pixels.

    Returns the image and the DPI actually used. The size is checked before anything is
    drawn, so a page of 200 x 200 inches never allocates its full bitmap."""
    width, height = page.get_size()
    if width <= 0 or height <= 0:
        raise Refused("a PDF page has no size")
    scale = dpi / 72.0
    pixels = width * scale * height * scale
    if pixels > max_pixels:
        scale *= (max_pixels / pixels) ** 0.5 * 0.999
    if width * scale < 1 or height * scale < 1:
        raise Refused("a PDF page is too large to render within the pixel cap")
    bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
    try:
        return bitmap.to_pil(), scale * 72.0
    finally:
        bitmap.close()


def read_pdf(path: str | Path | bytes, limits: Limits | None = None) -> PdfText:
    """The text of a PDF (a path, or the file's bytes): its text layer, or OCR for pages
    without one (see the module doc).

    Reads at most `limits.max_pages` pages and `limits.max_text_chars` characters in all; OCRs
    at most `limits.max_ocr_pages` pages. Raises `Refused` for an encrypted, corrupt or empty
    PDF."""
    limits = limits or Limits()
    pdf = _open(path)
    try:
        page_count = len(pdf)
        if page_count <= 0:
            raise Refused("the PDF has no pages")
        notes: list[str] = []
        pages: list[str] = []
        scanned: list[int] = []
        budget = limits.max_text_chars
        for index in range(min(page_count, limits.max_pages)):
            if budget <= 0:
                break
            page = pdf[index]
            try:
                text = _layout(_page_words(page, budget))[:budget]
            finally:
                page.close()
            budget -= len(text)
            if sum(not c.isspace() for c in text[:4096]) < MIN_PAGE_CHARS:
                scanned.append(index)
            pages.append(text)
        if budget <= 0:
            notes.append(f"text capped at {limits.max_text_chars} characters")
        if page_count > limits.max_pages:
            notes.append(f"read {limits.max_pages} of {page_count} pages")
        has_text_layer = len(scanned) < len(pages)
        ocr_pages = _ocr_pages(pdf, pages, scanned, limits, budget, notes)
        return PdfText(tuple(pages), page_count, has_text_layer, ocr_pages, tuple(notes))
    finally:
        pdf.close()


def _ocr_pages(
    pdf: Any, pages: list[str], scanned: list[int], limits: Limits, budget: int, notes: list[str]
) -> int:
    """OCR the first `max_ocr_pages` pages without text, in place in `pages`."""
    if not scanned or limits.max_ocr_pages <= 0:
        return 0
    ready, why = ocr.available()  # one check for every reader that OCRs
    if not ready:
        notes.append(f"OCR skipped: {why}")
        return 0
    langs = _tesseract_langs()
    if langs is None:
        notes.append("OCR skipped: none of the languages eng, deu, fra, spa is installed")
        return 0
    todo = scanned[: limits.max_ocr_pages]
    if len(scanned) > len(todo):
        notes.append(f"OCR of {len(todo)} of {len(scanned)} pages without text")
    done = 0
    for index in todo:
        if budget <= 0:
            break
        page = pdf[index]
        try:
            image, dpi = render_page(page, OCR_DPI, min(limits.max_pixels, OCR_MAX_PIXELS))
        finally:
            page.close()
        try:
            words = _ocr_page(image, langs, dpi)
        except RuntimeError as exc:  # pytesseract's timeout
            notes.append(f"OCR of page {index + 1} failed: {str(exc)[:100]}")
            continue
        text = _layout(words)[:budget]
        budget -= len(text)
        pages[index] = text
        done += 1
    return done


def extract_pdf(path: str | Path | bytes, limits: Limits | None = None) -> Extraction:
    """A PDF attachment: kind "invoice" with the invoice fields when its text is an invoice,
    else kind "pdf" with `fields={"pages": n}`; `text` is the whole text read."""
    from .invoice import read_invoice

    result = read_pdf(path, limits)
    text = result.text
    notes = list(result.notes)
    if result.ocr_pages:
        notes.append(f"text of {result.ocr_pages} page(s) read by OCR")
    invoice = read_invoice(text)
    fields: dict[str, str | int | float | bool | None] = {"pages": result.page_count}
    if invoice is None:
        return Extraction(kind="pdf", fields=fields, text=text, notes=notes)
    fields.update(invoice.as_fields())
    return Extraction(kind="invoice", fields=fields, text=text, notes=notes)
