"""What the tracker read from files: an attachment's analysis (and its correction), crash
signatures and invoice sums. The same rules as the pages: whoever may see a file may see its
analysis, only staff correct, a reporter's counts cover their own issues."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

import services
from services.intake import AnalysisView, InvoiceSum, SignatureStat

from .deps import Id, Who

router = APIRouter(tags=["files"])


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[str, str | None]


class Signatures(BaseModel):
    items: list[SignatureStat]


class Invoices(BaseModel):
    items: list[InvoiceSum]


@router.get("/attachments/{attachment_id}/analysis", response_model=AnalysisView)
def analysis(who: Who, attachment_id: Id) -> AnalysisView:
    """What was read from the file: `status` (pending, done, failed, skipped), `kind`,
    `fields` (staff corrections applied; `corrected` names them), `text` (secrets masked),
    `findings` (stack traces with their `fingerprint`, ZIP entries...), `extractor`,
    `analysed_at`, and `error` when it failed."""
    with services.session() as s:
        actor = who.actor(s)
        return services.intake.analysis_of_attachment(s, actor, attachment_id)


@router.patch("/attachments/{attachment_id}/analysis", response_model=AnalysisView)
def correct(who: Who, attachment_id: Id, body: Correction) -> AnalysisView:
    """Staff: correct fields (`{"fields": {"vendor": "ACME"}}`; `null` undoes a
    correction). A correction wins over what was read, survives every re-read and is in the
    issue's timeline."""
    with services.session() as s:
        actor = who.actor(s)
        return services.intake.correct_fields(s, actor, attachment_id, body.fields)


@router.get("/stats/signatures", response_model=Signatures, tags=["stats"])
def signatures(
    who: Who,
    since: Annotated[
        dt.date | None, Query(description="first seen on or after, YYYY-MM-DD")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """Crash signatures by the number of issues they appear in: `fingerprint`,
    `exception`, `top_frame`, `issues`, `reporters`, `first_seen`, `last_seen`."""
    with services.session() as s:
        actor = who.actor(s)
        return {"items": services.intake.signature_stats(s, actor, since=since, limit=limit)}


@router.get("/stats/invoices", response_model=Invoices, tags=["stats"])
def invoices(who: Who, group: Literal["month", "vendor"] = "month") -> dict[str, Any]:
    """Invoices read from files, per month of their date (or per vendor) and currency:
    `key`, `currency`, `count`, `total` (a decimal string)."""
    with services.session() as s:
        actor = who.actor(s)
        return {"items": services.intake.invoice_sums(s, actor, group=group)}
