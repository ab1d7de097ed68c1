"""Query helpers shared by the issue services: the views, a filter and an order applied to
an issue query (`filters.IssueFilter`, `filters.IssueQuery`), counts, tags (read, and
created on first use)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    bindparam,
    case,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean

from . import fulltext, hooks, markdown
from .enums import SEVERITY_RANK, STATUS_RANK
from .filters import IssueFilter
from .fulltext import escape_like
from .models import Attachment, Issue, IssueTag, Tag, User
from .schemas import AttachmentView, IssueSummary, IssueView, UserRef

REPORTER = aliased(User, name="reporter")
ASSIGNEE = aliased(User, name="assignee")
SUMMARY_COLUMNS = (
    Issue.id,
    Issue.title,
    Issue.severity,
    Issue.status,
    Issue.version,
    Issue.created_at,
    Issue.updated_at,
    Issue.duplicate_of,
    Issue.affected,
    Issue.resolution,
)
MAX_PAGE_SIZE = 100
COUNT_CAP = 10_000  # list totals beyond this say "10,000+"
SEARCH_COUNT_CAP = 1_000  # a text search's: each match counted is a text read ("1,000+")


def issue_view(s: Session, issue: Issue) -> IssueView:
    """The full view of one loaded issue (whose visibility the caller has checked)."""
    issue_id = issue.id
    summary = _summaries(s, s.execute(_ONE_SUMMARY, {"one_issue": issue_id}).all())[0]
    return IssueView(
        **summary.model_dump(exclude={"reporter", "assignee"}),
        reporter=summary.reporter,
        assignee=summary.assignee,
        description=issue.description,
        description_html=markdown.shown(issue.description_html),
        attachments=attachment_views(s, issue_id),
        original_status=s.scalar(select(Issue.status).where(Issue.id == issue.duplicate_of))
        if issue.duplicate_of is not None
        else None,
    )


def created_view(s: Session, issue: Issue) -> IssueView:
    """`issue_view` of an issue this transaction has just inserted, from what the session
    holds: its row, its reporter (the actor, loaded), no assignee, no files, not a
    duplicate. Only its tags and crash signatures are read (one query instead of three)."""
    tags, signatures = labels_of(s, [issue.id])
    reporter = s.get_one(User, issue.reporter_id)
    return IssueView.model_construct(
        id=issue.id,
        title=issue.title,
        severity=issue.severity,
        status=issue.status,
        tags=tags.get(issue.id, []),
        reporter=UserRef.model_construct(
            id=reporter.id, email=reporter.email, full_name=reporter.full_name
        ),
        assignee=None,
        version=issue.version,
        created_at=issue.created_at,
        updated_at=issue.updated_at,
        signatures=signatures.get(issue.id, []),
        duplicate_of=None,
        affected=issue.affected,
        resolution=None,
        description=issue.description,
        description_html=markdown.shown(issue.description_html),
        attachments=[],
        original_status=None,
    )


def summaries(s: Session, query: Select[Issue]) -> list[IssueSummary]:
    """Run an issue query and build summaries with reporter, assignee and tags (2 queries).
    Only the needed columns are read (no ORM objects, no descriptions): lists are hot."""
    return _summaries(s, s.execute(_summary_select(query)).all())


def _summary_select(query: Select[Issue]) -> Select[*tuple[Any, ...]]:
    reporter, assignee = REPORTER, ASSIGNEE
    stmt: Select[*tuple[Any, ...]] = (
        query.with_only_columns(
            *SUMMARY_COLUMNS,
            reporter.id,
            reporter.email,
            reporter.full_name,
            assignee.id,
            assignee.email,
            assignee.full_name,
            maintain_column_froms=True,
        )
        .join(reporter, reporter.id == Issue.reporter_id)
        .outerjoin(assignee, assignee.id == Issue.assignee_id)
    )
    return stmt


# One issue's summary, built once: every view of an issue (a read, or the answer of a write).
_ONE_SUMMARY = _summary_select(select(Issue).where(Issue.id == bindparam("one_issue")))


def _summaries(s: Session, rows: Sequence[Any]) -> list[IssueSummary]:
    tags, signatures = labels_of(s, [row[0] for row in rows])
    people: dict[tuple[Any, ...], UserRef] = {}  # a page holds few people, many times

    def ref(rid: int, email: str, name: str) -> UserRef:
        found = people.get((rid, email, name))
        if found is None:
            found = people[rid, email, name] = UserRef.model_construct(
                id=rid, email=email, full_name=name
            )
        return found

    # Trusted data straight from the database: build the views without re-validating.
    return [
        IssueSummary.model_construct(
            id=issue_id,
            title=title,
            severity=severity,
            status=status,
            tags=tags.get(issue_id, []),
            reporter=ref(rid, remail, rname),
            assignee=ref(aid, aemail, aname) if aid is not None else None,
            version=version,
            created_at=created_at,
            updated_at=updated_at,
            signatures=signatures.get(issue_id, []),
            duplicate_of=duplicate_of,
            affected=affected,
            resolution=resolution,
        )
        for (
            issue_id,
            title,
            severity,
            status,
            version,
            created_at,
            updated_at,
            duplicate_of,
            affected,
            resolution,
            rid,
            remail,
            rname,
            aid,
            aemail,
            aname,
        ) in rows
    ]


def labels_of(
    s: Session, issue_ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """The tags and the crash signatures of issues, each sorted, in one query."""
    tags: dict[int, list[str]] = defaultdict(list)
    signatures: dict[int, list[str]] = defaultdict(list)
    if not issue_ids:
        return tags, signatures
    for issue_id, label, kind in s.execute(_labels_query(), {"issue_ids": list(issue_ids)}):
        (signatures if kind else tags)[issue_id].append(label)
    return tags, signatures


ISSUE_IDS: BindParameter[Any] = bindparam("issue_ids", expanding=True)
_labels: dict[tuple[object, ...], Any] = {}


def _labels_query() -> Any:
    """`labels_of`'s union, built once for the signature finders registered: every list
    runs it, and a statement built once is also keyed for the compiled cache once."""
    finders = hooks.signature_finders()
    query = _labels.get(finders)
    if query is None:
        parts: list[Any] = [
            select(IssueTag.issue_id, Tag.name.label("label"), literal_column("0").label("kind"))
            .join(Tag, Tag.id == IssueTag.tag_id)
            .where(IssueTag.issue_id.in_(ISSUE_IDS))
        ]
        signatures = hooks.signature_selects(ISSUE_IDS)
        parts += [part.add_columns(literal_column("1")) for part in signatures]
        query = union_all(*parts).order_by(literal_column("kind"), literal_column("label"))
        _labels[finders] = query
    return query


def tags_of(s: Session, issue_ids: Sequence[int]) -> dict[int, list[str]]:
    if not issue_ids:
        return {}
    out: dict[int, list[str]] = defaultdict(list)
    rows = s.execute(
        select(IssueTag.issue_id, Tag.name)
        .join(Tag, Tag.id == IssueTag.tag_id)
        .where(IssueTag.issue_id.in_(issue_ids))
        .order_by(Tag.name)
    )
    for issue_id, name in rows:
        out[issue_id].append(name)
    return out


def attachment_views(s: Session, issue_id: int) -> list[AttachmentView]:
    rows = s.execute(_ATTACHMENTS, {"issue_id": issue_id})
    return [attachment_view(a, u) for a, u in rows]


_ATTACHMENTS = (  # built once: every view of an issue reads them
    select(Attachment, User)
    .join(User, User.id == Attachment.uploader_id)
    .where(Attachment.issue_id == bindparam("issue_id"))
    .order_by(Attachment.id)
)


def attachment_view(a: Attachment, uploader: User) -> AttachmentView:
    return AttachmentView(
        id=a.id,
        issue_id=a.issue_id,
        filename=a.filename,
        content_type=a.content_type,
        size=a.size,
        sha256=a.sha256,
        uploader=UserRef.model_validate(uploader),
        created_at=a.created_at,
    )


def ensure_tags(s: Session, names: Iterable[str]) -> list[int]:
    """Ids of the named tags, creating missing ones (safe against concurrent creators)."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    s.execute(insert(Tag).values([{"name": n} for n in wanted]).on_conflict_do_nothing())
    return list(s.scalars(select(Tag.id).where(Tag.name.in_(wanted))))


