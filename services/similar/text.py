"""What of an issue is embedded: the title, and the description made readable prose.

    prepare_title(title) -> str
    prepare_body(body) -> str        Markdown, links, stack frames and log noise taken out
    embed_item(embedder, title, body) -> (title_vec, body_vec or None)
    TEXT_VERSION                     changes whenever what is embedded changes

A description's stack trace is kept to its exception line ("KeyError: 4411"): the frames say
nothing a sentence model understands, and the crash itself is compared through its
signature (the intake's fingerprint). The model reads at most 256 word pieces, so a body is
cut at about 1,500 characters, at a word boundary.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

TEXT_VERSION = "1"
MAX_BODY_CHARS = 1500

_FENCE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"\bhttps?://\S+")
_FRAME = re.compile(
    r"^\s*(?:at\s+\S|File\s+\"|\d+\s+\S+\s+\S+|#\d+\s|Traceback \(most recent call last\)|"
    r"\.\.\.\s*\d+\s+more|goroutine\s+\d+|\S+\.(?:py|java|kt|js|ts|tsx|go|cs|swift|rb):\d+)",
)
_CODE_LINE = re.compile(r"^\s{4,}\S")  # an indented code line (frames' source lines)
_MARKUP = re.compile(r"[*_`>#|]+")
_SPACE = re.compile(r"\s+")


class _Embedder(Protocol):
    def embed(self, texts: list[str], *, batch_size: int = ...) -> np.ndarray: ...


def prepare_title(title: str) -> str:
    return _SPACE.sub(" ", title or "").strip()


def prepare_body(body: str) -> str:
    """The description as prose: fenced code kept only when it is short, images by their alt
    text, links by their text, stack frames dropped (the exception line stays)."""
    if not body:
        return ""
    text = _FENCE.sub(lambda m: m.group(0) if len(m.group(0)) < 200 else " ", body)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    lines = [
        line for line in text.splitlines() if not (_FRAME.match(line) or _CODE_LINE.match(line))
    ]
    text = _SPACE.sub(" ", _MARKUP.sub(" ", " ".join(lines))).strip()
    if len(text) > MAX_BODY_CHARS:
        cut = text.rfind(" ", 0, MAX_BODY_CHARS)
        text = text[: cut if cut > 0 else MAX_BODY_CHARS]
    return text


def embed_item(
    embedder: _Embedder, title: str, body: str = ""
) -> tuple[np.ndarray, np.ndarray | None]:
    """The title's vector and the description's (None when there is none to embed)."""
    t, b = prepare_title(title), prepare_body(body)
    if not b:
        return embedder.embed([t])[0], None
    vecs = embedder.embed([t, b])
    return vecs[0], vecs[1]


def embed_items(
    embedder: _Embedder, items: list[tuple[str, str]], *, batch_size: int = 32
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """`embed_item` for many (title, body) pairs at once (the background job's batch)."""
    titles = [prepare_title(t) for t, _ in items]
    bodies = [prepare_body(b) for _, b in items]
    with_body = [i for i, b in enumerate(bodies) if b]
    vecs = embedder.embed(titles + [bodies[i] for i in with_body], batch_size=batch_size)
    body_vecs: dict[int, np.ndarray] = {i: vecs[len(titles) + n] for n, i in enumerate(with_body)}
    return [(vecs[i], body_vecs.get(i)) for i in range(len(items))]
