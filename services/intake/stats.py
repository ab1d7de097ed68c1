"""What the files say, counted: crash signatures (the same crash across issues) and invoice
sums. A reporter's numbers cover their own issues only, like every other count."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..models import Issue
from ..permissions import is_staff, load_actor
from ..schemas import Actor, View
from .models import Analysis, AnalysisStatus, CrashSignature

Q = TypeVar("Q", bound=Select)


class SignatureStat(View):
    fingerprint: str
    exception: str
    top_frame: str
    issues: int
    reporters: int
    first_seen: dt.datetime
    last_seen: dt.datetime


class InvoiceSum(View):
    key: str  # "2026-12" or the vendor
    currency: str
    count: int
    total: str  # a decimal string


def signature_stats(
    s: Session,
    actor: Actor,
    *,
    fingerprints: list[str] | None = None,
    since: dt.date | None = None,
    limit: int = 20,
) -> list[SignatureStat]:
    """Crash signatures by the number of issues they appear in (most first), with distinct
    reporters and when they were first and last seen."""
    query = _scoped(
        s,
        actor,
        select(
            CrashSignature.fingerprint,
            func.max(CrashSignature.exception),
            func.max(CrashSignature.top_frame),
            func.count(func.distinct(CrashSignature.issue_id)),
            func.count(func.distinct(Issue.reporter_id)),
            func.min(CrashSignature.created_at),
            func.max(CrashSignature.created_at),
        )
        .join(Issue, Issue.id == CrashSignature.issue_id)
        .group_by(CrashSignature.fingerprint),
    )
    if fingerprints is not None:
        query = query.where(CrashSignature.fingerprint.in_(fingerprints))
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        query = query.where(CrashSignature.created_at >= start)
    query = query.order_by(
        func.count(func.distinct(CrashSignature.issue_id)).desc(), CrashSignature.fingerprint
    ).limit(max(1, min(limit, 200)))
    return [
        SignatureStat(
            fingerprint=fp,
            exception=exc or "",
            top_frame=top or "",
            issues=issues,
            reporters=reporters,
            first_seen=_aware(first),
            last_seen=_aware(last),
        )
        for fp, exc, top, issues, reporters, first, last in s.execute(query)
    ]


def signatures_of_issue(s: Session, actor: Actor, issue_id: int) -> list[SignatureStat]:
    """The crash signatures found in one issue (its files, description and comments), each
    counted across every issue the actor may see."""
    fingerprints = list(
        s.scalars(
            select(CrashSignature.fingerprint).where(CrashSignature.issue_id == issue_id).distinct()
        )
    )
    if not fingerprints:
        return []
    return signature_stats(s, actor, fingerprints=fingerprints, limit=len(fingerprints))


def invoice_sums(
    s: Session, actor: Actor, *, group: Literal["month", "vendor"] = "month"
) -> list[InvoiceSum]:
    """Invoices read from files, summed per month of the invoice date (or per vendor) and
    currency; staff corrections count."""
    rows = s.execute(
        _scoped(
            s,
            actor,
            select(Analysis.fields, Analysis.corrections)
            .join(Issue, Issue.id == Analysis.issue_id)
            .where(Analysis.kind == "invoice", Analysis.status == AnalysisStatus.DONE),
        )
    )
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for fields, corrections in rows:
        invoice = {**(fields or {}), **(corrections or {})}
        amount = _decimal(invoice.get("total"))
        if amount is None:
            continue
        if group == "month":
            key = str(invoice.get("invoice_date") or "")[:7] or "no date"
        else:
            key = str(invoice.get("vendor") or "unknown vendor")
        sums[(key, str(invoice.get("currency") or "?"))].append(amount)
    return [
        InvoiceSum(key=key, currency=currency, count=len(amounts), total=str(sum(amounts)))
        for (key, currency), amounts in sorted(sums.items())
    ]


def _scoped(s: Session, actor: Actor, query: Q) -> Q:
    user = load_actor(s, actor)
    return query if is_staff(user) else query.where(Issue.reporter_id == user.id)


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _aware(moment: dt.datetime) -> dt.datetime:
    if isinstance(moment, str):  # SQLite hands aggregates back as text
        moment = dt.datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
