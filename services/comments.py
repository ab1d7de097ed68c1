"""Comments on issues, in Markdown rendered once at write time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import hooks, idempotency, markdown, quotas
from .activity import record, touch
from .db import begin_write
from .enums import Verb
from .events import ChangeEvent, emit
from .models import Comment, Issue, User, utcnow
from .permissions import access_issue, load_actor
from .schemas import Actor, CommentCreate, CommentView, UserRef, parse


def add_comment(
    s: Session,
    actor: Actor,
    issue_id: int,
    data: CommentCreate | Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> CommentView:
    """Comment on an issue the actor may see, within their comments per hour
    (RateLimited). Emits comment/created. With an `idempotency_key`, a retry of the same
    request returns the first result and writes nothing (services.idempotency), even once
    the issue is gone."""
    new = parse(CommentCreate, data)
    html = markdown.render(new.body)  # before the write lock: slow on big text
    begin_write(s)
    user = load_actor(s, actor)
    request = {"comment_on": issue_id, "input": new.model_dump(mode="json")}
    once = idempotency.claim(s, user.id, idempotency_key, request)
    if (earlier := once.earlier(CommentView)) is not None:
        s.rollback()
        return earlier
    issue = access_issue(s, user, issue_id)
    quotas.check_comment(s, user.id)
    comment = insert_comment(s, user, issue, new.body, html)
    view = _view(comment, user)
    once.settle(s, view)
    s.commit()
    return view


def insert_comment(s: Session, user: User, issue: Issue, body: str, html: str) -> Comment:
    """Flush-only part of `add_comment` (the caller checked access and quota): the comment,
    its activity and its event."""
    comment = Comment(
        issue_id=issue.id, author_id=user.id, body=body, body_html=html, created_at=utcnow()
    )
    s.add(comment)
    touch(s, issue.id)
    s.flush()
    hooks.written(s, "comment", issue.id, comment.id, new=True)
    record(s, issue, user.id, Verb.COMMENTED, "comment", None, str(comment.id))
    emit(s, ChangeEvent("comment", "created", issue.id, issue.reporter_id))
    return comment


def list_comments(s: Session, actor: Actor, issue_id: int) -> list[CommentView]:
    """The comments of an issue the actor may see, oldest first."""
    access_issue(s, load_actor(s, actor), issue_id)
    rows = s.execute(
        select(Comment, User)
        .join(User, User.id == Comment.author_id)
        .where(Comment.issue_id == issue_id)
        .order_by(Comment.id)
    )
    return [_view(c, u) for c, u in rows]


def _view(c: Comment, author: User) -> CommentView:
    return CommentView(
        id=c.id,
        issue_id=c.issue_id,
        author=UserRef.model_validate(author),
        body=c.body,
        body_html=markdown.shown(c.body_html),
        created_at=c.created_at,
    )
