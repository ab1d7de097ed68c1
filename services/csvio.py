"""CSV export and import of issues.

Export streams what the actor may see, with every cell that a spreadsheet would run as a
formula neutralised. Import validates every row first (a dry run reports all problems
row by row) and then writes all rows in one transaction, or none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import hooks, issues, markdown, queries, quotas
from .db import begin_write
from .errors import InvalidInput
from .events import ChangeEvent, emit
from .filters import IssueFilter, for_user
from .filters import build as build_filter
from .models import Issue
from .permissions import NOBODY, can_triage, load_actor, visible_reporter
from .schemas import Actor, IssueCreate, invalid_from

EXPORT_COLUMNS = [
    "id",
    "title",
    "description",
    "severity",
    "status",
    "tags",
    "reporter",
    "assignee",
    "created_at",
    "updated_at",
    "resolution",
    "duplicate_of",
    "affected",
]
IMPORT_COLUMNS = ("title", "description", "severity", "tags")
MAX_IMPORT_ROWS = 10_000
FORMULA_CHARS = ("=", "+", "-", "@")
FORMULA_START = (*FORMULA_CHARS, "\t", "\r")
BATCH = 500


def starts_formula(value: str) -> bool:
    """A spreadsheet may run the cell as a formula: it starts with = + - @ (or tab/CR), or
    has one after leading blanks (a CSV import may trim them, "Trim spaces" in Calc)."""
    return value.startswith(FORMULA_START) or value.lstrip().startswith(FORMULA_CHARS)


def neutralise(value: str) -> str:
    """Make a cell inert in spreadsheets: a cell that may start a formula gets a quote."""
    return "'" + value if starts_formula(value) else value


def export_rows(
    s: Session,
    actor: Actor,
    filters: IssueFilter | Mapping[str, Any] | None = None,
    **criteria: Any,
) -> Iterator[list[str]]:
    """The header, then one row per issue the actor may see (reporters: their own) that
    matches the filters (the list's, `filters.IssueFilter`; also as keywords), oldest first,
    fetched in batches. Cells are neutralised. The filters and the actor are checked at the
    call; the rows are read as they are consumed."""
    wanted = build_filter(IssueFilter, filters, criteria)
    user = load_actor(s, actor)
    reporter_id = visible_reporter(user, wanted.reporter_id)
    if reporter_id == NOBODY:
        return iter([export_header()])
    return _rows(s, for_user(wanted, user.id, reporter_id))


def export_header() -> list[str]:
    """The export's columns: the issue's, then what other parts add (services.hooks: the
    main fields read from files)."""
    return [*EXPORT_COLUMNS, *hooks.export_columns()]


def _ignored_on_import() -> frozenset[str]:
    """Columns an export has that an import may not set (status, reporter...)."""
    return frozenset(export_header()) - set(IMPORT_COLUMNS)


def _rows(s: Session, wanted: IssueFilter) -> Iterator[list[str]]:
    yield export_header()
    base = queries.filtered(select(Issue), wanted)
    reporter, assignee = queries.REPORTER, queries.ASSIGNEE
    last = 0
    while True:
        batch = s.execute(
            base.add_columns(reporter.email, assignee.email)
            .join(reporter, reporter.id == Issue.reporter_id)
            .outerjoin(assignee, assignee.id == Issue.assignee_id)
            .where(Issue.id > last)
            .order_by(Issue.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        ids = [row[0].id for row in batch]
        tags = queries.tags_of(s, ids)
        extra = hooks.export_cells(s, ids)
        for issue, reporter_email, assignee_email in batch:
            cells = [
                str(issue.id),
                hooks.masked(issue.title),
                hooks.masked(issue.description),
                issue.severity.value,
                issue.status.value,
                ";".join(tags.get(issue.id, [])),
                reporter_email,
                assignee_email or "",
                issue.created_at.isoformat(),
                issue.updated_at.isoformat(),
                issue.resolution.value if issue.resolution else "",
                str(issue.duplicate_of or ""),
                str(issue.affected),
                *extra[issue.id],
            ]
            yield [neutralise(c) for c in cells]
        last = batch[-1][0].id


def write_csv(rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text, a line at a time (for streaming responses and files)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


@dataclass
class ImportReport:
    """What an import found (and, unless a dry run, did)."""

    rows: int = 0
    valid: int = 0
    imported: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    issue_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_issues(
    s: Session,
    actor: Actor,
    source: TextIO,
    *,
    dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
) -> ImportReport:
    """Create one issue per CSV row (columns: title, description, severity, tags), as the
    actor. Every row is checked first; with any error nothing is written and the report
    lists each problem by row number (the header is row 1). Emits one issue/bulk event."""
    can_tag = can_triage(load_actor(s, actor))
    s.rollback()  # end the read: the write below takes SQLite's lock up front
    report, parsed = _parse(source, can_tag=can_tag)
    if not report.ok:
        return report
    if dry_run:  # says now whether the import would be over the actor's limit
        quotas.check_import(s, actor.id, len(parsed))
        return report
    rendered = [markdown.render(new.description) for new in parsed]  # before the write lock
    begin_write(s)
    user = load_actor(s, actor)
    quotas.check_import(s, user.id, len(parsed))
    for new, html in zip(parsed, rendered, strict=True):
        report.issue_ids.append(issues.insert_issue(s, user, new, html, imported=True).id)
        if progress:
            progress(1)
    report.imported = len(report.issue_ids)
    emit(s, ChangeEvent("issue", "bulk"))
    s.commit()
    return report


def _parse(source: TextIO, *, can_tag: bool) -> tuple[ImportReport, list[IssueCreate]]:
    report = ImportReport()
    try:
        reader = csv.DictReader(source)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except (csv.Error, UnicodeDecodeError) as e:
        raise InvalidInput(f"This is not a readable CSV file: {e}") from None
    if "title" not in header:
        raise InvalidInput(
            "The CSV needs a header row with at least a 'title' column "
            f"(columns: {', '.join(IMPORT_COLUMNS)})."
        )
    ignored = _ignored_on_import()
    unknown = [h for h in header if h not in IMPORT_COLUMNS and h not in ignored]
    if unknown:
        raise InvalidInput(
            f"Unknown column(s): {', '.join(unknown)}. Use: {', '.join(IMPORT_COLUMNS)}."
        )
    report.ignored_columns = sorted(set(header) & ignored)
    reader.fieldnames = header
    parsed: list[IssueCreate] = []
    try:
        for number, raw in enumerate(reader, start=2):
            report.rows += 1
            if report.rows > MAX_IMPORT_ROWS:
                raise InvalidInput(f"At most {MAX_IMPORT_ROWS} rows per import.")
            new = _row(raw, number, can_tag, report)
            if new is not None:
                parsed.append(new)
    except (csv.Error, UnicodeDecodeError) as e:
        raise InvalidInput(f"The CSV could not be read past row {report.rows + 1}: {e}") from None
    report.valid = len(parsed)
    return report, parsed


def _row(
    raw: dict[str, Any], number: int, can_tag: bool, report: ImportReport
) -> IssueCreate | None:
    def cell(name: str) -> str:
        value = raw.get(name) or ""
        value = value if isinstance(value, str) else ",".join(value)  # extra cells
        # Undo our own export's neutralising quote.
        return value[1:] if value.startswith("'") and starts_formula(value[1:]) else value

    if None in raw:
        report.errors.append({"row": number, "errors": {"row": "more cells than columns"}})
        return None
    tags = [t for t in cell("tags").replace(";", ",").split(",") if t.strip()]
    data: dict[str, Any] = {"title": cell("title"), "description": cell("description")}
    if cell("severity").strip():
        data["severity"] = cell("severity").strip().upper()
    if tags:
        if not can_tag:
            report.errors.append({"row": number, "errors": {"tags": "only staff can tag"}})
            return None
        data["tags"] = tags
    try:
        return IssueCreate.model_validate(data)
    except ValidationError as e:
        report.errors.append({"row": number, "errors": invalid_from(e).errors})
        return None
