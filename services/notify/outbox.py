"""The outbox: mail collected in the writer's transaction, rendered when its burst is over
(with what the recipient may still see), sent by a background job, retried, recorded.

A row moves pending (collecting a burst) -> ready (rendered) -> sent; or skipped (nothing
left to tell) or failed (gave up after MAX_ATTEMPTS, `error` says why)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from ..db import begin_write, session
from ..jobs import run_recorded
from ..models import Issue, User, utcnow
from ..permissions import can_view_issue
from . import compose, config, dispatch, smtp, unsubscribe
from .models import EmailMode, MailOutbox, MailState, Notification, OutboxStatus
from .rules import prefs_of, sentence

log = logging.getLogger(__name__)

_QUEUED = "tracker_mail_queued"
_BURSTS = "tracker_mail_bursts"
MAX_ATTEMPTS = 6
RETRY_MINUTES = (1, 5, 15, 60, 240)  # before the sweep tries a failed send again
STUCK_AFTER = dt.timedelta(minutes=10)
SETTINGS_PATH = "/account"


def collect(s: Session, user_id: int, issue_id: int) -> None:
    """Flush-free: a notification for `user_id` on `issue_id` joins the burst mail waiting
    for them (created, to go out `coalesce_seconds` from now, if none is waiting)."""
    bursts: dict[tuple[int, int], object] = s.info.setdefault(_BURSTS, {})
    if (user_id, issue_id) in bursts:
        return
    waiting = s.scalar(
        select(MailOutbox.id).where(
            MailOutbox.kind == "notify",
            MailOutbox.user_id == user_id,
            MailOutbox.issue_id == issue_id,
            MailOutbox.status == OutboxStatus.PENDING,
        )
    )
    if waiting is not None:
        bursts[(user_id, issue_id)] = waiting
        return
    now = utcnow()
    row = MailOutbox(
        kind="notify",
        user_id=user_id,
        issue_id=issue_id,
        status=OutboxStatus.PENDING,
        not_before=now + dt.timedelta(seconds=config.config.coalesce_seconds),
        created_at=now,
    )
    s.add(row)
    bursts[(user_id, issue_id)] = row
    s.info.setdefault(_QUEUED, []).append(row)


def queue_mail(
    s: Session, kind: str, to: str, rendered: compose.Rendered, *, in_reply_to: str = ""
) -> MailOutbox:
    """Flush-only: a ready mail of our own words to any address (mail-in's replies and
    confirmations); it goes out after the commit."""
    row = MailOutbox(
        kind=kind,
        to_addr=to,
        status=OutboxStatus.READY,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        in_reply_to=in_reply_to[:300],
        created_at=utcnow(),
        not_before=utcnow(),
    )
    s.add(row)
    s.info.setdefault(_QUEUED, []).append(row)
    return row


def deliver(outbox_id: int) -> str:
    """The job: render the row if its burst is over, then send it; idempotent."""
    return run_recorded("mail", lambda s: _deliver(s, outbox_id), backoff=config.config.backoff)


def sweep() -> int:
    """Hand over again every mail that is due and not sent (scheduled): bursts whose timer
    was lost with its process, sends that failed earlier. Returns how many."""
    now = utcnow()
    with session() as s:
        rows = s.execute(
            select(MailOutbox.id, MailOutbox.not_before).where(
                MailOutbox.status.in_([OutboxStatus.PENDING, OutboxStatus.READY]),
                MailOutbox.not_before <= now,
                or_(MailOutbox.status == OutboxStatus.PENDING, MailOutbox.attempts < MAX_ATTEMPTS),
            )
        ).all()
    dispatch.submit([(r.id, r.not_before) for r in rows])
    return len(rows)


# --- one job -------------------------------------------------------------------------------


def _deliver(s: Session, outbox_id: int) -> str:
    cfg = config.config
    row = s.get(MailOutbox, outbox_id)
    if row is None or row.status in (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SKIPPED):
        return f"mail {outbox_id}: nothing to do"
    if not cfg.enabled:
        return f"mail {outbox_id}: mail is off"
    if row.status == OutboxStatus.PENDING:
        if row.not_before > utcnow() + dt.timedelta(seconds=1):
            return f"mail {outbox_id}: its burst is not over"
        begin_write(s)
        _render_burst(s, s.get(MailOutbox, outbox_id))
        s.commit()
        row = s.get(MailOutbox, outbox_id)
        if row is None or row.status != OutboxStatus.READY:
            return f"mail {outbox_id}: nothing left to tell"
    return _send(s, row)


def _send(s: Session, row: MailOutbox) -> str:
    """Claim one attempt atomically (two workers never both send), send outside any
    transaction, record the outcome."""
    cfg = config.config
    outbox_id, attempts = row.id, row.attempts
    message = compose.message(
        compose.Rendered(row.subject, row.body_text, row.body_html),
        mail_from=cfg.mail_from,
        to=row.to_addr,
        unsubscribe_url=row.unsubscribe_url,
        in_reply_to=row.in_reply_to,
    )
    begin_write(s)
    claimed = s.execute(
        update(MailOutbox)
        .where(
            MailOutbox.id == outbox_id,
            MailOutbox.status == OutboxStatus.READY,
            MailOutbox.attempts == attempts,
        )
        .values(attempts=attempts + 1, not_before=utcnow() + STUCK_AFTER)
    )
    s.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return f"mail {outbox_id}: another worker has it"
    try:
        smtp.send(message, cfg)
    except Exception as e:
        _failed(s, outbox_id, attempts + 1, e)
        raise
    begin_write(s)
    s.execute(
        update(MailOutbox)
        .where(MailOutbox.id == outbox_id)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), error="")
    )
    s.commit()
    return f"mail {outbox_id}: sent"


def _failed(s: Session, outbox_id: int, attempts: int, error: Exception) -> None:
    s.rollback()
    begin_write(s)
    done = attempts >= MAX_ATTEMPTS
    wait = RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1]
    s.execute(
        update(MailOutbox)
        .where(MailOutbox.id == outbox_id)
        .values(
            status=OutboxStatus.FAILED if done else OutboxStatus.READY,
            not_before=utcnow() + dt.timedelta(minutes=wait),
            error=f"{type(error).__name__}: {error}"[:500],
        )
    )
    s.commit()
    log.warning("mail %s: attempt %d failed: %s", outbox_id, attempts, error)


def _render_burst(s: Session, row: MailOutbox | None) -> None:
    """Turn a collected burst into a ready mail, from what its recipient may see now."""
    if row is None or row.status != OutboxStatus.PENDING:
        return
    notes = list(
        s.scalars(
            select(Notification)
            .where(
                Notification.user_id == row.user_id,
                Notification.issue_id == row.issue_id,
                Notification.mail == MailState.PENDING,
            )
            .order_by(Notification.id)
        )
    )
    for note in notes:
        note.mail = MailState.SENT
    user = s.get(User, row.user_id) if row.user_id is not None else None
    issue = s.get(Issue, row.issue_id) if row.issue_id is not None else None
    if (
        user is None
        or issue is None
        or not notes
        or not user.is_active
        or not can_view_issue(user, issue)
        or prefs_of(s, user.id).email != EmailMode.IMMEDIATE
    ):
        row.status = OutboxStatus.SKIPPED
        return
    section = _section(s, issue, notes)
    rendered = compose.about_issue(section, config.config.link(SETTINGS_PATH))
    _fill(row, user, rendered)


def _fill(row: MailOutbox, user: User, rendered: compose.Rendered) -> None:
    row.to_addr = user.email
    row.subject = rendered.subject
    row.body_text = rendered.text
    row.body_html = rendered.html
    row.unsubscribe_url = unsubscribe.link(user.id)
    row.status = OutboxStatus.READY
    row.not_before = utcnow()


def _section(s: Session, issue: Issue, notes: list[Notification]) -> compose.Section:
    names = _names(s, {n.actor_id for n in notes if n.actor_id is not None})
    lines = [
        compose.Line(n.created_at, sentence(n.kind, names.get(n.actor_id or 0, ""), n.summary))
        for n in notes
    ]
    url = config.config.link(f"/issues/{issue.id}")
    return compose.Section(issue.id, issue.title, url, lines)


def _names(s: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = s.execute(select(User.id, User.full_name, User.email).where(User.id.in_(ids)))
    return {r.id: r.full_name or r.email for r in rows}


# --- after commit: hand over what the transaction queued ----------------------------------


def _after_commit(s: Session) -> None:
    s.info.pop(_BURSTS, None)
    rows = s.info.pop(_QUEUED, [])
    dispatch.submit([(r.id, r.not_before) for r in rows if r.id is not None])


def _after_rollback(s: Session) -> None:
    s.info.pop(_BURSTS, None)
    s.info.pop(_QUEUED, None)


event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)
