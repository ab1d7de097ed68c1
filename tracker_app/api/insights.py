"""Counts, daily statistics, and CSV import."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse

import services

from .deps import Who
from .models import ImportResult

router = APIRouter()


@router.get(
    "/stats/open-by-severity",
    response_model=dict[str, int],
    tags=["stats"],
    responses={
        200: {
            "content": {
                "application/json": {"example": {"LOW": 3, "MEDIUM": 7, "HIGH": 2, "CRITICAL": 1}}
            }
        }
    },
)
def open_by_severity(who: Who) -> dict[str, int]:
    """Issues not DONE, per severity (a reporter gets their own counts)."""
    with services.session() as s:
        actor = who.actor(s)
        return services.stats.open_by_severity(s, actor)


@router.get("/stats/daily", tags=["stats"])
def daily(
    who: Who,
    since: Annotated[dt.date | None, Query(description="YYYY-MM-DD, inclusive")] = None,
    until: Annotated[dt.date | None, Query(description="YYYY-MM-DD, inclusive")] = None,
) -> dict[str, list[dict[str, Any]]]:
    """Staff: the daily_stats rows (counts per day, status and severity)."""
    with services.session() as s:
        actor = who.actor(s)
        rows = services.stats.daily_series(s, actor, since=since, until=until)
    return {
        "items": [
            {
                "day": r.day.isoformat(),
                "status": r.status.value,
                "severity": r.severity.value,
                "count": r.count,
            }
            for r in rows
        ]
    }


@router.post(
    "/issues/import",
    response_model=ImportResult,
    tags=["csv"],
    responses={422: {"description": "rows with errors; nothing was imported"}},
)
def import_csv(
    who: Who,
    file: Annotated[UploadFile, File(description="CSV: title, description, severity, tags")],
    dry_run: bool = True,
) -> Any:
    """Create issues from a CSV file, as yourself. With `dry_run=true` (the default) only
    check and report row by row; with `dry_run=false` import every row or, if any row is
    wrong, none."""
    text = io.TextIOWrapper(file.file, encoding="utf-8-sig", newline="")
    with services.session() as s:
        actor = who.actor(s)
        report = services.csvio.import_issues(s, actor, text, dry_run=dry_run)
    result = ImportResult(
        dry_run=dry_run,
        rows=report.rows,
        valid=report.valid,
        imported=report.imported,
        ignored_columns=report.ignored_columns,
        errors=report.errors,
        issue_ids=report.issue_ids,
    )
    if report.errors and not dry_run:
        body = {"detail": f"{len(report.errors)} row(s) have errors; nothing was imported."}
        return JSONResponse(body | result.model_dump(), status_code=422)
    return result
