"""The CSV export of issues gains what their files say: the crash signatures, and the main
fields of the first invoice read from them (staff corrections applied)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import hooks
from .extract import secrets_scan
from .models import Analysis, AnalysisStatus, CrashSignature

INVOICE = ("vendor", "invoice_number", "invoice_date", "total", "currency")
COLUMNS = (
    "crash_signatures",
    "invoice_vendor",
    "invoice_number",
    "invoice_date",
    "invoice_total",
    "invoice_currency",
)


def cells(s: Session, issue_ids: list[int]) -> dict[int, list[str]]:
    signatures: dict[int, set[str]] = defaultdict(set)
    for issue_id, fingerprint in s.execute(
        select(CrashSignature.issue_id, CrashSignature.fingerprint).where(
            CrashSignature.issue_id.in_(issue_ids)
        )
    ):
        signatures[issue_id].add(fingerprint)
    invoices: dict[int, dict[str, object]] = {}
    for issue_id, fields, corrections in s.execute(
        select(Analysis.issue_id, Analysis.fields, Analysis.corrections)
        .where(
            Analysis.issue_id.in_(issue_ids),
            Analysis.kind == "invoice",
            Analysis.status == AnalysisStatus.DONE,
        )
        .order_by(Analysis.id)
    ):
        invoices.setdefault(issue_id, {**(fields or {}), **(corrections or {})})
    return {
        i: [
            ";".join(sorted(signatures.get(i, ()))),
            *(str(invoices.get(i, {}).get(name) or "") for name in INVOICE),
        ]
        for i in issue_ids
    }


def masked(text: str) -> str:
    return secrets_scan.mask(text)[0] if text else text


hooks.on_export(COLUMNS, cells)
hooks.on_mask(masked)
