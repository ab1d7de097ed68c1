"""Reading analyses and correcting their fields. Whoever may see a file (or a comment, or
an issue's description) may see its analysis; only staff correct, and a correction wins over
what was read, is kept across every reprocess and is recorded in the timeline."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..activity import record
from ..db import begin_write
from ..enums import Verb
from ..errors import InvalidInput, NotFound
from ..events import ChangeEvent, emit
from ..models import Attachment
from ..permissions import access_issue, can_triage, load_actor, require
from ..schemas import Actor, View
from .extract import FieldValue, secrets_scan
from .models import Analysis, AnalysisStatus, Source

DATE_FIELDS = frozenset({"invoice_date", "due_date", "taken_at"})
MONEY_FIELDS = frozenset({"total", "tax"})
CORRECTABLE = frozenset(
    {"invoice_number", "vendor", "currency", "camera", *DATE_FIELDS, *MONEY_FIELDS}
)
MAX_VALUE = 200
MAX_TYPED = 100_000


class AnalysisView(View):
    id: int
    issue_id: int
    source: Source
    source_id: int
    status: AnalysisStatus
    kind: str
    extractor: str
    version: str
    fields: dict[str, Any]  # what was read, with staff corrections applied
    corrected: list[str]  # which of them a person corrected
    text: str
    findings: list[dict[str, Any]]
    notes: list[str]
    error: str
    secrets_masked: int
    has_thumbnail: bool
    analysed_at: dt.datetime | None


def view(row: Analysis) -> AnalysisView:
    return AnalysisView(
        id=row.id,
        issue_id=row.issue_id,
        source=row.source,
        source_id=row.source_id,
        status=row.status,
        kind=row.kind,
        extractor=row.extractor,
        version=row.version,
        fields={**(row.fields or {}), **(row.corrections or {})},
        corrected=sorted(row.corrections or {}),
        text=row.text,
        findings=list(row.findings or []),
        notes=list(row.notes or []),
        error=row.error,
        secrets_masked=row.secrets_masked,
        has_thumbnail=row.thumbnail is not None,
        analysed_at=row.finished_at,
    )


def secret_kinds(text: str) -> list[str]:
    """The kinds of secret a text being typed holds (e.g. "aws_secret_key"), for warning
    before it is saved; pure and quick (no session, no actor)."""
    return sorted({hit.kind for hit in secrets_scan.find_secrets(text[:MAX_TYPED])})


def analysis_of_attachment(s: Session, actor: Actor, attachment_id: int) -> AnalysisView:
    """The analysis of a file the actor may see (NotFound otherwise, or before any)."""
    return view(_attachment_analysis(s, actor, attachment_id))


def analyses_of_issue(s: Session, actor: Actor, issue_id: int) -> list[AnalysisView]:
    """Every analysis of an issue the actor may see: its files, description and comments."""
    access_issue(s, load_actor(s, actor), issue_id)
    rows = s.scalars(select(Analysis).where(Analysis.issue_id == issue_id).order_by(Analysis.id))
    return [view(r) for r in rows]


def thumbnail_of(s: Session, actor: Actor, attachment_id: int) -> tuple[bytes, str] | None:
    """The thumbnail of a file the actor may see, with its content type (None: none)."""
    row = _attachment_analysis(s, actor, attachment_id)
    if not row.thumbnail:
        return None
    kind = "image/png" if row.thumbnail.startswith(b"\x89PNG") else "image/jpeg"
    return row.thumbnail, kind


def correct_fields(
    s: Session, actor: Actor, attachment_id: int, data: Mapping[str, Any]
) -> AnalysisView:
    """Staff set fields by hand (`None` undoes a correction). Each change is recorded in the
    timeline. Emits analysis/updated."""
    changes = _clean(data)
    begin_write(s)
    row = _attachment_analysis(s, actor, attachment_id)
    user = load_actor(s, actor)
    require(can_triage(user), "Only maintainers and admins can correct what a file says.")
    issue = access_issue(s, user, row.issue_id)
    corrections = dict(row.corrections or {})
    for name, value in changes.items():
        before = corrections.get(name, (row.fields or {}).get(name))
        if value is None:
            corrections.pop(name, None)
        else:
            corrections[name] = value
        after = corrections.get(name, (row.fields or {}).get(name))
        if before != after:
            field = f"{name} (file #{attachment_id})"[:40]
            record(s, issue, user.id, Verb.EDITED, field, _text(before), _text(after))
    row.corrections = corrections
    s.flush()
    result = view(row)
    emit(s, ChangeEvent("analysis", "updated", issue.id, issue.reporter_id))
    s.commit()
    return result


def _attachment_analysis(s: Session, actor: Actor, attachment_id: int) -> Analysis:
    user = load_actor(s, actor)
    attachment = s.get(Attachment, attachment_id)
    try:
        if attachment is None:
            raise NotFound("attachment")
        access_issue(s, user, attachment.issue_id)
    except NotFound:  # "not yours" answers exactly like "missing"
        raise NotFound("attachment") from None
    row = s.scalar(select(Analysis).where(Analysis.attachment_id == attachment_id))
    if row is None:
        raise NotFound("analysis")
    return row


def _clean(data: Mapping[str, Any]) -> dict[str, FieldValue]:
    if not isinstance(data, Mapping) or not data:
        raise InvalidInput("Give the fields to correct.", {"fields": "empty"})
    out: dict[str, FieldValue] = {}
    errors = {}
    for name, value in data.items():
        if name not in CORRECTABLE:
            errors[str(name)[:40]] = (
                f"cannot be corrected; these can: {', '.join(sorted(CORRECTABLE))}"
            )
            continue
        try:
            out[name] = _value(name, value)
        except ValueError as e:
            errors[name] = str(e)
    if errors:
        raise InvalidInput(
            "Some fields could not be corrected: "
            + "; ".join(f"{k}: {v}" for k, v in errors.items()),
            errors,
        )
    return out


def _value(name: str, value: Any) -> FieldValue:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be text")
    value = value.strip()
    if len(value) > MAX_VALUE:
        raise ValueError(f"at most {MAX_VALUE} characters")
    if name in DATE_FIELDS and value:
        try:
            return dt.date.fromisoformat(value[:10]).isoformat() + value[10:]
        except ValueError:
            raise ValueError("must be a date like 2026-12-04") from None
    if name in MONEY_FIELDS and value:
        try:
            return str(Decimal(value.replace(" ", "")).quantize(Decimal("0.01")))
        except InvalidOperation:
            raise ValueError("must be an amount like 1234.56") from None
    if name == "currency" and value and not re.fullmatch(r"[A-Za-z]{3}", value):
        raise ValueError("must be a three-letter code like EUR")
    return value.upper() if name == "currency" else value


def _text(value: object) -> str | None:
    return None if value is None else str(value)
