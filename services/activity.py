"""The activity table: the audit trail and the issue timeline."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import hooks
from .enums import Verb
from .models import Activity, Issue, User, utcnow
from .permissions import access_issue, load_actor
from .schemas import ActivityView, Actor, UserRef


def list_activity(s: Session, actor: Actor, issue_id: int) -> list[ActivityView]:
    """The timeline of one issue, oldest first; whoever may see the issue may see it."""
    access_issue(s, load_actor(s, actor), issue_id)
    # The issue's history starts at its 'created' row. Before ids were never reused
    # (migration 0004), SQLite could give a new issue a deleted one's id: the rows before
    # that belong to the deleted issue and its people.
    filed = (
        select(func.max(Activity.id))
        .where(Activity.issue_id == issue_id, Activity.verb == Verb.CREATED)
        .scalar_subquery()
    )
    rows = s.execute(
        select(Activity, User)
        .outerjoin(User, User.id == Activity.actor_id)
        .where(Activity.issue_id == issue_id, Activity.id >= func.coalesce(filed, 0))
        .order_by(Activity.id)
    ).all()
    names = _assignee_names(s, [a for a, _ in rows])
    return [
        ActivityView(
            id=a.id,
            issue_id=a.issue_id,
            actor=UserRef.model_validate(u) if u is not None else None,
            verb=a.verb,
            field=a.field,
            old_value=a.old_value,
            new_value=a.new_value,
            created_at=a.created_at,
            old_label=names.get(a.old_value or "") if a.verb == Verb.ASSIGNED else None,
            new_label=names.get(a.new_value or "") if a.verb == Verb.ASSIGNED else None,
        )
        for a, u in rows
    ]


def _assignee_names(s: Session, rows: list[Activity]) -> dict[str, str]:
    """The names of the people issues were assigned to (their rows store the user ids)."""
    ids = {
        int(v)
        for a in rows
        if a.verb == Verb.ASSIGNED
        for v in (a.old_value, a.new_value)
        if v and v.isdigit()
    }
    if not ids:
        return {}
    people = s.execute(select(User.id, User.full_name, User.email).where(User.id.in_(ids)))
    return {str(i): name or email for i, name, email in people}


State = tuple[str, str] | None  # (status, severity); None: the issue does not exist
_NOW: State = ("", "")  # "the issue's state as it is now"


def record(
    s: Session,
    issue: Issue,
    actor_id: int | None,
    verb: Verb,
    field: str = "",
    old: str | None = None,
    new: str | None = None,
    *,
    before: State = _NOW,
    after: State = _NOW,
) -> None:
    """Add one activity row to the current transaction (flushes with it). The row keeps the
    issue's (status, severity) before and after the change, so the counts of any past day
    are sums over these rows (services.daily)."""
    now = (str(issue.status), str(issue.severity))
    before = now if before is _NOW else before
    after = now if after is _NOW else after
    row = Activity(
        issue_id=issue.id,
        reporter_id=issue.reporter_id,
        actor_id=actor_id,
        verb=verb,
        field=field,
        old_value=old,
        new_value=new,
        status_before=before[0] if before else None,
        severity_before=before[1] if before else None,
        status_after=after[0] if after else None,
        severity_after=after[1] if after else None,
        created_at=utcnow(),
    )
    s.add(row)
    hooks.recorded(s, issue, row)


def touch(s: Session, issue_id: int) -> None:
    """Mark an issue recently active without bumping its edit version: a comment or an
    attachment clashes with no edit."""
    s.execute(update(Issue).where(Issue.id == issue_id).values(updated_at=utcnow()))
