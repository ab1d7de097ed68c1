"""Inputs (allow-listed fields, `extra="forbid"`) and views (frozen, never ORM objects)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from .enums import Resolution, Role, Severity, Status, Verb
from .errors import InvalidInput

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_COMMENT = 10_000
MAX_TAGS = 20
MAX_VIEW_NAME = 60
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,39}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _email(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 320 or not _EMAIL.match(value) or _CONTROL.search(value):
        raise ValueError("not a valid email address")
    return value


def _line(value: str) -> str:
    value = value.strip()
    if _CONTROL.search(value) or "\n" in value or "\r" in value:
        raise ValueError("must be a single line without control characters")
    return value


def _text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value.replace("\r\n", "\n")


def normalize_tag(value: str) -> str:
    tag = value.strip().lower()
    if not _TAG.match(tag):
        raise ValueError(
            f"tag {value!r} must be 1-40 characters of a-z, 0-9, '-', '_' or '.', "
            "starting with a letter or digit"
        )
    return tag


def _tags(values: list[str]) -> list[str]:
    tags = sorted({normalize_tag(v) for v in values})
    if len(tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return tags


Email = Annotated[str, AfterValidator(_email)]
Title = Annotated[str, AfterValidator(_line), Field(min_length=1, max_length=MAX_TITLE)]
Name = Annotated[str, AfterValidator(_line), Field(max_length=200)]
ViewName = Annotated[str, AfterValidator(_line), Field(min_length=1, max_length=MAX_VIEW_NAME)]
Description = Annotated[str, AfterValidator(_text), Field(max_length=MAX_DESCRIPTION)]
CommentBody = Annotated[str, AfterValidator(_text), Field(min_length=1, max_length=MAX_COMMENT)]
Tags = Annotated[list[str], AfterValidator(_tags)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=MAX_DESCRIPTION * 2)


class Registration(Input):
    email: Email
    password: str
    full_name: Name = ""


class UserCreate(Registration):
    role: Role = Role.REPORTER


class UserUpdate(Input):
    full_name: Name | None = None
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = None
    # Needed when admins change their own password, like everyone else.
    current_password: str | None = None


class IssueCreate(Input):
    title: Title
    description: Description = ""
    severity: Severity = Severity.MEDIUM
    tags: Tags = []


class IssueUpdate(Input):
    title: Title | None = None
    description: Description | None = None
    severity: Severity | None = None


class TagsInput(Input):
    tags: Tags


class CommentCreate(Input):
    body: CommentBody


InputT = TypeVar("InputT", bound=Input)


def parse(model: type[InputT], data: InputT | Mapping[str, Any]) -> InputT:
    """Validate a mapping (or pass a model through); errors become one InvalidInput."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise invalid_from(e) from None


def invalid_from(error: ValidationError) -> InvalidInput:
    """One InvalidInput in words people use ("Title is required."), with what is wrong per
    field in `errors` (the pages mark those fields, the API returns them)."""
    fields: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(p) for p in item["loc"]) or "body"
        fields.setdefault(name, plain_error(item))
    summary = " ".join(_sentence(_label(k), v) for k, v in fields.items())
    return InvalidInput(summary, fields)


def _sentence(label: str, problem: str) -> str:
    """ "Title is required." — or, for a message that is a sentence already, "sort: Unknown
    sort 'x'; use one of ..." """
    if problem[:1].isupper():
        return f"{label}: {problem.rstrip('.')}."
    return f"{label} {problem}."


def plain_error(item: Mapping[str, Any]) -> str:
    """What is wrong with one value, to follow its field's name: "is required"."""
    kind, ctx = item["type"], item.get("ctx") or {}
    short = kind in ("string_too_short", "too_short")
    if kind == "missing" or (short and ctx.get("min_length") == 1):
        return "is required"
    if kind == "string_too_short":
        return f"must be at least {ctx.get('min_length')} characters"
    # A text checked after it was trimmed reports "too_long", like a list.
    if kind == "string_too_long" or (kind == "too_long" and isinstance(item.get("input"), str)):
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "too_long":
        return f"can have at most {ctx.get('max_length')} items"
    if kind == "extra_forbidden":
        return "cannot be set here"
    if kind == "enum":
        return f"must be one of {ctx.get('expected', '').replace(chr(39), '')}"
    if kind in ("int_parsing", "int_type"):
        return "must be a whole number"
    if kind in ("string_type", "list_type", "bool_type", "bool_parsing"):
        return f"has the wrong type ({item['msg'].lower().removeprefix('input ')})"
    return str(item["msg"]).removeprefix("Value error, ")  # a sentence of its own


# Fields people fill in forms, by the name a form shows; any other is named as sent.
_LABELS = {
    "title": "Title",
    "description": "Description",
    "severity": "Severity",
    "body": "The comment",
    "tags": "Tags",
    "email": "Email",
    "password": "Password",
    "full_name": "Name",
    "name": "Name",
    "query": "Query",
}


def _label(name: str) -> str:
    return _LABELS.get(name, name)


class View(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class _Named:
    """For the views of a person (not a model: their fields and JSON stay as declared)."""

    if TYPE_CHECKING:
        email: str
        full_name: str

    @property
    def shown_name(self) -> str:
        """The name a person is shown by: their full name, or the email of someone without
        one (lists, pickers, menus, mail). Not part of the JSON."""
        return self.full_name or self.email


class UserRef(View, _Named):
    id: int
    email: str
    full_name: str


class Actor(View, _Named):
    """Who is acting. Services re-read the user row, so a stale Actor grants nothing."""

    id: int
    email: str
    full_name: str
    role: Role
    is_active: bool = True


class UserView(Actor):
    created_at: dt.datetime
    last_login_at: dt.datetime | None = None
    locked_until: dt.datetime | None = None


class AttachmentView(View):
    id: int
    issue_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploader: UserRef
    created_at: dt.datetime


class IssueSummary(View):
    id: int
    title: str
    severity: Severity
    status: Status
    tags: list[str]
    reporter: UserRef
    assignee: UserRef | None = None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    signatures: list[str] = []  # crash signatures found in the issue or its files
    duplicate_of: int | None = None  # closed as a duplicate of this issue
    affected: int = 1  # reporters it affects: its own and its duplicates', each once
    resolution: Resolution | None = None  # how it ended, while DONE

    @property
    def reporter_id(self) -> int:
        """So a view can be handed to the `permissions.can_*` predicates."""
        return self.reporter.id


class IssueView(IssueSummary):
    description: str
    description_html: str
    attachments: list[AttachmentView] = []
    original_status: Status | None = None  # a duplicate's original: where it stands


class CommentView(View):
    id: int
    issue_id: int
    author: UserRef
    body: str
    body_html: str
    created_at: dt.datetime


class ActivityView(View):
    id: int
    issue_id: int
    actor: UserRef | None
    verb: Verb
    field: str
    old_value: str | None
    new_value: str | None
    created_at: dt.datetime
    old_label: str | None = None  # for people: the assignee's name where the value is an id
    new_label: str | None = None


class DailyCount(View):
    day: dt.date
    status: Status
    severity: Severity
    count: int


ItemT = TypeVar("ItemT")


class Page(View, Generic[ItemT]):
    items: list[ItemT]
    total: int
    # True when `total` is a lower bound: counting further would read every match
    # (services.queries.COUNT_CAP), so "10,000+" is shown.
    total_capped: bool = False
    page: int
    page_size: int


# Parametrised once: `Page[X](...)` in a hot path would rebuild the generic class each time.
IssuePage = Page[IssueSummary]
UserPage = Page[UserView]
