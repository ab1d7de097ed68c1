"""Recording the need to analyse, in the writer's own transaction, and handing it to the
queue after the commit. A row that never reached a worker (the process died in between, Redis
was down) is picked up by `sweep`; `reprocess` re-reads files after an upgrade."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Select, event, func, or_, select
from sqlalchemy.orm import Session

from .. import hooks
from ..db import begin_write, session
from ..models import Attachment, Comment, Issue, utcnow
from . import dispatch
from .models import Analysis, AnalysisStatus, Source
from .pipeline import INLINE_CHARS, analyse_now

log = logging.getLogger(__name__)

_QUEUED = "tracker_intake_queued"
Q = TypeVar("Q", bound=Select)
STUCK_AFTER = dt.timedelta(minutes=10)  # longer than any job may run (dispatch.JOB_TIMEOUT)
KINDS = {  # `tracker intake reprocess --kind K`: the attachments it means
    "pdf": ("application/pdf",),
    "image": ("image/png", "image/jpeg", "image/gif", "image/webp"),
    "zip": ("application/zip",),
    "text": ("text/plain",),
}


def needs_analysis(s: Session, written: hooks.Written) -> None:
    """The hook: an analysis for what was just written (in the same transaction): done at
    once for a short text, otherwise pending and handed to the queue after the commit."""
    if written.what not in {k.value for k in Source}:
        return  # not something the intake reads (an issue's title, for similarity)
    source = Source(written.what)
    row = None
    if not written.new:
        query = select(Analysis).where(
            Analysis.source == source, Analysis.source_id == written.source_id
        )
        row = s.scalar(query)
    if row is None:
        row = Analysis(
            issue_id=written.issue_id,
            source=source,
            source_id=written.source_id,
            attachment_id=written.source_id if source == Source.ATTACHMENT else None,
            comment_id=written.source_id if source == Source.COMMENT else None,
            status=AnalysisStatus.PENDING,
            attempts=0,
            created_at=utcnow(),
        )
        s.add(row)
    text = _short_text(s, source, written.source_id)
    if text is not None:
        analyse_now(s, row, text)
        return
    row.status = AnalysisStatus.PENDING
    s.flush()  # its id, for the queue
    s.info.setdefault(_QUEUED, []).append(row.id)


def _short_text(s: Session, source: Source, source_id: int) -> str | None:
    """A description's or comment's text when it is short enough to read at once."""
    if source == Source.ATTACHMENT:
        return None
    owner = s.get(Issue, source_id) if source == Source.DESCRIPTION else s.get(Comment, source_id)
    if owner is None:
        return None
    text = owner.description if isinstance(owner, Issue) else owner.body
    return text if len(text) <= INLINE_CHARS else None


def _after_commit(s: Session) -> None:
    dispatch.submit(s.info.pop(_QUEUED, []))


def _after_rollback(s: Session) -> None:
    s.info.pop(_QUEUED, None)


hooks.on_write(needs_analysis)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)


def sweep() -> int:
    """Hand over again every analysis still pending after a while (scheduled). Returns how
    many."""
    cutoff = utcnow() - STUCK_AFTER
    with session() as s:
        ids = list(
            s.scalars(
                select(Analysis.id).where(
                    Analysis.status == AnalysisStatus.PENDING,
                    or_(Analysis.started_at < cutoff, Analysis.started_at.is_(None)),
                    Analysis.created_at < utcnow() - dt.timedelta(minutes=2),
                )
            )
        )
    dispatch.submit(ids)
    return len(ids)


def reprocess(
    *,
    since: dt.date | None = None,
    kind: str | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Analyse old attachments again (after an upgrade: only those whose extractor version
    changed do any work), creating the analyses missing for files from before the intake.
    Runs here, one file after another; returns how many were looked at."""
    from .pipeline import run_analysis

    _add_missing(since)
    with session() as s:
        ids = list(s.scalars(_selected(select(Analysis.id), since, kind).order_by(Analysis.id)))
    for analysis_id in ids:
        run_analysis(analysis_id)
        if progress:
            progress(1)
    return len(ids)


def count_attachments(*, since: dt.date | None = None, kind: str | None = None) -> int:
    """How many attachments `reprocess` with these options looks at (for a progress bar)."""
    with session() as s:
        query = select(func.count(Attachment.id)).outerjoin(
            Analysis, Analysis.attachment_id == Attachment.id
        )
        return s.scalar(_selected(query, since, kind, joined=False)) or 0


def _selected(query: Q, since: dt.date | None, kind: str | None, *, joined: bool = True) -> Q:
    if joined:
        query = query.join(Attachment, Attachment.id == Analysis.attachment_id)
    if since is not None:
        query = query.where(
            Attachment.created_at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        )
    if kind == "invoice":
        return query.where(Analysis.kind == "invoice")
    if kind is not None:
        return query.where(Attachment.content_type.in_(KINDS[kind]))
    return query


def _add_missing(since: dt.date | None) -> None:
    with session() as s:
        query = (
            select(Attachment.id, Attachment.issue_id)
            .outerjoin(Analysis, Analysis.attachment_id == Attachment.id)
            .where(Analysis.id.is_(None))
        )
        if since is not None:
            query = query.where(
                Attachment.created_at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
            )
        missing = s.execute(query).all()
        if not missing:
            return
        begin_write(s)
        for attachment_id, issue_id in missing:
            s.add(
                Analysis(
                    issue_id=issue_id,
                    source=Source.ATTACHMENT,
                    source_id=attachment_id,
                    attachment_id=attachment_id,
                    status=AnalysisStatus.PENDING,
                    created_at=utcnow(),
                )
            )
        s.commit()  # no queue hand-over: reprocess runs them itself
