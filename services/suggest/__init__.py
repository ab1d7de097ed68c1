"""Similar and duplicate issues for people: suggestions while a draft is typed, possible
duplicates of an issue, under the same visibility rules as everything else. The scoring
engine is `services.similar` (pure); this package feeds it from the database.

    configure(model_dir=...)        where the embedding model lives (settings)
    similar_to_draft(s, actor, title, description)   -> Suggestions
    possible_duplicates(s, actor, issue_id)          -> Suggestions
    vectors.embed_issues(ids) / vectors.reindex()    the background job and the command

Embeddings are computed in the background after an issue is created or its text edited,
stored in `issue_vectors`, and read into each process's index as they appear. Without a
model, suggestions come from a lexical index instead and say so (`mode == "lexical"`).
"""

from __future__ import annotations

from . import vectors
from .search import Suggestion, Suggestions, possible_duplicates, similar_to_draft
from .state import configure, model_status, warm

__all__ = [
    "Suggestion",
    "Suggestions",
    "configure",
    "model_status",
    "possible_duplicates",
    "similar_to_draft",
    "vectors",
    "warm",
]
