"""Recording deliveries in the writer's own transaction, and handing them over after commit.

A flush that adds an activity row (every change users see writes one) or finishes an
attachment's analysis adds a pending delivery for each endpoint that wants that event, in
the same transaction; so a commit cannot happen without them and a crash right after it loses
nothing: `sweep` hands over whatever is still pending. The core writes do not know this.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, event, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from ..db import begin_write, session
from ..enums import Verb
from ..models import Activity, utcnow
from . import dispatch
from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

_QUEUED = "tracker_webhooks_queued"
_SEEN = "tracker_webhooks_seen"
SWEEP_AFTER = dt.timedelta(minutes=1)  # a hand-over normally happens at once
KEEP = dt.timedelta(days=30)  # finished deliveries (and their attempts) are kept this long

EVENT_OF_VERB = {
    Verb.CREATED: "issue.created",
    Verb.EDITED: "issue.updated",
    Verb.TAGS: "issue.updated",
    Verb.ASSIGNED: "issue.updated",
    Verb.ATTACHED: "issue.updated",
    Verb.STATUS: "issue.status_changed",
    Verb.COMMENTED: "issue.commented",
}


_ENDPOINTS = select(WebhookEndpoint.id, WebhookEndpoint.events)  # built once: every write reads it


def _before_flush(s: Session, _context: Any, _instances: Any) -> None:
    wanted = _events_in(s)
    if not wanted:
        return
    seen: set[tuple[str, int]] = s.info.setdefault(_SEEN, set())
    wanted = [w for w in wanted if w not in seen]
    if not wanted:
        return
    with s.no_autoflush:
        endpoints = s.execute(_ENDPOINTS).all()
    now = utcnow()
    added = []
    for name, issue_id in wanted:
        seen.add((name, issue_id))
        for endpoint_id, events in endpoints:
            if name in (events or []):
                row = WebhookDelivery(
                    endpoint_id=endpoint_id,
                    event=name,
                    issue_id=issue_id,
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    error="",
                )
                s.add(row)
                added.append(row)
    if added:
        s.info.setdefault(_QUEUED, []).extend(added)


def _events_in(s: Session) -> list[tuple[str, int]]:
    """(event, issue id) for what this flush writes, in order, without repeats."""
    found: list[tuple[str, int]] = []
    for obj in list(s.new):
        if isinstance(obj, Activity):
            name = EVENT_OF_VERB.get(Verb(obj.verb))
            if name and obj.issue_id is not None:
                found.append((name, obj.issue_id))
    for obj in list(s.dirty):
        if _analysed(obj):
            found.append(("attachment.analysed", obj.issue_id))
    return list(dict.fromkeys(found))


def _analysed(obj: object) -> bool:
    """An attachment's analysis that has just finished (done, failed or skipped)."""
    from ..intake.models import Analysis, AnalysisStatus, Source

    if not isinstance(obj, Analysis) or obj.source != Source.ATTACHMENT:
        return False
    added = list(sa_inspect(obj).attrs.status.history.added or ())
    return bool(added) and added[-1] != AnalysisStatus.PENDING


def _after_commit(s: Session) -> None:
    rows = s.info.pop(_QUEUED, [])
    s.info.pop(_SEEN, None)
    # The identity, not `row.id`: nothing may load from the database in this hook.
    ids: list[int] = []
    for row in rows:
        key: tuple[Any, ...] | None = sa_inspect(row).identity
        if key:
            ids.append(int(key[0]))
    dispatch.submit(ids)


def _after_rollback(s: Session) -> None:
    s.info.pop(_QUEUED, None)
    s.info.pop(_SEEN, None)


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)


def sweep() -> int:
    """Hand over again every delivery still pending past its time, and forget finished ones
    older than KEEP (scheduled). Returns how many were handed over."""
    now = utcnow()
    _forget_old(now - KEEP)
    with session() as s:
        ids = list(
            s.scalars(
                select(WebhookDelivery.id)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(
                    WebhookDelivery.status == DeliveryStatus.PENDING,
                    WebhookDelivery.next_attempt_at < now - SWEEP_AFTER,
                    or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                    WebhookEndpoint.paused.is_(False),
                )
                .order_by(WebhookDelivery.id)
                .limit(1000)
            )
        )
    dispatch.submit(ids)
    return len(ids)


def _forget_old(before: dt.datetime) -> None:
    with session() as s:
        old = select(WebhookDelivery.id).where(
            WebhookDelivery.status != DeliveryStatus.PENDING, WebhookDelivery.created_at < before
        )
        ids = list(s.scalars(old.limit(5000)))
        if not ids:
            return
        begin_write(s)
        s.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
        s.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
        s.commit()
