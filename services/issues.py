"""Issues: create, read, list, edit, move through the workflow, tag, assign, delete.

Every write is one transaction that ends in commit, writes activity rows and emits an
`issue` event after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import affected, files, hooks, idempotency, markdown, queries, quotas, stats
from .activity import record
from .db import begin_write
from .enums import TRANSITIONS, Resolution, Status, Verb
from .errors import Conflict, InvalidInput, InvalidTransition, NotFound
from .events import ChangeEvent, emit
from .filters import RELEVANCE, IssueQuery, for_user
from .filters import build as build_filter
from .idempotency import NO_KEY, Claim
from .models import Attachment, Issue, IssueTag, User, utcnow
from .permissions import (
    NOBODY,
    access_issue,
    can_be_assigned,
    can_delete_issue,
    can_edit_issue,
    can_triage,
    closing_resolutions,
    load_actor,
    require,
    visible_reporter,
)
from .schemas import (
    Actor,
    IssueCreate,
    IssuePage,
    IssueSummary,
    IssueUpdate,
    IssueView,
    Page,
    TagsInput,
    parse,
)


def create_issue(
    s: Session,
    actor: Actor,
    data: IssueCreate | Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> IssueView:
    """Anyone active files an issue (tags: staff only), within their issues per hour
    (RateLimited). Emits issue/created. With an `idempotency_key`, a retry of the same
    request returns the first result and writes nothing (services.idempotency)."""
    new = parse(IssueCreate, data)
    html = markdown.render(new.description)  # slow on big text: before the write lock
    begin_write(s)
    user = load_actor(s, actor)
    request = {"create": "issue", "input": new.model_dump(mode="json")}
    once = idempotency.claim(s, user.id, idempotency_key, request)
    if (earlier := once.earlier(IssueView)) is not None:
        s.rollback()
        return earlier
    quotas.check_issue(s, user.id)
    issue = insert_issue(s, user, new, html)
    return commit_issue(s, issue, "created", changed=False, once=once)


def insert_issue(
    s: Session, user: User, new: IssueCreate, description_html: str, *, imported: bool = False
) -> Issue:
    """Flush-only helper shared by create_issue and the CSV import (`imported`, recorded as
    such): a new OPEN issue with its activity and tags (tags need a staff user), its
    description rendered by the caller before the write began. Commits nothing, emits
    nothing."""
    if new.tags:
        require(can_triage(user), "Only maintainers and admins can tag issues.")
    now = utcnow()
    issue = Issue(
        title=new.title,
        description=new.description,
        description_html=description_html,
        severity=new.severity,
        status=Status.OPEN,
        reporter_id=user.id,
        created_at=now,
        updated_at=now,
    )
    s.add(issue)
    s.flush()
    hooks.written(s, "issue", issue.id, issue.id, new=True)  # its text, for similar issues
    if issue.description:
        hooks.written(s, "description", issue.id, issue.id, new=True)
    field = quotas.IMPORTED if imported else "severity"
    record(s, issue, user.id, Verb.CREATED, field, None, issue.severity, before=None)
    if new.tags:
        _replace_tags(s, issue, new.tags)
        record(s, issue, user.id, Verb.TAGS, "tags", "", ",".join(new.tags))
    return issue


def get_issue(s: Session, actor: Actor, issue_id: int) -> IssueView:
    """One issue with its attachments; NotFound if missing or not visible to the actor."""
    return queries.issue_view(s, access_issue(s, load_actor(s, actor), issue_id))


def list_issues(
    s: Session,
    actor: Actor,
    filters: IssueQuery | Mapping[str, Any] | None = None,
    *,
    page: int = 1,
    page_size: int = 50,
    **criteria: Any,
) -> Page[IssueSummary]:
    """A page of the issues the actor may see (reporters: their own), filtered and sorted
    by a `filters.IssueQuery`, whose fields may also be given as keywords: `status`,
    `severity`, `tag`, `reporter_id`, `reporter` (part of the name or email), `assignee_id`,
    `assignee="me"`, `unassigned`, `q` (part of the title, description or files; a number
    also finds that issue), `signature`, `sort`."""
    wanted = build_filter(IssueQuery, filters, criteria)
    user = load_actor(s, actor)
    reporter_id = visible_reporter(user, wanted.reporter_id)
    if reporter_id == NOBODY:
        return IssuePage(items=[], total=0, page=page, page_size=page_size)
    page = max(1, page)
    page_size = min(max(1, page_size), queries.MAX_PAGE_SIZE)
    mine = for_user(wanted, user.id, reporter_id)
    query = queries.filtered(select(Issue), mine)
    queries.short_queries(s)
    start = (page - 1) * page_size
    if wanted.order == RELEVANCE and wanted.q:
        others = queries.filtered(select(Issue), mine.model_copy(update={"q": None}))
        items = queries.ranked(s, others, wanted.q, start, page_size)
    else:
        window = queries.ordered(query, wanted.order).offset(start).limit(page_size)
        items = queries.summaries(s, window)
    if 0 < len(items) < page_size or (page == 1 and not items):
        total, capped = start + len(items), False  # the page holds the end of the list
    elif (kept := stats.matching(s, mine)) is not None:
        total, capped = kept, False
    else:
        cap = queries.SEARCH_COUNT_CAP if wanted.q else queries.COUNT_CAP
        # Always past the next page, so paging on can tell whether there is one.
        total, capped = queries.count_capped(s, query, max(cap, start + 2 * page_size))
    return IssuePage(items=items, total=total, total_capped=capped, page=page, page_size=page_size)


def update_issue(
    s: Session,
    actor: Actor,
    issue_id: int,
    data: IssueUpdate | Mapping[str, Any],
    *,
    version: int | None = None,
) -> IssueView:
    """Edit title, description or severity: staff always, the reporter while OPEN.
    A stale `version` raises Conflict with the current issue. Emits issue/updated."""
    change = parse(IssueUpdate, data)
    html = markdown.render(change.description) if change.description is not None else None
    begin_write(s)
    user = load_actor(s, actor)
    issue = access_issue(s, user, issue_id)
    check_edit(user, issue)
    check_version(s, issue, version)
    changed = apply_edit(s, user, issue, change, html)
    return commit_issue(s, issue, "updated", changed=changed)


def check_edit(user: User, issue: Issue) -> None:
    require(can_edit_issue(user, issue), "Only staff can edit an issue once it has been triaged.")


def apply_edit(s: Session, user: User, issue: Issue, change: IssueUpdate, html: str | None) -> bool:
    """Flush-free part of `update_issue` (the caller checked `check_edit` and the version):
    set what differs, with its activity; whether anything changed."""
    changed = False
    for field in ("title", "description", "severity"):
        new = getattr(change, field)
        old = getattr(issue, field)
        if new is None or new == old:
            continue
        setattr(issue, field, new)
        if field == "severity":
            before = (str(issue.status), str(old))
            record(s, issue, user.id, Verb.EDITED, field, old, new, before=before)
        else:
            record(s, issue, user.id, Verb.EDITED, field, old, new)
        if field in ("title", "description"):
            hooks.written(s, "issue", issue.id, issue.id)
        if field == "description" and html is not None:
            issue.description_html = html
            hooks.written(s, "description", issue.id, issue.id)
        changed = True
    return changed


def change_status(
    s: Session,
    actor: Actor,
    issue_id: int,
    status: Status | str,
    *,
    version: int | None = None,
    resolution: Resolution | str | None = None,
) -> IssueView:
    """Move an issue one step along the workflow (staff), or close it outright where
    `permissions.closing_resolutions` allows (staff: won't fix, duplicate, invalid; its
    reporter: withdrawn). DONE records a `resolution` (default `fixed`); leaving DONE clears
    it. Anything else raises InvalidTransition with the allowed moves. Emits
    issue/updated."""
    target, ending = parsed_move(status, resolution)
    begin_write(s)
    user = load_actor(s, actor)
    issue = access_issue(s, user, issue_id)
    check_version(s, issue, version)
    changed = apply_move(s, user, issue, target, ending)
    return commit_issue(s, issue, "updated", changed=changed)


def apply_move(
    s: Session, user: User, issue: Issue, target: Status, ending: Resolution | None
) -> bool:
    """Flush-free part of `change_status`: check the move (raising before anything is
    written), then record it; whether anything changed."""
    closing = target == Status.DONE and ending in closing_resolutions(user, issue)
    if not closing:
        require(can_triage(user), "Only maintainers and admins can change the status.")
        if target not in TRANSITIONS[issue.status]:
            allowed = [t.value for t in TRANSITIONS[issue.status]]
            raise InvalidTransition(issue.status, target, allowed)
    after = (str(target), str(issue.severity))
    record(s, issue, user.id, Verb.STATUS, "status", issue.status, target, after=after)
    issue.status = target
    new_resolution = (ending or Resolution.FIXED) if target == Status.DONE else None
    if new_resolution != issue.resolution:
        record(s, issue, user.id, Verb.EDITED, "resolution", issue.resolution, new_resolution)
        issue.resolution = new_resolution
    affected.unlink(s, issue, user.id)  # a duplicate reopened is one no more
    return True


def parsed_move(
    status: Status | str, resolution: Resolution | str | None
) -> tuple[Status, Resolution | None]:
    try:
        target = Status(status)
    except ValueError:
        allowed = ", ".join(m.value for m in Status)
        raise InvalidInput(f"Unknown status {status!r}; use one of {allowed}.") from None
    if resolution is None:
        return target, None
    try:
        ending = Resolution(resolution)
    except ValueError:
        allowed = ", ".join(m.value for m in Resolution)
        raise InvalidInput(
            f"Unknown resolution {resolution!r}; use one of {allowed}.", {"resolution": allowed}
        ) from None
    if target != Status.DONE:
        raise InvalidInput("A resolution goes with DONE only.", {"resolution": "DONE only"})
    return target, ending


def set_tags(
    s: Session, actor: Actor, issue_id: int, tags: Iterable[str], *, version: int | None = None
) -> IssueView:
    """Replace the tags of an issue (staff only). Emits issue/updated."""
    wanted: list[str] = parse(TagsInput, {"tags": list(tags)}).tags
    begin_write(s)
    user = load_actor(s, actor)
    issue = access_issue(s, user, issue_id)
    require(can_triage(user), "Only maintainers and admins can tag issues.")
    check_version(s, issue, version)
    changed = apply_tags(s, user, issue, wanted)
    return commit_issue(s, issue, "updated", changed=changed)


def apply_tags(s: Session, user: User, issue: Issue, wanted: list[str]) -> bool:
    """Flush-free part of `set_tags` (the caller checked the role): replace the tags,
    recorded; whether they changed."""
    current = queries.tags_of(s, [issue.id]).get(issue.id, [])
    if current == wanted:
        return False
    _replace_tags(s, issue, wanted)
    record(s, issue, user.id, Verb.TAGS, "tags", ",".join(current), ",".join(wanted))
    return True


def assign(
    s: Session, actor: Actor, issue_id: int, assignee_id: int | None, *, version: int | None = None
) -> IssueView:
    """Assign to an active maintainer or admin, or unassign with None (staff only).
    Emits issue/updated."""
    begin_write(s)
    user = load_actor(s, actor)
    issue = access_issue(s, user, issue_id)
    require(can_triage(user), "Only maintainers and admins can assign issues.")
    check_version(s, issue, version)
    check_assignee(s, assignee_id)
    changed = apply_assignee(s, user, issue, assignee_id)
    return commit_issue(s, issue, "updated", changed=changed)


def check_assignee(s: Session, assignee_id: int | None) -> None:
    """InvalidInput unless None (nobody) or an active maintainer or admin."""
    if assignee_id is not None:
        assignee = s.get(User, assignee_id)
        if assignee is None or not can_be_assigned(assignee):
            raise InvalidInput(
                "Issues can be assigned only to an active maintainer or admin.",
                {"assignee_id": "not assignable"},
            )


def apply_assignee(s: Session, user: User, issue: Issue, assignee_id: int | None) -> bool:
    """Flush-free part of `assign` (the caller checked the role and `check_assignee`)."""
    if assignee_id == issue.assignee_id:
        return False
    record(s, issue, user.id, Verb.ASSIGNED, "assignee", _str(issue.assignee_id), _str(assignee_id))
    issue.assignee_id = assignee_id
    return True


def delete_issue(s: Session, actor: Actor, issue_id: int) -> None:
    """ADMIN deletes an issue with its comments and attachments (files go after commit).
    The activity rows stay as the audit trail. Emits issue/deleted."""
    begin_write(s)
    user = load_actor(s, actor)
    issue = access_issue(s, user, issue_id)
    require(can_delete_issue(user), "Only administrators can delete issues.")
    stored = list(s.scalars(select(Attachment.stored_name).where(Attachment.issue_id == issue_id)))
    record(s, issue, user.id, Verb.DELETED, "status", issue.status, None, after=None)
    emit(s, ChangeEvent("issue", "deleted", issue.id, issue.reporter_id))
    original = issue.duplicate_of
    affected.detach_duplicates(s, issue.id)
    s.delete(issue)
    s.flush()
    affected.recount_from(s, original)
    s.commit()
    files.remove(stored)  # after commit: a failed delete must keep its files


# --- helpers -------------------------------------------------------------------------------


def check_version(s: Session, issue: Issue, version: int | None) -> None:
    if version is not None and version != issue.version:
        current = queries.issue_view(s, issue)
        raise Conflict(
            f"This issue was changed by someone else (now version {issue.version}); "
            "review the current values and apply your change again.",
            current,
        )


def commit_issue(
    s: Session, issue: Issue, op: str, *, changed: bool, once: Claim = NO_KEY
) -> IssueView:
    """Flush (a change bumps the version), build the view, store it with the request's
    idempotency key, queue the event, commit. A write that changed nothing commits nothing
    visible and emits no event."""
    _flush(s, issue, changed)
    view = queries.created_view(s, issue) if op == "created" else queries.issue_view(s, issue)
    once.settle(s, view)
    if changed or op == "created":
        emit(s, ChangeEvent("issue", op, issue.id, issue.reporter_id))
    s.commit()
    return view


def commit_version(s: Session, issue: Issue, *, changed: bool) -> int:
    """`commit_issue` of an update without building its view (a bulk edit needs only the
    new version)."""
    _flush(s, issue, changed)
    version = issue.version
    if changed:
        emit(s, ChangeEvent("issue", "updated", issue.id, issue.reporter_id))
    s.commit()
    return version


def _flush(s: Session, issue: Issue, changed: bool) -> None:
    if changed:
        issue.updated_at = utcnow()  # also marks the row dirty, so tag changes bump the version
    issue_id = issue.id
    try:
        s.flush()
    except StaleDataError:
        s.rollback()
        current = s.get(Issue, issue_id)
        if current is None:
            raise NotFound("issue") from None
        raise Conflict(
            "This issue was changed by someone else at the same moment; review and retry.",
            queries.issue_view(s, current),
        ) from None


def _replace_tags(s: Session, issue: Issue, names: list[str]) -> None:
    s.execute(delete(IssueTag).where(IssueTag.issue_id == issue.id))
    tag_ids = queries.ensure_tags(s, names)
    if tag_ids:
        s.add_all(IssueTag(issue_id=issue.id, tag_id=t) for t in tag_ids)


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)
