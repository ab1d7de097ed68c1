"""The list's filters learn what the intake read: `q` also matches the text read from files
and comments (secrets masked, so a secret finds nothing), and `signature=` lists the issues
with a crash signature. Registered with services.hooks, so the core never imports intake."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import hooks
from .models import Analysis, CrashSignature


def _text_matches(pattern: str) -> Any:
    return select(Analysis.issue_id).where(Analysis.text.ilike(pattern, escape="\\"))


def _with_signature(fingerprint: str) -> Any:
    return select(CrashSignature.issue_id).where(CrashSignature.fingerprint == fingerprint)


hooks.on_issue_filter("text", _text_matches)
hooks.on_issue_filter("signature", _with_signature)
