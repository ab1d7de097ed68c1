"""Which issues a list shows, in one schema: the list (`issues.list_issues`), the CSV export
(`csvio.export_rows`), the API's query parameters and the list page's URL all build an
`IssueFilter` (the export) or an `IssueQuery` (the rest: the filter and a sort), so a
filter one of them offers the others honour too. `query_from_url` and `url_of` read and
spell the list page's URL (saved views keep it).

Bad values raise InvalidInput naming the value and what is allowed. Who may see what is not
decided here: the services narrow every filter with `permissions.visible_reporter`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlencode

from pydantic import ConfigDict, Field, ValidationError, field_validator

from .enums import Severity, Status
from .errors import InvalidInput
from .schemas import Input, parse

SORTS = ("updated", "created", "severity", "status", "title", "id", "affected", "relevance")
DEFAULT_SORT = "-updated"
RELEVANCE = "relevance"  # the default when `q` is given (services.fulltext)
MAX_Q = 200
MAX_REPORTER = 100
MAX_TAG = 40
MAX_ID = 2**31 - 1  # an INTEGER column: anything larger can only match nothing


class IssueFilter(Input):
    """What an issue must match; every field is optional, all given ones must hold."""

    model_config = ConfigDict(frozen=True)

    status: tuple[Status, ...] = ()
    severity: tuple[Severity, ...] = ()
    tag: str | None = Field(None, max_length=MAX_TAG)
    reporter_id: int | None = Field(None, ge=1, le=MAX_ID)
    reporter: str | None = Field(None, max_length=MAX_REPORTER)  # part of name or email
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)
    assignee: Literal["me"] | None = None  # the issues assigned to whoever asks
    unassigned: bool = False  # only issues nobody is assigned to
    q: str | None = Field(None, max_length=MAX_Q)  # part of the title, description or files
    signature: str | None = Field(None, max_length=64)  # a crash signature's fingerprint
    affected_min: int | None = Field(None, ge=1, le=MAX_ID)  # affects at least this many people

    @field_validator("status", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> tuple[str, ...]:
        return _known(Status, value, "status")

    @field_validator("severity", mode="before")
    @classmethod
    def _severities(cls, value: Any) -> tuple[str, ...]:
        return _known(Severity, value, "severity")

    @field_validator("tag", "reporter", "q", "signature", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        """Surrounding blanks mean nothing; an empty text is no filter."""
        if isinstance(value, str):
            return value.strip() or None
        return value


class IssueQuery(IssueFilter):
    """A filter and the order of the list: a key of SORTS, '-' first for descending, or
    empty for the default (`order`)."""

    sort: str = ""

    @property
    def order(self) -> str:
        """The sort in effect: the one chosen, else relevance for a search, else the most
        recently updated first. Relevance without a search is the latter too."""
        sort = self.sort or (RELEVANCE if self.q else DEFAULT_SORT)
        if sort.removeprefix("-") == RELEVANCE:  # it has one direction
            return RELEVANCE if self.q else DEFAULT_SORT
        return sort

    @field_validator("sort", mode="before")
    @classmethod
    def _sort(cls, value: Any) -> Any:
        if value is None or value == "":
            return ""
        if not isinstance(value, str) or value.removeprefix("-") not in SORTS:
            raise ValueError(
                f"Unknown sort {value!r}; use one of {', '.join(SORTS)} "
                "(prefix '-' for descending)."
            )
        return value


FilterT = TypeVar("FilterT", bound=IssueFilter)


def for_user(f: FilterT, user_id: int, reporter_id: int | None) -> FilterT:
    """The filter as it applies to this user: `assignee=me` becomes their id, and the
    reporter filter is the one their role allows (`permissions.visible_reporter`)."""
    changes: dict[str, Any] = {"reporter_id": reporter_id}
    if f.assignee == "me":
        changes |= {"assignee_id": user_id, "assignee": None}
    return f.model_copy(update=changes)


def build(
    model: type[FilterT], given: FilterT | Mapping[str, Any] | None, criteria: Mapping[str, Any]
) -> FilterT:
    """A filter from a ready one, a mapping, keyword criteria, or both (the keywords win):
    `list_issues(s, me, {"status": "OPEN"})` and `list_issues(s, me, status="OPEN")` agree."""
    if isinstance(given, model) and not criteria:
        return given
    base = given.model_dump(exclude_defaults=True) if isinstance(given, Input) else given or {}
    return parse(model, {**base, **criteria})


def lenient(model: type[FilterT], data: Mapping[str, Any]) -> FilterT:
    """A filter from untrusted state such as a bookmarked URL: the fields that do not
    validate are left out instead of failing the whole page."""
    values = dict(data)
    while True:
        try:
            return model.model_validate(values)
        except ValidationError as e:
            bad = {str(err["loc"][0]) for err in e.errors() if err["loc"]} & values.keys()
            if not bad:
                return model()
            values = {k: v for k, v in values.items() if k not in bad}


def _known(enum: type[Status] | type[Severity], value: Any, name: str) -> tuple[str, ...]:
    """Values as a tuple from None, one value, comma-separated values or an iterable of
    them; unknown ones are named in the error."""
    if value is None:
        return ()
    if not isinstance(value, str | list | tuple | set | frozenset):
        raise ValueError(f"{name} is a value or a list of values, not {value!r}")
    items: Iterable[Any] = [value] if isinstance(value, str) else value
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"each {name} is a name such as {next(iter(enum)).value}")
    values = tuple(v.strip() for item in items for v in item.split(",") if v.strip())
    allowed = [m.value for m in enum]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"Unknown {name} {', '.join(bad)}; use one of {', '.join(allowed)}.")
    return tuple(v for v in allowed if v in values)  # once each, in their own order


# The list page's URL parameters and the IssueQuery field each stands for, in the order a
# URL spells them (pages.issue_list.ListState; `page` and `per` are the page's, not a filter).
URL_FIELDS = {
    "q": "q",
    "tag": "tag",
    "status": "status",
    "severity": "severity",
    "reporter": "reporter_id",
    "who": "reporter",
    "signature": "signature",
    "assignee": "assignee",
    "unassigned": "unassigned",
    "sort": "sort",
}
_REPEATED = ("status", "severity")
MAX_URL_FIELDS = 100


def query_from_url(text: str, *, forgiving: bool = False) -> IssueQuery:
    """The IssueQuery of a list URL's query string (a leading '?' allowed): parameters that
    are not filters or the sort (paging, anything else) are ignored; a bad value raises
    InvalidInput naming it, or with `forgiving` (a URL anyone may have typed) is left out."""
    try:
        pairs = parse_qsl(text.strip().removeprefix("?"), max_num_fields=MAX_URL_FIELDS)
    except ValueError:
        raise InvalidInput(f"A list URL has at most {MAX_URL_FIELDS} parameters.") from None
    given: dict[str, Any] = {}
    for name, value in pairs:
        field = URL_FIELDS.get(name)
        if field in _REPEATED:
            given.setdefault(field, []).append(value)
        elif field is not None and value.strip():
            given[field] = value  # the last one wins, as in the page's URL
    return lenient(IssueQuery, given) if forgiving else parse(IssueQuery, given)


def url_of(query: IssueQuery) -> str:
    """The canonical query string of a list: filters then the sort (left out when it is the
    default, empty), statuses and severities once each in their own order, nothing empty."""
    values = query.model_dump(mode="json")
    pairs: list[tuple[str, Any]] = []
    for name, field in URL_FIELDS.items():
        value = values[field]
        if field in _REPEATED:
            order = Status if field == "status" else Severity
            pairs += [(name, m.value) for m in order if m.value in value]
        elif field == "unassigned":
            pairs.append((name, "true" if value else None))
        elif field == "sort":
            default = RELEVANCE if query.q else DEFAULT_SORT
            pairs.append((name, None if value in ("", default) else value))
        else:
            pairs.append((name, value))
    return urlencode([(k, v) for k, v in pairs if v])
