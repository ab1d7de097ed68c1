"""The hook: notifications are written in the transaction of the change that causes them
(nothing lost, nothing for a change that rolled back), their mail collected in the outbox,
and the recipients' bells told after commit."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import hooks, watch
from ..events import ChangeEvent, emit
from ..models import Activity, Issue, utcnow
from . import config, outbox, rules
from .models import EmailMode, MailState, Notification

KIND = "notification"  # the ChangeEvent kind: user_id says whose bell
_WRITTEN = "tracker_notifications_written"  # this transaction's, by (recipient, issue)


def notify(s: Session, issue: Issue, row: Activity) -> None:
    """Notify whoever the rules name about this activity row (never its actor)."""
    # No autoflush: the core write is mid-way (a flush here would bump the issue's version
    # early, or raise its stale-version error where the write does not expect it).
    with s.no_autoflush:
        written: dict[tuple[int, int], Notification] = s.info.setdefault(_WRITTEN, {})
        for user, candidate in rules.recipients(s, issue, row):
            # About the row's issue, or the recipient's duplicate of it (then naming no one).
            about = issue.id if candidate.about is None else candidate.about
            earlier = written.get((user.id, about))
            if earlier is not None and candidate.kind == "duplicate":
                # A merge closes (status DONE) and links in one write: one notice, the link.
                earlier.kind, earlier.summary = candidate.kind, candidate.summary
                continue
            mode = rules.prefs_of(s, user.id).email
            state = MailState.NONE
            if config.config.enabled and mode == EmailMode.IMMEDIATE:
                state = MailState.PENDING
                outbox.collect(s, user.id, about)
            elif config.config.enabled and mode == EmailMode.DIGEST:
                state = MailState.DIGEST
            note = Notification(
                user_id=user.id,
                issue_id=about,
                actor_id=row.actor_id if candidate.about is None else None,
                kind=candidate.kind,
                summary=candidate.summary,
                mail=state,
                created_at=utcnow(),
            )
            s.add(note)
            written[(user.id, about)] = note
            emit(s, ChangeEvent(KIND, "created", user_id=user.id))


def _forget(s: Session, *_: object) -> None:
    s.info.pop(_WRITTEN, None)


hooks.on_activity(notify)
event.listen(Session, "after_commit", _forget)
event.listen(Session, "after_rollback", _forget)
# Without Redis, the web process hears of notifications other processes wrote (services.watch).
watch.follow(
    Notification.id,
    Notification.user_id,
    lambda user_id: ChangeEvent(KIND, "created", user_id=user_id),
)
