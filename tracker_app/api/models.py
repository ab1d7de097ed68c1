"""Request and response bodies of the HTTP API that are not service views. Bodies refuse
unknown fields, so nobody sets `status`, `reporter_id`, `role` or `version` by accident."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services import Resolution, Severity, Status
from services.schemas import Description, Email, Name, Title


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenRequest(Body):
    email: str = Field(examples=["ana.admin@example.com"])
    password: str = Field(examples=["correct horse battery staple"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the scheme's name, not a secret)
    expires_in: int = Field(description="seconds until the token expires")


class RegisterRequest(Body):
    email: Email = Field(examples=["rita@example.com"])
    password: str = Field(examples=["a long enough passphrase"])
    full_name: Name = Field(default="", examples=["Rita Reporter"])


class IssuePatch(Body):
    """Fields to change, and the version you read (a stale one gets 409 with the issue)."""

    title: Title | None = None
    description: Description | None = None
    severity: Severity | None = None
    version: int = Field(examples=[3])

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"severity": "HIGH", "version": 3}]},
    )


class StatusChange(Body):
    status: Status = Field(examples=["TRIAGED"])
    version: int = Field(examples=[3])
    resolution: Resolution | None = Field(
        default=None,
        description="with DONE: fixed (the default), wont_fix, duplicate, invalid or withdrawn",
        examples=["wont_fix"],
    )


class TagsBody(Body):
    tags: list[str] = Field(examples=[["ui", "regression"]])
    version: int | None = Field(default=None, description="optional: refuse if stale")


class AssigneeBody(Body):
    assignee_id: int | None = Field(examples=[2], description="null to unassign")
    version: int | None = Field(default=None, description="optional: refuse if stale")


class CommentBody(Body):
    body: str = Field(examples=["Reproduced on **Firefox** too."])


class ImportResult(BaseModel):
    dry_run: bool
    rows: int
    valid: int
    imported: int
    ignored_columns: list[str]
    errors: list[dict[str, Any]]
    issue_ids: list[int]


class Problem(BaseModel):
    """Every error: {"detail": "..."} plus, where useful, more."""

    detail: Any
