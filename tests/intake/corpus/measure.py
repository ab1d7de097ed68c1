"""Scoring shared by tests/intake and `python -m bench quality-images`.

OCR is scored by word recall: the label's words (the rendered text split on white space,
punctuation trimmed from both ends, words of one character or without a letter or digit
dropped) found among the OCR text's words, compared without case, as the tracker's search
compares them.
"""

from __future__ import annotations

import json
from pathlib import Path

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
