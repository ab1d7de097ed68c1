"""Scoring shared by tests/intake and `python -m bench quality-images`.

OCR is scored by word recall: the label's words (the rendered text split on white space,
punctuation trimmed from both ends, words of one character or without a letter or digit
dropped) found among the OCR text's words, compared without case, as the tracker's search
compares them.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent
SPLITS = ("train", "heldout")
_TRIM = "\"'`()[]{}<>,.;:!?\u2026\u201c\u201d\u2018\u2019"


def words(text: str) -> list[str]:
    """The words of a text as the scoring compares them (lower case, edges trimmed)."""
    found = []
    for raw in text.split():
        word = raw.strip(_TRIM).lower()
        if len(word) >= 2 and any(c.isalnum() for c in word):
            found.append(word)
    return found


def recall(expected: str, read: str) -> tuple[int, int]:
    """(label words found in `read`, label words): each distinct word counts once."""
    wanted = set(words(expected))
    return len(wanted & set(words(read))), len(wanted)


def labels(kind: str, split: str) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads(
        (CORPUS / kind / split / "labels.json").read_text()
    )
    return data


def has_location(data: bytes) -> bool:
    """Whether a picture still holds a position, judged without the extractor: Pillow's and
    piexif's reading of its EXIF, and any XMP GPS coordinate anywhere in the file."""
    import piexif
    from PIL import Image

    if Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825):
        return True
    if data[:2] == b"\xff\xd8" and b"Exif\x00\x00" in data and piexif.load(data).get("GPS"):
        return True
    return b"GPSLatitude" in data or b"GPSLongitude" in data


def metadata_free(thumbnail: bytes) -> bool:
    from PIL import Image

    image = Image.open(io.BytesIO(thumbnail))
    image.load()
    chunks = (b"Exif", b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"http://ns.adobe.com", b"ICC_PROFILE")
    return not image.getexif() and not any(c in thumbnail for c in chunks)


def upright(thumbnail: bytes) -> bool:
    """The corpus photos' red square is in the thumbnail's top-left corner."""
    from PIL import Image

    image = Image.open(io.BytesIO(thumbnail)).convert("RGB")
    red, green, _ = image.getpixel((round(image.width * 0.07), round(image.height * 0.07)))
    return bool(red > 170 and green < 90)


def same_image_data(original: bytes, cleaned: bytes) -> bool:
    """JPEG: the bytes from the start of scan on, and the decoded pixels, are identical."""
    from PIL import Image

    scan = original.find(b"\xff\xda")
    if scan < 0 or original[scan:] != cleaned[cleaned.find(b"\xff\xda") :]:
        return False
    return Image.open(io.BytesIO(original)).tobytes() == Image.open(io.BytesIO(cleaned)).tobytes()


def occurrences(text: str, value: str) -> list[tuple[int, int]]:
    spans, at = [], text.find(value)
    while at >= 0:
        spans.append((at, at + len(value)))
        at = text.find(value, at + 1)
    return spans


@dataclass
class SecretScore:
    """One text's result: per labelled secret (kind, masked, masked under its own kind),
    the hits that overlap no labelled value, and the `keep` look-alikes a hit touched."""

    secrets: list[tuple[str, bool, bool]]
    false_positives: list[tuple[str, int, int]]
    keep_broken: list[str]


def score_secrets(
    text: str, label: dict[str, Any], hits: list[tuple[str, int, int]]
) -> SecretScore:
    """A secret is masked when every character of every occurrence of its value lies in a
    hit; its kind is right when a hit covering a whole occurrence has the labelled kind."""

    def overlaps(hit: tuple[str, int, int], span: tuple[int, int]) -> bool:
        return hit[1] < span[1] and span[0] < hit[2]

    results = []
    wanted = []
    for secret in label["secrets"]:
        spans = occurrences(text, secret["value"])
        wanted += spans
        masked = all(
            any(h[1] <= i < h[2] for h in hits) for start, end in spans for i in range(start, end)
        )
        kinds = {h[0] for h in hits for s, e in spans if h[1] <= s and e <= h[2]}
        results.append((secret["kind"], masked, secret["kind"] in kinds))
    false = [h for h in hits if not any(overlaps(h, span) for span in wanted)]
    broken = [
        k
        for k in label.get("keep", [])
        for span in occurrences(text, k)
        if any(overlaps(h, span) for h in hits)
    ]
    return SecretScore(results, false, sorted(set(broken)))
