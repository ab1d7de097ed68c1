"""The daily digest: once a day (after `digest_hour` UTC), each user who chose it gets one
mail with every notification since their last digest, about issues they may still see."""

from __future__ import annotations

import datetime as dt
import logging
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import begin_write, session
from ..jobs import run_recorded
from ..models import Issue, User, utcnow
from ..permissions import can_view_issue
from . import compose, config, outbox
from .models import EmailMode, MailOutbox, MailState, Notification, NotificationPrefs, OutboxStatus

log = logging.getLogger(__name__)


def send_digests(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The job (scheduled every few minutes; idempotent: one digest per user per day).
    Without mail configured it does nothing, and records nothing."""
    if not config.config.enabled:
        return {"digests": 0}
    return run_recorded("mail-digest", lambda s: _digests(s, now or utcnow()))


def _digests(s: Session, now: dt.datetime) -> dict[str, int]:
    if not config.config.enabled or now.hour < config.config.digest_hour:
        return {"digests": 0}
    today = dt.datetime.combine(now.date(), dt.time(), tzinfo=dt.UTC)
    due = list(
        s.scalars(
            select(NotificationPrefs.user_id).where(
                NotificationPrefs.email == EmailMode.DIGEST,
                (NotificationPrefs.last_digest_at.is_(None))
                | (NotificationPrefs.last_digest_at < today),
            )
        )
    )
    s.rollback()
    made = 0
    for user_id in due:
        with session() as one:
            row = _digest_for(one, user_id, now)
        if row is not None:
            made += 1
            try:
                outbox.deliver(row)
            except Exception:  # recorded; the row stays ready and the sweep retries it
                log.warning("digest mail %s not sent yet", row)
    return {"digests": made}


def _digest_for(s: Session, user_id: int, now: dt.datetime) -> int | None:
    begin_write(s)
    prefs = s.get(NotificationPrefs, user_id)
    user = s.get(User, user_id)
    if prefs is None or user is None or prefs.email != EmailMode.DIGEST:
        s.rollback()
        return None
    prefs.last_digest_at = now
    notes = list(
        s.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.mail == MailState.DIGEST)
            .order_by(Notification.issue_id, Notification.id)
        )
    )
    sections = []
    for issue_id, group in groupby(notes, key=lambda n: n.issue_id):
        items = list(group)
        for note in items:
            note.mail = MailState.SENT
        issue = s.get(Issue, issue_id)
        if issue is not None and user.is_active and can_view_issue(user, issue):
            sections.append(outbox._section(s, issue, items))
    if not sections:
        s.commit()
        return None
    rendered = compose.digest(sections, config.config.link(outbox.SETTINGS_PATH))
    row = MailOutbox(kind="digest", user_id=user_id, status=OutboxStatus.READY, created_at=now)
    outbox._fill(row, user, rendered)
    s.add(row)
    s.flush()
    row_id = row.id
    s.commit()
    return row_id
