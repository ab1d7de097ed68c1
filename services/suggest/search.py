"""Suggestions under the visibility rules: staff may see any issue; a reporter sees only
their own matches, plus, when someone else's issue matches strongly, a flag (never its
title, id or how many)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import hooks, similar
from ..enums import Status
from ..models import Issue, IssueVector
from ..permissions import access_issue, is_staff, load_actor
from ..schemas import Actor
from . import kept, state

SHORTLIST = 20
SHOWN = 5
MAX_DRAFT = 20_000  # of a draft's text, read for codes and stack traces
SHOW_AT = 0.2  # weaker matches are noise, not suggestions
SAME_CRASH = "same crash signature"  # the reason services.similar gives: always shown


@dataclass(frozen=True)
class Suggestion:
    id: int
    title: str
    status: Status
    score: float
    reasons: list[str]
    likely_duplicate: bool


@dataclass(frozen=True)
class Suggestions:
    items: list[Suggestion] = field(default_factory=list)
    mode: str = "model"  # "lexical": no model, the fallback answered
    hidden_match: bool = False  # a reporter: someone else's issue matches strongly
    note: str | None = None  # why the fallback answered


def similar_to_draft(s: Session, actor: Actor, title: str, description: str = "") -> Suggestions:
    """Up to five issues like a draft, best first."""
    user = load_actor(s, actor)
    title, description = title.strip()[:200], description[:MAX_DRAFT]
    if not title and not description:
        return _empty()
    query = similar.Item(None, title, description, signatures=_draft_signatures(description))
    return _search(s, user, query, exclude=set())


def possible_duplicates(s: Session, actor: Actor, issue_id: int) -> Suggestions:
    """Issues that may be the same as this one (staff: any; a reporter: their own)."""
    user = load_actor(s, actor)
    issue = access_issue(s, user, issue_id)
    signatures = frozenset(hooks.signatures_of(s, [issue.id]).get(issue.id, []))
    query = similar.Item(issue.id, issue.title, issue.description, signatures=signatures)
    if not is_staff(user):
        return _search(s, user, query, exclude={issue.id})
    since = kept.generation()
    idx = state.index(s)
    # The issue's version moves with every edit of its words (not the words themselves:
    # a kept description could be 20,000 characters).
    key = (idx, idx.applied, state.model_status()[0], issue.version, signatures)
    found = kept.get(issue.id, key)
    if found is None:
        found = _search(s, user, query, exclude={issue.id})
        kept.keep(issue.id, key, found, since)
    return found


def _search(s: Session, user: Any, query: similar.Item, exclude: set[int]) -> Suggestions:
    idx = state.index(s)
    mode, why = state.model_status()
    if idx.vectors is None:
        mode = "lexical"
    own = None if is_staff(user) else idx.own(user.id)
    if idx.vectors is not None and query.title_vec is None:
        query = _with_vectors(s, idx, query)
    ids = _shortlist(idx, query, own, exclude)
    ids |= _same_crash(s, query.signatures) - exclude
    candidates = _candidates(s, idx, ids, with_vectors=idx.vectors is not None)
    ranked = _ranked(query, candidates, own, mode)
    shown: list[Suggestion] = []
    hidden = False
    for match in ranked:
        if not isinstance(match.id, int):
            continue
        row = candidates[match.id][1]
        if own is not None and match.id not in own:
            hidden = hidden or match.likely_duplicate
            continue
        strong = match.score >= SHOW_AT or SAME_CRASH in match.reasons
        if len(shown) < SHOWN and strong:
            shown.append(
                Suggestion(
                    id=match.id,
                    title=row.title,
                    status=row.status,
                    score=round(match.score, 3),
                    reasons=list(match.reasons),
                    likely_duplicate=match.likely_duplicate,
                )
            )
    return Suggestions(items=shown, mode=mode, hidden_match=hidden, note=why)


def _ranked(
    query: similar.Item, candidates: dict[int, Any], own: set[int] | None, mode: str
) -> list[similar.Match]:
    """Every candidate scored without the model's judgement of swapped words, then the few
    that can be shown (and, for a reporter, the best of everyone's) again with it: that
    evidence is costly and only ever lowers a score."""
    items = [item for item, _ in candidates.values()]
    first = similar.rank(query, items, k=len(items), mode=mode)
    phrases = state.phrases()
    if phrases is None:
        return first
    best = [int(m.id) for m in first[:SHOWN] if m.id is not None]
    if own is not None:
        best += [int(m.id) for m in first if m.id in own][:SHOWN]
    again = {
        m.id: m
        for m in similar.rank(
            query,
            [candidates[i][0] for i in dict.fromkeys(best)],
            k=len(best),
            mode=mode,
            embedder=phrases,
        )
    }
    merged = [again.get(m.id, m) for m in first]
    return sorted(merged, key=lambda m: -m.score)


def _with_vectors(s: Session, idx: Any, query: similar.Item) -> similar.Item:
    stored = None
    if query.id is not None:
        stored = s.execute(
            select(IssueVector.title_vec, IssueVector.body_vec).where(
                IssueVector.issue_id == query.id, IssueVector.model == similar.VERSION
            )
        ).one_or_none()
    if stored is not None:
        title_vec, body_vec = state.decode(*stored)
    else:
        title_vec, body_vec = similar.embed_item(idx.model, query.title, query.body)
    return similar.Item(
        query.id, query.title, query.body, title_vec, body_vec, signatures=query.signatures
    )


def _shortlist(idx: Any, query: similar.Item, own: set[int] | None, exclude: set[int]) -> set[int]:
    """The index's best candidates: among all issues, and a reporter's own best too (so
    their own match is not crowded out by others')."""
    scopes: list[set[int] | None] = [None] if own is None else [None, own]
    found: set[int] = set()
    for allowed in scopes:
        if idx.vectors is not None and query.title_vec is not None:
            vec = similar.search_vector(query.title_vec, query.body_vec)
            hits = idx.vectors.search(vec, SHORTLIST, allowed=allowed, exclude=exclude)
        else:
            text = f"{query.title}\n{similar.prepare_body(query.body)}"
            hits = idx.lexical.search(text, SHORTLIST, allowed=allowed, exclude=exclude)
        found.update(issue_id for issue_id, _ in hits)
    return found


def _same_crash(s: Session, signatures: frozenset[str]) -> set[int]:
    """Issues sharing a crash signature are always candidates."""
    found: set[int] = set()
    for fingerprint in list(signatures)[:5]:
        ids = hooks.issue_ids("signature", fingerprint)
        if ids is not None:
            found.update(s.scalars(select(Issue.id).where(Issue.id.in_(ids)).limit(SHORTLIST)))
    return found


def _candidates(s: Session, idx: Any, ids: set[int], *, with_vectors: bool) -> dict[int, Any]:
    """The candidates as the scorer sees them, without duplicates (their originals stand
    for them); ids found gone leave the index."""
    if not ids:
        return {}
    rows = {
        r.id: r
        for r in s.execute(
            select(
                Issue.id, Issue.title, Issue.description, Issue.status, Issue.duplicate_of
            ).where(Issue.id.in_(ids))
        )
    }
    gone = ids - rows.keys()
    if gone:
        idx.forget(gone)
    rows = {i: r for i, r in rows.items() if r.duplicate_of is None}
    signatures = hooks.signatures_of(s, list(rows))
    vectors: dict[int, tuple[Any, Any]] = {}
    if with_vectors:
        for issue_id, title_vec, body_vec in s.execute(
            select(IssueVector.issue_id, IssueVector.title_vec, IssueVector.body_vec).where(
                IssueVector.issue_id.in_(list(rows)), IssueVector.model == similar.VERSION
            )
        ):
            vectors[issue_id] = state.decode(title_vec, body_vec)
    out: dict[int, Any] = {}
    for issue_id, row in rows.items():
        title_vec, body_vec = vectors.get(issue_id, (None, None))
        key = (row.title, row.description, tuple(signatures.get(issue_id, [])), title_vec is None)
        item = state.cached_item(issue_id, key)
        if item is None:
            item = similar.Item(
                issue_id,
                row.title,
                row.description,
                title_vec,
                body_vec,
                signatures=frozenset(signatures.get(issue_id, [])),
            )
            state.keep_item(issue_id, key, item)
        out[issue_id] = (item, row)
    return out


def _draft_signatures(text: str) -> frozenset[str]:
    """Crash signatures of stack traces pasted into a draft (services.intake answers)."""
    return frozenset(hooks.signatures_in(text)) if text else frozenset()


def _empty() -> Suggestions:
    mode, why = state.model_status()
    return Suggestions(mode=mode, note=why)
