"""A person's notifications and preferences: the bell's count, the list, marking read.
Who may see an issue is checked again when a notification is shown: one about an issue its
recipient can no longer see is neither counted nor listed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, false, func, select, true, update
from sqlalchemy.orm import Session, aliased

from ..db import begin_write
from ..errors import InvalidInput, NotFound
from ..events import ChangeEvent, emit
from ..models import Issue, User, utcnow
from ..permissions import is_staff, load_actor
from ..schemas import Actor, Input, parse
from .models import EmailMode, NewIssues, Notification, NotificationPrefs
from .rules import prefs_of, sentence

KIND = "notification"
Q = TypeVar("Q", bound=Select)
MAX_LIST = 200


class NotificationView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    issue_id: int
    issue_title: str
    kind: str
    summary: str
    actor_name: str  # "" when the account is gone
    created_at: dt.datetime
    read: bool

    @property
    def link(self) -> str:
        return f"/issues/{self.issue_id}"

    @property
    def text(self) -> str:
        """What happened, as a sentence: "Ana changed the status from OPEN to TRIAGED"."""
        return sentence(self.kind, self.actor_name, self.summary)


class Preferences(Input):
    """What a user is told, and how mail reaches them (also the update input)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    my_issues: bool = True  # status changes and staff comments on issues I reported
    assigned: bool = True  # assigned to me, and changes and comments on those issues
    mentions: bool = True  # @mentions of me in comments
    new_issues: Literal["none", "all", "high"] = "none"  # staff only
    email: Literal["immediate", "digest", "off"] = "immediate"


def unread_count(s: Session, actor: Actor) -> int:
    """How many unread notifications the actor has about issues they may still see."""
    user = load_actor(s, actor)
    query = _visible(select(func.count(Notification.id)), user).where(
        Notification.read_at.is_(None)
    )
    return s.scalar(query) or 0


def list_notifications(
    s: Session, actor: Actor, *, unread_only: bool = False, limit: int = 50
) -> list[NotificationView]:
    """The actor's newest notifications about issues they may still see."""
    user = load_actor(s, actor)
    who = aliased(User)
    query = _visible(
        select(Notification, Issue.title, who.full_name, who.email).outerjoin(
            who, who.id == Notification.actor_id
        ),
        user,
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = s.execute(query.order_by(Notification.id.desc()).limit(min(max(1, limit), MAX_LIST)))
    return [
        NotificationView(
            id=n.id,
            issue_id=n.issue_id,
            issue_title=title,
            kind=n.kind,
            summary=n.summary,
            actor_name=(name or email or ""),
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n, title, name, email in rows
    ]


def mark_read(s: Session, actor: Actor, notification_id: int) -> None:
    """Mark one of the actor's notifications read (NotFound for anyone else's). Emits
    notification/updated for the actor's other pages."""
    begin_write(s)
    user = load_actor(s, actor)
    note = s.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound("notification")
    if note.read_at is None:
        note.read_at = utcnow()
        emit(s, ChangeEvent(KIND, "updated", user_id=user.id))
    s.commit()


def mark_all_read(s: Session, actor: Actor) -> int:
    """Mark all the actor's notifications read; returns how many were unread."""
    begin_write(s)
    user = load_actor(s, actor)
    done = s.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    count = int(done.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        emit(s, ChangeEvent(KIND, "updated", user_id=user.id))
    s.commit()
    return count


def get_preferences(s: Session, actor: Actor) -> Preferences:
    """The actor's notification preferences (the defaults until they change them)."""
    return _view(prefs_of(s, load_actor(s, actor).id))


def update_preferences(
    s: Session, actor: Actor, data: Preferences | Mapping[str, Any]
) -> Preferences:
    """Change what the actor is told and how; `new_issues` needs a staff role."""
    wanted = parse(Preferences, data)
    begin_write(s)
    user = load_actor(s, actor)
    if wanted.new_issues != "none" and not is_staff(user):
        raise InvalidInput(
            "Only maintainers and admins can follow every new issue.",
            {"new_issues": "staff only"},
        )
    row = s.get(NotificationPrefs, user.id)
    if row is None:
        row = prefs_of(s, user.id)
        s.add(row)
    row.my_issues = wanted.my_issues
    row.assigned = wanted.assigned
    row.mentions = wanted.mentions
    row.new_issues = NewIssues(wanted.new_issues)
    row.email = EmailMode(wanted.email)
    view = _view(row)
    s.commit()
    return view


def _visible(query: Q, user: User) -> Q:
    """Only the user's own notifications, about issues they may see now (their role may
    have changed since)."""
    query = query.join(Issue, Issue.id == Notification.issue_id).where(
        Notification.user_id == user.id
    )
    if not user.is_active:
        return query.where(false())
    return query.where(true() if is_staff(user) else Issue.reporter_id == user.id)


def _view(row: NotificationPrefs) -> Preferences:
    return Preferences(
        my_issues=row.my_issues,
        assigned=row.assigned,
        mentions=row.mentions,
        new_issues=str(row.new_issues),
        email=str(row.email),
    )
