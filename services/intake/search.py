"""The list's filters learn what the intake read: `q` also matches the text read from files
and comments (secrets masked, so a secret finds nothing), and `signature=` lists the issues
with a crash signature. Registered with services.hooks, so the core never imports intake."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import hooks
from .extract.traces import find_traces
from .models import Analysis, CrashSignature


def _text_matches(pattern: str) -> Any:
    return select(Analysis.issue_id).where(Analysis.text.ilike(pattern, escape="\\"))


def _with_signature(fingerprint: str) -> Any:
    return select(CrashSignature.issue_id).where(CrashSignature.fingerprint == fingerprint)


def _signatures_of(s: Session, issue_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = s.execute(
        select(CrashSignature.issue_id, CrashSignature.fingerprint)
        .where(CrashSignature.issue_id.in_(issue_ids))
        .distinct()
        .order_by(CrashSignature.issue_id, CrashSignature.fingerprint)
    )
    for issue_id, fingerprint in rows:
        out.setdefault(issue_id, []).append(fingerprint)
    return out


def _signatures_in(text: str) -> list[str]:
    return [trace.fingerprint for trace in find_traces(text, limit=5)]


hooks.on_issue_filter("text", _text_matches)
hooks.on_signatures_in(_signatures_in)
hooks.on_signatures(_signatures_of)
hooks.on_issue_filter("signature", _with_signature)
