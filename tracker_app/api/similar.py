"""Similar and duplicate issues: suggestions for a draft and marking a duplicate. The same
visibility rules as the pages: a reporter's suggestions hold only their own issues, plus
`hidden_match` when someone else's issue matches strongly (nothing more about it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

import services
from services import IssueView

from .deps import Id, Who
from .models import Body

router = APIRouter(tags=["issues"])


class SimilarItem(BaseModel):
    id: int
    title: str
    status: services.Status
    score: float = Field(description="0 to 1; likely_duplicate above the fitted threshold")
    reasons: list[str] = Field(examples=[["similar title", "same crash signature"]])
    likely_duplicate: bool


class SimilarIssues(BaseModel):
    items: list[SimilarItem]
    mode: str = Field(description='"model", or "lexical" when no similarity model is installed')
    hidden_match: bool = Field(
        description="for a reporter: an issue they may not see matches strongly; the team "
        "will link it"
    )


class DuplicateBody(Body):
    of: int = Field(ge=1, examples=[12], description="the original (not itself a duplicate)")
    version: int = Field(examples=[3], description="the version of the duplicate you read")


@router.get("/issues/similar", response_model=SimilarIssues)
def similar_issues(
    who: Who,
    title: Annotated[str, Query(max_length=200)] = "",
    description: Annotated[
        str, Query(max_length=1000, description="its beginning is enough (URLs stay short)")
    ] = "",
) -> SimilarIssues:
    """Up to five issues like this draft, best first, with a score and why."""
    with services.session() as s:
        found = services.suggest.similar_to_draft(s, who.actor(s), title, description)
    return SimilarIssues(
        items=[SimilarItem(**vars(i)) for i in found.items],
        mode=found.mode,
        hidden_match=found.hidden_match,
    )


@router.get("/issues/{issue_id}/similar", response_model=SimilarIssues)
def possible_duplicates(who: Who, issue_id: Id) -> SimilarIssues:
    """Issues that may be the same as this one (a reporter: only their own)."""
    with services.session() as s:
        found = services.suggest.possible_duplicates(s, who.actor(s), issue_id)
    return SimilarIssues(
        items=[SimilarItem(**vars(i)) for i in found.items],
        mode=found.mode,
        hidden_match=found.hidden_match,
    )


@router.post("/issues/{issue_id}/duplicate", response_model=IssueView)
def mark_duplicate(who: Who, issue_id: Id, body: DuplicateBody) -> IssueView:
    """Staff: close this issue as a duplicate of `of` (status DONE, `duplicate_of` set;
    nothing else moves). A stale `version` gets 409 with the issue; reopening undoes it."""
    with services.session() as s:
        actor = who.actor(s)
        return services.duplicates.mark_duplicate(s, actor, issue_id, body.of, version=body.version)
