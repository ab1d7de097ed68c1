"""Similar and duplicate issues: the pure engine (no database, no settings, nothing else of
`services`; an import-linter contract keeps it so). Heavy libraries (numpy, onnxruntime,
tokenizers) are imported inside the functions that need them.

How the integrator uses it:

    embedder = load_model(settings.similarity_model_dir)      # ModelUnavailable: no model
    title_vec, body_vec = embed_item(embedder, title, body)   # store to_bytes(...) + VERSION
    index = VectorIndex(DIMENSION)                            # at start: from stored vectors
    index.add(issue_id, search_vector(title_vec, body_vec))
    shortlist = index.search(search_vector(q_title, q_body), 20, allowed=visible_ids)
    matches = rank(Item(None, title, body, q_title, q_body, signatures), candidates, k=5,
                   embedder=embedder)                         # Match(id, score, reasons,
                                                              #       likely_duplicate)

Without a model: `LexicalIndex` for the shortlist and `rank` with items that carry no vectors
(mode "lexical", weights of its own); say so in the UI.

Modules:
    model    the ONNX model directory: load_model, Embedder.embed, prepare_model
    text     what is embedded (title; description without Markdown and stack frames)
    index    VectorIndex (numpy, exact cosine top-k, allowed-ids filter), to_bytes/from_bytes
    lexical  the fallback: normalised terms, trigrams, LexicalIndex
    facets   error codes (extract_codes) and the facets whose difference splits two issues
    score    Item, rank, Match, LIKELY_DUPLICATE: the re-ranker and its reasons

VERSION names the model and the text preparation: a stored vector whose version differs
must be recomputed.
"""

from __future__ import annotations

from .facets import extract_codes
from .index import VectorIndex, from_bytes, to_bytes
from .lexical import LexicalIndex
from .model import (
    DIMENSION,
    MODEL_ID,
    Embedder,
    ModelUnavailable,
    default_model_dir,
    load_model,
    prepare_model,
)
from .score import Candidate, Item, Match, Phrases, rank, search_vector, threshold
from .text import TEXT_VERSION, embed_item, embed_items, prepare_body, prepare_title

VERSION = f"{MODEL_ID}/text-{TEXT_VERSION}"


def __getattr__(name: str) -> float:
    # LIKELY_DUPLICATE reads the fitted weights on first use, not at import.
    if name == "LIKELY_DUPLICATE":
        return threshold("model")
    if name == "LIKELY_DUPLICATE_LEXICAL":
        return threshold("lexical")
    raise AttributeError(name)


__all__ = [
    "DIMENSION",
    "MODEL_ID",
    "VERSION",
    "Candidate",
    "Embedder",
    "Item",
    "LexicalIndex",
    "Match",
    "ModelUnavailable",
    "Phrases",
    "VectorIndex",
    "default_model_dir",
    "embed_item",
    "embed_items",
    "extract_codes",
    "from_bytes",
    "load_model",
    "prepare_body",
    "prepare_model",
    "prepare_title",
    "rank",
    "search_vector",
    "threshold",
    "to_bytes",
]
