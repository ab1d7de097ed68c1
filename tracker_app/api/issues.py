"""Issues, their workflow, tags, assignee, comments, activity and files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Header, Query, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

import services
from pages.downloads import attachment_response
from services import (
    ActivityView,
    AttachmentView,
    CommentView,
    IssueCreate,
    IssueFilter,
    IssueQuery,
    IssueSummary,
    IssueView,
    Page,
    filters,
    idempotency,
)

from .deps import Id, Who
from .models import AssigneeBody, CommentBody, IssuePatch, StatusChange, TagsBody

router = APIRouter(tags=["issues"])


_STATUSES = ", ".join(m.value for m in services.Status)
_SEVERITIES = ", ".join(m.value for m in services.Severity)


def issue_filter(
    status: Annotated[
        list[str] | None, Query(description=f"repeat or comma-separate: {_STATUSES}")
    ] = None,
    severity: Annotated[
        list[str] | None, Query(description=f"repeat or comma-separate: {_SEVERITIES}")
    ] = None,
    tag: Annotated[str | None, Query(description="a tag name")] = None,
    q: Annotated[
        str | None,
        Query(
            description="part of the title, the description, a comment or the text read from "
            f"a file (at most {filters.MAX_Q})"
        ),
    ] = None,
    reporter_id: Annotated[int | None, Query(description="the reporter's user id")] = None,
    reporter: Annotated[
        str | None,
        Query(description=f"part of the reporter's name or email (at most {filters.MAX_REPORTER})"),
    ] = None,
    signature: Annotated[
        str | None,
        Query(description="a crash signature's fingerprint (see GET /api/v1/stats/signatures)"),
    ] = None,
    assignee_id: Annotated[int | None, Query(description="the assignee's user id")] = None,
    assignee: Annotated[
        Literal["me"] | None, Query(description="`me`: the issues assigned to you")
    ] = None,
    unassigned: Annotated[bool, Query(description="only issues nobody is assigned to")] = False,
    affected_min: Annotated[
        int | None,
        Query(description="only issues that affect at least this many reporters (duplicates)"),
    ] = None,
) -> IssueFilter:
    """The list filters, as query parameters, for the list and the CSV export; checked by
    the services' schema (an unknown value is a 422 naming it)."""
    given: dict[str, Any] = {"status": status, "severity": severity, "tag": tag, "q": q}
    given |= {"reporter_id": reporter_id, "reporter": reporter, "signature": signature}
    given |= {"assignee_id": assignee_id, "assignee": assignee, "unassigned": unassigned or None}
    given |= {"affected_min": affected_min}
    return filters.build(IssueFilter, {k: v for k, v in given.items() if v is not None}, {})


@router.get("/issues", response_model=Page[IssueSummary])
def list_issues(
    who: Who,
    f: Annotated[IssueFilter, Depends(issue_filter)],
    sort: Annotated[
        str,
        Query(
            description=f"{', '.join(filters.SORTS)}; prefix '-' for descending. Default: "
            "relevance when `q` is given, else -updated"
        ),
    ] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, description="at most 100")] = 50,
) -> Response:
    """Issues you may see (reporters: their own), filtered, sorted and a page at a time."""
    query = filters.build(IssueQuery, f.model_dump(exclude_defaults=True), {"sort": sort})
    with services.session() as s:
        actor = who.actor(s)
        page_of = services.issues.list_issues(s, actor, query, page=page, page_size=page_size)
    return as_json(page_of)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=idempotency.HEADER,
        description="Optional; makes retrying safe. Send a new unique key (a UUID, say) "
        "with each new request and the same key with each retry of it: a retry with the "
        "same key and the same body returns the first response (201, the same body) and "
        "creates nothing; the same key with another body, or for another endpoint, is "
        f"refused with 422. Keys are per user and remembered for "
        f"{idempotency.KEEP.total_seconds() / 3600:.0f} hours; 1 to {idempotency.MAX_KEY} "
        "visible ASCII characters.",
    ),
]


@router.post("/issues", response_model=IssueView, status_code=201)
def create_issue(who: Who, body: IssueCreate, key: IdempotencyKey = None) -> Response:
    """File an issue as yourself (tags: staff only). It starts OPEN. Send an
    `Idempotency-Key` to retry safely after a timeout or a dropped connection."""
    with services.session() as s:
        actor = who.actor(s)
        return as_json(services.issues.create_issue(s, actor, body, idempotency_key=key), 201)


