"""The list's filters learn what the intake read: `q` also matches the text read from files
(secrets masked, so a secret in a file finds nothing; services.fulltext), and `signature=`
lists the issues with a crash signature. Registered with services.hooks, so the core never
imports intake."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Select, event, inspect, select
from sqlalchemy.orm import Session

from .. import fulltext, hooks
from .extract.traces import find_traces
from .models import Analysis, CrashSignature, Source


def _file_texts(conn: Any, issue_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = conn.execute(
        select(Analysis.issue_id, Analysis.text)
        .where(
            Analysis.issue_id.in_(issue_ids),
            Analysis.source == Source.ATTACHMENT,
            Analysis.text != "",
        )
        .order_by(Analysis.id)
    )
    for issue_id, text in rows:
        out.setdefault(issue_id, []).append(text)
    return out


def _note_texts(s: Session, flush_context: Any) -> None:
    """After a flush: an issue whose file text was written is searched anew (the text read
    from a description or a comment is that text itself, already searched)."""
    for obj in (*s.new, *s.dirty):
        if (
            isinstance(obj, Analysis)
            and obj.source == Source.ATTACHMENT
            and inspect(obj).attrs.text.history.has_changes()
        ):
            fulltext.touch(s, obj.issue_id)


def _with_signature(fingerprint: str) -> Any:
    return select(CrashSignature.issue_id).where(CrashSignature.fingerprint == fingerprint)


def _signatures_of(issue_ids: Sequence[int] | BindParameter[Any]) -> Select[int, str]:
    return (
        select(CrashSignature.issue_id, CrashSignature.fingerprint)
        .where(CrashSignature.issue_id.in_(issue_ids))
        .distinct()
    )


def _signatures_in(text: str) -> list[str]:
    return [trace.fingerprint for trace in find_traces(text, limit=5)]


hooks.on_texts(_file_texts)
event.listen(Session, "after_flush", _note_texts)
hooks.on_signatures_in(_signatures_in)
hooks.on_signatures(_signatures_of)
hooks.on_issue_filter("signature", _with_signature)