class Likely(FunctionElement[bool]):
    """A condition most rows meet. SQLite keeps no statistics here, so its planner is told
    (`likely(...)`) and reads the index of the rarer condition beside it; PostgreSQL has
    statistics and gets the condition as it is."""

    type = Boolean()
    inherit_cache = True


@compiles(Likely)
def _likely(element: Likely, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(Likely, "sqlite")
def _likely_sqlite(element: Likely, compiler: Any, **kw: Any) -> str:
    return f"likely({compiler.process(element.clauses, **kw)})"


def filtered(query: Select[Issue], f: IssueFilter) -> Select[Issue]:
    """Apply an issue filter (validated by its schema; the caller has narrowed its
    reporter to what the actor may see)."""
    if f.status:
        statuses = Issue.status.in_(f.status)
        # Beside one reporter or `affected_min` (a few issues, through their indexes) the
        # statuses are no help: most issues have one of the few there are.
        rarer = f.reporter_id is not None or f.affected_min is not None
        query = query.where(Likely(statuses) if rarer else statuses)
    if f.severity:
        query = query.where(Issue.severity.in_(f.severity))
    if _holds_nul(f.tag, f.reporter, f.q, f.signature):
        # Stored text never holds a NUL (inputs refuse it) and PostgreSQL refuses one in a
        # query (SQLite would cut the pattern short): such a filter matches nothing.
        return query.where(false())
    if f.tag:
        tagged = select(IssueTag.issue_id).join(Tag, Tag.id == IssueTag.tag_id)
        query = query.where(Issue.id.in_(tagged.where(Tag.name == f.tag.lower())))
    if f.reporter_id is not None:
        query = query.where(Issue.reporter_id == f.reporter_id)
    if f.reporter:
        pattern = f"%{escape_like(f.reporter.lower())}%"
        people = select(User.id).where(
            or_(
                User.email.like(pattern, escape="\\"),
                func.lower(User.full_name).like(pattern, escape="\\"),
            )
        )
        query = query.where(Issue.reporter_id.in_(people))
    if f.assignee_id is not None:
        query = query.where(Issue.assignee_id == f.assignee_id)
    if f.unassigned:
        query = query.where(Issue.assignee_id.is_(None))
    if f.affected_min is not None:
        query = query.where(Issue.affected >= f.affected_min)
    if f.q:
        found = fulltext.terms(f.q)
        matches: list[ColumnElement[bool]] = [fulltext.matching(found)] if found else []
        if (number := _issue_number(f.q)) is not None:
            matches.append(Issue.id == number)  # "#207" or "207" finds issue 207
        query = query.where(or_(*matches) if matches else false())
    if f.signature:
        with_it = hooks.issue_ids("signature", f.signature)
        query = query.where(false() if with_it is None else Issue.id.in_(with_it))
    return query


_SORT_COLUMNS: dict[str, Any] = {  # built once: lists are hot
    "updated": Issue.updated_at,
    "created": Issue.created_at,
    "title": func.lower(Issue.title),
    "id": Issue.id,
    "affected": Issue.affected,
    "severity": case(SEVERITY_RANK, value=Issue.severity),
    "status": case(STATUS_RANK, value=Issue.status),
}


def ordered(query: Select[Issue], sort: str) -> Select[Issue]:
    """Order by a sort key of `filters.SORTS` (validated by IssueQuery); a leading '-'
    means descending. Ties break on id."""
    column = _SORT_COLUMNS[sort.removeprefix("-")]
    descending = sort.startswith("-")
    return query.order_by(
        column.desc() if descending else column.asc(),
        Issue.id.desc() if descending else Issue.id.asc(),
    )


def count(s: Session, query: Select[Issue]) -> int:
    """How many rows a filtered issue query matches. COUNT(*), not COUNT(id): PostgreSQL
    reads every row for the latter (id is not in the status index), 236 ms against 29 ms
    for the open issues of a million."""
    counted = query.with_only_columns(func.count(), maintain_column_froms=True)
    return s.scalar(counted.order_by(None)) or 0


def count_capped(s: Session, query: Select[Issue], cap: int) -> tuple[int, bool]:
    """How many rows a filtered issue query matches, counting no further than `cap`:
    (count, False), or (cap, True) when there are more. The database stops reading at the
    cap instead of visiting every match."""
    ones: Select[Any] = query.with_only_columns(literal_column("1"), maintain_column_froms=True)
    limited = ones.order_by(None).limit(cap + 1).subquery()
    n = s.scalar(select(func.count()).select_from(limited)) or 0
    return (cap, True) if n > cap else (n, False)


def short_queries(s: Session) -> None:
    """PostgreSQL: no parallel workers for the rest of this transaction. A list's queries
    stop after a page; starting workers cost 30-50 ms each on a 2-core machine, more than
    the queries themselves (`python -m bench search`)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def ranked(s: Session, query: Select[Issue], q: str, start: int, size: int) -> list[IssueSummary]:
    """A page of the matches of search `q` among `query`'s issues, by relevance
    (services.fulltext): the issue whose number `q` is, then those with every term in their
    title, then the rest; the most recently updated first in each. Each tier is its own
    ordered query that stops once the page is full, so a common word costs no more than a
    rare one."""
    if _holds_nul(q):
        return []  # as `filtered`
    found = fulltext.terms(q)
    tiers: list[ColumnElement[bool]] = []
    if (number := _issue_number(q)) is not None:
        tiers.append(Issue.id == number)
    if found:
        tiers += [fulltext.matching(found, "title"), fulltext.matching(found, "body_only")]
    wanted = start + size
    ids: list[int] = []
    seen: set[int] = set()
    for tier in tiers:
        tier_ids = s.scalars(
            query.where(tier)
            .with_only_columns(Issue.id)
            .order_by(Issue.updated_at.desc(), Issue.id.desc())
            .limit(wanted)
        )
        for i in tier_ids:
            if i not in seen:
                seen.add(i)
                ids.append(i)
        if len(ids) >= wanted:
            break
    page = ids[start:wanted]
    if not page:
        return []
    by_id = {i.id: i for i in summaries(s, select(Issue).where(Issue.id.in_(page)))}
    return [by_id[i] for i in page if i in by_id]


def _holds_nul(*texts: str | None) -> bool:
    """Stored text never holds a NUL (inputs refuse it), so a filter with one matches
    nothing."""
    return any("\x00" in text for text in texts if text)


def _issue_number(text: str) -> int | None:
    digits = text.strip().removeprefix("#")
    if digits.isascii() and digits.isdigit() and 0 < int(digits) < 2**31:
        return int(digits)
    return None