@router.get(
    "/issues/export.csv",
    response_class=Response,
    tags=["csv"],
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(who: Who, f: Annotated[IssueFilter, Depends(issue_filter)]) -> Response:
    """Every issue you may see that matches the list's filters (all of them), oldest first,
    as CSV. Cells a spreadsheet could run as a formula (starting with = + - @, a tab or a
    carriage return, also after leading blanks) get a leading quote."""
    with services.session() as s:  # refuse a caller who may not export before streaming
        services.csvio.export_rows(s, who.actor(s), f)

    def stream() -> Iterator[str]:
        with services.session() as s:
            rows = services.csvio.export_rows(s, who.actor(s), f)
            yield from services.csvio.write_csv(rows)

    return StreamingResponse(
        stream(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="issues.csv"'},
    )


@router.get("/issues/{issue_id}", response_model=IssueView)
def get_issue(who: Who, issue_id: Id) -> Response:
    """One issue with its attachments (404 if missing or not yours to see)."""
    with services.session() as s:
        actor = who.actor(s)
        return as_json(services.issues.get_issue(s, actor, issue_id))


@router.patch("/issues/{issue_id}", response_model=IssueView)
def update_issue(who: Who, issue_id: Id, body: IssuePatch) -> Response:
    """Edit title, description, severity (reporters: their own, while OPEN). Send the
    version you read; a stale one gets 409 with the current issue in `current`."""
    change = body.model_dump(exclude={"version"}, exclude_unset=True)
    with services.session() as s:
        actor = who.actor(s)
        return as_json(
            services.issues.update_issue(s, actor, issue_id, change, version=body.version)
        )


@router.delete("/issues/{issue_id}", status_code=204)
def delete_issue(who: Who, issue_id: Id) -> Response:
    """ADMIN: delete an issue with its comments and files (the audit trail stays)."""
    with services.session() as s:
        actor = who.actor(s)
        services.issues.delete_issue(s, actor, issue_id)
    return Response(status_code=204)


@router.post("/issues/{issue_id}/status", response_model=IssueView)
def change_status(who: Who, issue_id: Id, body: StatusChange) -> Response:
    """Staff: move one step along OPEN → TRIAGED → IN_PROGRESS → DONE (or back; DONE → OPEN
    reopens). DONE takes a `resolution` (default `fixed`); staff may close an OPEN or TRIAGED
    issue directly as `wont_fix`, `duplicate` or `invalid`, and a reporter may withdraw their
    own OPEN issue (`resolution: "withdrawn"`). Other moves get 409 with `allowed`."""
    with services.session() as s:
        actor = who.actor(s)
        return as_json(
            services.issues.change_status(
                s, actor, issue_id, body.status, version=body.version, resolution=body.resolution
            )
        )


@router.put("/issues/{issue_id}/tags", response_model=IssueView)
def set_tags(who: Who, issue_id: Id, body: TagsBody) -> Response:
    """Staff: replace the tags."""
    with services.session() as s:
        actor = who.actor(s)
        return as_json(
            services.issues.set_tags(s, actor, issue_id, body.tags, version=body.version)
        )


@router.put("/issues/{issue_id}/assignee", response_model=IssueView)
def set_assignee(who: Who, issue_id: Id, body: AssigneeBody) -> Response:
    """Staff: assign to an active maintainer or admin, or unassign with null."""
    with services.session() as s:
        actor = who.actor(s)
        return as_json(
            services.issues.assign(s, actor, issue_id, body.assignee_id, version=body.version)
        )


@router.get("/issues/{issue_id}/comments", response_model=list[CommentView])
def list_comments(who: Who, issue_id: Id) -> list[CommentView]:
    with services.session() as s:
        actor = who.actor(s)
        return services.comments.list_comments(s, actor, issue_id)


@router.post("/issues/{issue_id}/comments", response_model=CommentView, status_code=201)
def add_comment(
    who: Who, issue_id: Id, body: CommentBody, key: IdempotencyKey = None
) -> CommentView:
    """Comment in Markdown on an issue you may see. Send an `Idempotency-Key` to retry
    safely."""
    with services.session() as s:
        actor = who.actor(s)
        return services.comments.add_comment(
            s, actor, issue_id, body.model_dump(), idempotency_key=key
        )


@router.get("/issues/{issue_id}/activity", response_model=list[ActivityView])
def list_activity(who: Who, issue_id: Id) -> list[ActivityView]:
    """The timeline: every visible change, oldest first."""
    with services.session() as s:
        actor = who.actor(s)
        return services.activity.list_activity(s, actor, issue_id)


@router.post(
    "/issues/{issue_id}/attachments", response_model=AttachmentView, status_code=201, tags=["files"]
)
def upload(who: Who, issue_id: Id, file: Annotated[UploadFile, File()]) -> AttachmentView:
    """Attach a file (multipart field `file`) to an issue you may see."""
    with services.session() as s:
        actor = who.actor(s)
        return services.attachments.save_attachment(
            s, actor, issue_id, filename=file.filename or "file", content=file.file
        )


@router.get("/attachments/{attachment_id}", response_class=Response, tags=["files"])
def download(who: Who, attachment_id: Id) -> Response:
    """The file, as a download (`Content-Disposition: attachment`, `nosniff`, sandboxed)."""
    with services.session() as s:
        actor = who.actor(s)
        file = services.attachments.open_attachment(s, actor, attachment_id)
    return attachment_response(file, inline=False)


def as_json(model: BaseModel, status_code: int = 200) -> Response:
    """Serialise a view once. Returned as is, FastAPI would validate it again against the
    response model first: a third of the time of a list request."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
