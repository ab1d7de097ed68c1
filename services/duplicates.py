"""Marking an issue a duplicate of another: it closes (DONE) with a `duplicate_of` link and
nothing else moves; the original counts its reporter as affected. Reopening the duplicate
undoes it (issues.change_status)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import affected
from .activity import record
from .db import begin_write
from .enums import Resolution, Status, Verb
from .errors import InvalidInput
from .issues import check_version, commit_issue
from .permissions import access_issue, can_triage, load_actor, require
from .schemas import Actor, IssueView


def mark_duplicate(
    s: Session, actor: Actor, issue_id: int, of: int, *, version: int | None = None
) -> IssueView:
    """Staff mark `issue_id` a duplicate of `of` (an original, not itself a duplicate).
    A stale `version` raises Conflict. Emits issue/updated for both."""
    if of == issue_id:
        raise InvalidInput("An issue cannot be a duplicate of itself.", {"of": "same issue"})
    begin_write(s)
    user = load_actor(s, actor)
    require(can_triage(user), "Only maintainers and admins can mark duplicates.")
    issue = access_issue(s, user, issue_id)
    check_version(s, issue, version)
    original = access_issue(s, user, of)
    if original.duplicate_of is not None:
        raise InvalidInput(
            f"#{of} is itself a duplicate of #{original.duplicate_of}; "
            f"mark this one a duplicate of #{original.duplicate_of}.",
            {"of": "a duplicate"},
        )
    if issue.duplicate_of == of:
        return commit_issue(s, issue, "updated", changed=False)
    before = issue.duplicate_of
    if issue.status != Status.DONE:
        after = (str(Status.DONE), str(issue.severity))
        record(s, issue, user.id, Verb.STATUS, "status", issue.status, Status.DONE, after=after)
        issue.status = Status.DONE
    if issue.resolution != Resolution.DUPLICATE:
        record(s, issue, user.id, Verb.EDITED, "resolution", issue.resolution, "duplicate")
        issue.resolution = Resolution.DUPLICATE
    old = None if before is None else str(before)
    record(s, issue, user.id, Verb.EDITED, "duplicate_of", old, str(of))
    issue.duplicate_of = of
    s.flush()
    affected.recount_from(s, of)
    affected.recount_from(s, before)
    return commit_issue(s, issue, "updated", changed=True)
