"""Text in images, through Debian's Tesseract when it is installed.

`read_text` prepares the picture (ocr_prepare: greyscale, dark mode inverted, small text
upscaled, buttons and code blocks made dark-on-light), then reads it twice: with Tesseract's
page layout (lines in reading order) and as sparse text, which finds the words the layout
analysis skips (labels in bordered boxes, lone cells); a word of the second reading is kept
where the first found nothing. A picture dense with text (the first reading took 8 s or
more) is read once, and the readings share a 30-second budget (Tesseract's timeout).

OCR loses what search needs most in screenshots: identifiers. Underscores vanish
(`ERR_CONNECTION_REFUSED` read as `ERR CONNECTION REFUSED`), monospace words split
(`ERR_CONNECT ION_REFUSED`), and digits turn into letters (`0x0000` as `OxO000`). So the text
ends with one more line of variants, each also kept as read above: words joined where
the picture shows an underscore in the gap between them, words joined where their gap is
narrower than a space, and tokens with digits re-read with O/o as 0 and l/I/| as 1. Search
finds the identifier either way; the variants line only adds words.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

VERSION = "1"
# Tesseract's time grows with the words on the picture (~9 ms a word here), not its pixels:
# a full 1440p screen of code is ~1,500 words, 13 s a reading. The sandbox gives a file 60 s.
BUDGET_SECONDS = 30  # both readings of one picture; the first is stopped at this
SPARSE_IF_UNDER = 8  # the second reading runs only when the first took less than this
UNDERSCORE_INK = 215  # grey levels below this count as a stroke in an underscore test
MIN_CONFIDENCE = 50  # a word of the sparse reading is kept from this confidence (0-100)
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
_HEX = re.compile(r"[0Oo][xX][0-9A-Fa-fOoIl]{2,32}")
_TRIM = "\"'`()[]{}<>,;:!?"


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    line: tuple[int, int, int]  # Tesseract's block, paragraph and line numbers
    confidence: float


def available() -> tuple[bool, str]:
    """(True, "Tesseract 5.3.0") when OCR can run, else (False, the reason)."""
    try:
        import pytesseract
    except ImportError:
        return False, "pytesseract is not installed"
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return False, "Tesseract is not installed"
    try:
        return True, f"Tesseract {pytesseract.get_tesseract_version()}"
    except (pytesseract.TesseractNotFoundError, OSError) as e:
        return False, f"Tesseract does not run: {e}"


def read_text(
    image: Image, *, langs: str = "eng", prepare: bool = True, variants: bool = True
) -> str:
    """The text in a picture, lines in reading order, then a line of joined and re-read
    variants of split identifiers (see the module's doc). `prepare=False` gives Tesseract
    the picture as it is and returns its plain reading (the bench's baseline);
    `variants=False` leaves the variants line out (the bench measures what it adds)."""
    import pytesseract

    # Debian's Tesseract uses OpenMP; one thread is ~3x faster on a shared, busy machine.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if not prepare:
        text: str = pytesseract.image_to_string(image, lang=langs, timeout=BUDGET_SECONDS)
        return text.strip()
    from .ocr_prepare import prepare as prepare_image

    prepared, _ = prepare_image(image)
    started = time.monotonic()
    layout = _words(prepared, langs, psm=3, timeout=BUDGET_SECONDS)
    spent = time.monotonic() - started
    sparse = []
    if spent < SPARSE_IF_UNDER:
        try:
            sparse = _words(prepared, langs, psm=11, timeout=BUDGET_SECONDS - spent)
        except RuntimeError:  # out of time: the layout reading stands alone
            sparse = []
    extra = [
        w
        for w in sparse
        if w.confidence >= MIN_CONFIDENCE and not any(_overlap(w, v) for v in layout)
    ]
    text = "\n".join(_lines(layout) + _lines(extra))
    if not variants:
        return text
    seen = set(text.split())
    added = [v for v in _joined(layout, prepared) + _digit_variants(text) if v not in seen]
    added = list(dict.fromkeys(added))
    return f"{text}\n{' '.join(added)}" if added else text


def _words(image: Image, langs: str, psm: int, timeout: float) -> list[Word]:
    import pytesseract

    data = pytesseract.image_to_data(
        image,
        lang=langs,
        config=f"--psm {psm}",
        output_type=pytesseract.Output.DICT,
        timeout=timeout,
    )
    words = []
    for i, text in enumerate(data["text"]):
        if text.strip():
            words.append(
                Word(
                    text.strip(),
                    int(data["left"][i]),
                    int(data["top"][i]),
                    int(data["width"][i]),
                    int(data["height"][i]),
                    (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i])),
                    float(data["conf"][i]),
                )
            )
    return words


def _overlap(a: Word, b: Word) -> bool:
    return (
        a.left < b.left + b.width
        and b.left < a.left + a.width
        and a.top < b.top + b.height
        and b.top < a.top + a.height
    )


def _lines(words: list[Word]) -> list[str]:
    lines: dict[tuple[int, int, int], list[str]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w.text)
    return [" ".join(parts) for parts in lines.values()]


def _joined(words: list[Word], image: Image) -> list[str]:
    """Runs of words of one line that the picture shows as one token: an underscore in the
    gap, or a gap narrower than a space."""
    found = []
    chain = ""
    for a, b in itertools.pairwise(words):
        glue = _glue(a, b, image, words) if a.line == b.line else None
        if glue is None:
            if chain:
                found.append(chain)
            chain = ""
            continue
        chain = (chain or a.text) + glue + b.text
    if chain:
        found.append(chain)
    return [c.strip(_TRIM) for c in found]


def _glue(a: Word, b: Word, image: Image, words: list[Word]) -> str | None:
    gap = b.left - (a.left + a.width)
    char = (a.width + b.width) / max(1, len(a.text) + len(b.text))
    if gap < 0 or gap > 2 * char:
        return None
    if not (_wordlike(a.text) and _wordlike(b.text)):
        return None  # a table rule or a stray mark read as a letter
    if gap < 0.3 * char:
        return ""  # a split inside a word: no room for a space
    if a.text.endswith("_") or b.text.startswith("_"):
        return ""
    return "_" if _underscore(a, b, image, words) else None


def _wordlike(text: str) -> bool:
    return sum(c.isalnum() for c in text) >= 2


def _underscore(a: Word, b: Word, image: Image, words: list[Word]) -> bool:
    """A horizontal stroke across most of the gap, near the bottom of the words, that does
    not go on under the words themselves (that would be an underlined link)."""
    height = max(a.height, b.height)
    bottom = max(a.top + a.height, b.top + b.height)
    top = bottom - max(2, height // 3)
    below = bottom + max(2, height // 3)  # an underscore may sit under the word's box
    for w in words:  # ...but not as low as the next line's letters
        if w.top > bottom - height // 2 and w.left < b.left + b.width and a.left < w.left + w.width:
            below = min(below, w.top - 1)
    if b.left - (a.left + a.width) < 1 or below <= top:
        return False
    in_gap = _ink_rows(image.crop((a.left + a.width, top, b.left, below)))
    under_word = _ink_rows(image.crop((a.left, top, a.left + a.width, below)))
    return max(in_gap) >= 0.7 * 255 and max(under_word) < 0.95 * 255


def _ink_rows(crop: Image) -> bytes:
    """Per row of a crop, the share of ink pixels (0-255)."""
    from PIL import Image as PILImage

    # Lighter than the text's ink: a 1px underscore upscaled is a pale grey line.
    ink = crop.point(lambda v: 255 if v < UNDERSCORE_INK else 0)
    return ink.resize((1, ink.height), PILImage.Resampling.BOX).tobytes()


def _digit_variants(text: str) -> list[str]:
    """Tokens with digits in which O/o or l/I/| sit next to a digit (or in a 0x prefix),
    re-read as digits: `4ls` -> `41s`, `OxO0007FF6` -> `0x00007FF6`."""
    variants = []
    for raw in text.split():
        token = raw.strip(_TRIM + ".")
        if not any(c.isdigit() for c in token) or len(token) > 64:
            continue
        chars = list(token)
        for i, c in enumerate(token):
            near = token[max(0, i - 1) : i] + token[i + 1 : i + 2]
            if c in "OolI|" and any(n.isdigit() for n in near):
                chars[i] = c.translate(_DIGIT_LOOKALIKES)
        fixed = "".join(chars)
        hexed = _HEX.fullmatch(fixed)
        if hexed:
            fixed = "0x" + fixed[2:].translate(_DIGIT_LOOKALIKES)
        if fixed != token:
            variants.append(fixed)
    return variants
