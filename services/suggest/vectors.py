"""Issue embeddings, computed in the background: after an issue is created or its title or
description changes (the RQ queue `tracker-intake` with Redis, one thread here without), and
for every issue by `tracker intake reindex`. A vector is recomputed only when its text or
the model changed, so running either twice does nothing the second time."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from .. import hooks, similar
from ..background import LocalPool, queue
from ..db import runtime, session
from ..models import Issue, IssueVector, utcnow
from . import state

log = logging.getLogger(__name__)

QUEUE = "tracker-intake"  # `tracker worker` serves it with the file analyses
JOB = "services.suggest.vectors.embed_issues"
BATCH = 64
enabled = True  # tests switch the hand-over off and run the job themselves
_QUEUED = "tracker_suggest_queued"
_local = LocalPool("tracker-embed")


def text_key(title: str, description: str) -> str:
    data = f"{similar.VERSION}\0{title}\0{description}".encode()
    return hashlib.sha256(data).hexdigest()


def embed_issues(issue_ids: Iterable[int] | None = None) -> int:
    """Compute and store the vectors of these issues (None: every issue) whose text or model
    changed. Returns how many were computed; 0 without a model."""
    model = state.embedder()
    if model is None:
        return 0
    ids = None if issue_ids is None else list(issue_ids)
    done = 0
    for start in range(0, len(ids), BATCH) if ids is not None else [0]:
        chunk = ids[start : start + BATCH] if ids is not None else None
        done += _embed_chunk(model, chunk)
    return done


def reindex(progress: Callable[[int], object] | None = None) -> int:
    """Every issue's vector brought up to date, in batches (the command's progress bar
    advances per issue). Returns how many were computed."""
    with session() as s:
        ids = list(s.scalars(select(Issue.id).order_by(Issue.id)))
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        done += embed_issues(chunk)
        if progress:
            progress(len(chunk))
    return done


def count_issues() -> int:
    with session() as s:
        return s.scalar(select(func.count()).select_from(Issue)) or 0


def _embed_chunk(model: Any, ids: list[int] | None) -> int:
    with session() as s:
        query = select(Issue.id, Issue.title, Issue.description, IssueVector.text_sha256).outerjoin(
            IssueVector, IssueVector.issue_id == Issue.id
        )
        if ids is not None:
            query = query.where(Issue.id.in_(ids))
        rows = [
            (i, t, d, key)
            for i, t, d, stored in s.execute(query)
            if stored != (key := text_key(t, d))
        ]
        if not rows:
            return 0
        vecs = similar.embed_items(model, [(t, d) for _, t, d, _ in rows])
        now = utcnow()
        for (issue_id, _, _, key), (title_vec, body_vec) in zip(rows, vecs, strict=True):
            s.merge(
                IssueVector(
                    issue_id=issue_id,
                    model=similar.VERSION,
                    text_sha256=key,
                    title_vec=similar.to_bytes(title_vec),
                    body_vec=similar.to_bytes(body_vec) if body_vec is not None else None,
                    updated_at=now,
                )
            )
        s.commit()
        return len(rows)


# --- after a commit: hand the written issues over -------------------------------------------


def _note(s: Session, written: hooks.Written) -> None:
    if written.what == "issue":
        s.info.setdefault(_QUEUED, set()).add(written.issue_id)


def _after_commit(s: Session) -> None:
    ids = s.info.pop(_QUEUED, None)
    if ids and enabled:
        submit(sorted(ids))


def _after_rollback(s: Session) -> None:
    s.info.pop(_QUEUED, None)


def submit(issue_ids: list[int]) -> None:
    """Queue an embedding job; a failure is only logged (`reindex` catches up)."""
    try:
        redis_url = runtime().redis_url
        if redis_url:
            queue(QUEUE, redis_url).enqueue(
                JOB, issue_ids, job_timeout=300, result_ttl=3600, failure_ttl=7 * 86400
            )
        else:
            _local.submit(embed_issues, issue_ids)
    except Exception as e:
        log.warning("could not queue embeddings for %s (%s)", issue_ids, e)


def wait_idle(timeout: float = 60.0) -> bool:
    """For tests: wait until the in-process embedding thread has nothing left to do."""
    return _local.wait_idle(timeout)


hooks.on_write(_note)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)
