"""Bulk edit: one request changes many issues (staff), each checked on its own."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

import services
from services import IssueFilter
from services.bulk import MAX_ISSUES, BulkChanges, BulkResult

from .deps import Who
from .models import Body

router = APIRouter(tags=["issues"])


class BulkBody(Body):
    ids: list[int] | None = Field(
        default=None, examples=[[12, 15, 31]], description="the issues to change; or `filter`"
    )
    versions: dict[int, int] | None = Field(
        default=None,
        examples=[{"12": 3, "15": 1}],
        description="optional, with `ids`: the version you read of each; a stale one leaves "
        "that issue alone and says so",
    )
    filter: IssueFilter | None = Field(
        default=None,
        examples=[{"status": ["OPEN"], "tag": "ui"}],
        description="every issue you may see that matches the list's filters (the fields of "
        f"GET /issues), at most {MAX_ISSUES}",
    )
    changes: BulkChanges = Field(
        examples=[{"status": "TRIAGED", "assignee_id": 2, "add_tags": ["ui"]}],
        description="status (with resolution for DONE), severity, assignee_id (null "
        "unassigns), tags (replace) or add_tags/remove_tags, comment",
    )


@router.post("/issues/bulk", response_model=BulkResult)
def bulk_update(who: Who, body: BulkBody) -> BulkResult:
    """Staff: change many issues at once. Each issue is checked against its own version and
    the workflow like a single change; what cannot change is reported in its item (`ok`
    false, `error` such as "#12: Cannot move from IN_PROGRESS to OPEN…") and left untouched,
    the rest is applied. A request that is wrong as a whole (no change, no issues, more than
    1000) is a 422 and changes nothing."""
    with services.session() as s:
        return services.bulk.bulk_update(
            s,
            who.actor(s),
            body.changes,
            ids=body.ids,
            versions=body.versions,
            filter=body.filter,
        )
