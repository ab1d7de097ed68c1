"""Bulk edit: one staff action on many issues (the list's selection, or every issue matching
a filter): set status, severity or assignee, add, remove or replace tags, add a comment.

Each issue is its own transaction, checked against its own version and the workflow with the
same rules as a single change (the flush-free parts of services.issues and
services.comments): what cannot change is reported per issue and left untouched, the rest
is applied. Activity, notifications and webhooks are as for single changes; open pages get
one `issue/bulk` event at the end instead of one per issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import comments, issues, markdown, queries
from .db import begin_write
from .enums import Resolution, Severity, Status
from .errors import DomainError, InvalidInput
from .events import gathered
from .filters import IssueFilter, for_user
from .models import Issue, User
from .permissions import NOBODY, access_issue, can_triage, load_actor, require, visible_reporter
from .schemas import Actor, CommentBody, Input, IssueUpdate, Tags, TagsInput, View, parse

MAX_ISSUES = 1000


class BulkChanges(Input):
    """What to do to every issue; at least one field. `assignee_id: null` unassigns (an
    absent field leaves the assignee alone)."""

    status: Status | None = None
    resolution: Resolution | None = None
    severity: Severity | None = None
    assignee_id: int | None = Field(None, ge=1)
    tags: Tags | None = None  # replace all tags
    add_tags: Tags = []
    remove_tags: Tags = []
    comment: CommentBody | None = None

    @field_validator("resolution")
    @classmethod
    def _not_duplicate(cls, value: Resolution | None) -> Resolution | None:
        if value == Resolution.DUPLICATE:
            raise ValueError("mark duplicates one at a time, each with its original")
        return value

    @model_validator(mode="after")
    def _something(self) -> BulkChanges:
        if not (self.model_fields_set - {"add_tags", "remove_tags"}) and not (
            self.add_tags or self.remove_tags
        ):
            raise ValueError("Choose at least one change to apply.")
        if self.resolution is not None and self.status != Status.DONE:
            raise ValueError("A resolution goes with status DONE only.")
        if self.tags is not None and (self.add_tags or self.remove_tags):
            raise ValueError("Either replace the tags or add and remove some, not both.")
        return self

    @property
    def sets_assignee(self) -> bool:
        return "assignee_id" in self.model_fields_set


class BulkItem(View):
    id: int
    ok: bool
    changed: bool = False
    version: int | None = None  # the issue's version after the change
    error: str | None = None  # why nothing changed on this issue


class BulkResult(View):
    items: list[BulkItem]
    applied: int  # issues that changed
    unchanged: int  # issues that already were as asked
    failed: int  # issues left untouched, each with its error


def bulk_update(
    s: Session,
    actor: Actor,
    changes: BulkChanges | Mapping[str, Any],
    *,
    ids: list[int] | None = None,
    versions: Mapping[int, int] | None = None,
    filter: IssueFilter | Mapping[str, Any] | None = None,
) -> BulkResult:
    """Apply `changes` to the issues `ids` (each checked against `versions[id]` when given)
    or to every issue matching `filter` that the actor may see, at most MAX_ISSUES (staff
    only). Returns one result per issue, in the order given (by id for a filter)."""
    plan = parse(BulkChanges, changes)
    user = load_actor(s, actor)
    require(can_triage(user), "Only maintainers and admins can edit issues in bulk.")
    targets = _targets(s, user, ids, filter)
    if plan.sets_assignee:
        issues.check_assignee(s, plan.assignee_id)
    html = markdown.render(plan.comment) if plan.comment is not None else ""
    s.rollback()  # end the reads: each issue below is its own write
    wanted = versions or {}
    with gathered(s):
        items = [_one(s, actor, issue_id, wanted.get(issue_id), plan, html) for issue_id in targets]
    return BulkResult(
        items=items,
        applied=sum(i.changed for i in items),
        unchanged=sum(i.ok and not i.changed for i in items),
        failed=sum(not i.ok for i in items),
    )


def _targets(
    s: Session, user: User, ids: list[int] | None, wanted: IssueFilter | Mapping[str, Any] | None
) -> list[int]:
    if (ids is None) == (wanted is None):
        raise InvalidInput("Give either the issue ids or a filter.", {"ids": "ids or filter"})
    if ids is not None:
        targets = list(dict.fromkeys(ids))  # once each, in the order given
        if not targets:
            raise InvalidInput("Select at least one issue.", {"ids": "empty"})
    else:
        f = parse(IssueFilter, wanted or {})
        reporter_id = visible_reporter(user, f.reporter_id)
        if reporter_id == NOBODY:
            return []
        query = queries.filtered(select(Issue), for_user(f, user.id, reporter_id))
        targets = list(s.scalars(query.with_only_columns(Issue.id).order_by(Issue.id)))
    if len(targets) > MAX_ISSUES:
        raise InvalidInput(
            f"{len(targets)} issues selected; at most {MAX_ISSUES} can be changed at once. "
            "Narrow the filter.",
            {"ids": f"at most {MAX_ISSUES}"},
        )
    return targets


def _one(
    s: Session, actor: Actor, issue_id: int, version: int | None, plan: BulkChanges, html: str
) -> BulkItem:
    try:
        begin_write(s)
        user = load_actor(s, actor)
        require(can_triage(user), "Only maintainers and admins can edit issues in bulk.")
        issue = access_issue(s, user, issue_id)
        issues.check_version(s, issue, version)
        changed = _apply(s, user, issue, plan, html)
        version = issues.commit_version(s, issue, changed=changed)
    except DomainError as e:
        s.rollback()
        return BulkItem(id=issue_id, ok=False, error=f"#{issue_id}: {e}")
    return BulkItem(id=issue_id, ok=True, changed=changed, version=version)


def _apply(s: Session, user: User, issue: Issue, plan: BulkChanges, html: str) -> bool:
    """Every change to one issue, each checked before it writes; a failure rolls back the
    issue's whole transaction."""
    changed = False
    if plan.severity is not None:
        change = IssueUpdate(severity=plan.severity)
        changed |= issues.apply_edit(s, user, issue, change, None)
    if plan.sets_assignee:
        changed |= issues.apply_assignee(s, user, issue, plan.assignee_id)
    if plan.tags is not None or plan.add_tags or plan.remove_tags:
        current = queries.tags_of(s, [issue.id]).get(issue.id, [])
        changed |= issues.apply_tags(s, user, issue, _new_tags(current, plan))
    if plan.status is not None and (
        plan.status != issue.status or (plan.resolution or Resolution.FIXED) != issue.resolution
    ):
        if plan.status == issue.status == Status.DONE:
            raise InvalidInput("Already DONE; reopen it to change how it ended.")
        changed |= issues.apply_move(s, user, issue, plan.status, plan.resolution)
    if plan.comment is not None:
        comments.insert_comment(s, user, issue, plan.comment, html)
        changed = True
    return changed


def _new_tags(current: list[str], plan: BulkChanges) -> list[str]:
    if plan.tags is not None:
        return plan.tags
    kept = [t for t in current if t not in set(plan.remove_tags)]
    wanted: list[str] = parse(TagsInput, {"tags": kept + plan.add_tags}).tags  # at most MAX_TAGS
    return wanted
