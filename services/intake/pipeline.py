"""The analysis job: read one attachment (in the sandbox) or one text (descriptions and
comments: traces and secrets only, in this process), and store what was found.

Idempotent: an analysis already done with the same extractor version on the same bytes is
left alone; staff corrections live in their own column and survive every run. The database
transaction is never held while a file is being read.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from .. import files
from ..db import begin_write
from ..events import ChangeEvent, emit
from ..jobs import run_recorded
from ..models import Attachment, Comment, Issue, utcnow
from . import sandbox
from .extract import Extraction, Limits, secrets_scan, traces
from .models import Analysis, AnalysisStatus, CrashSignature, Source

log = logging.getLogger(__name__)

_EXTRACT = "services.intake.extract"
EXTRACTORS = {  # content type -> (module, function)
    "application/pdf": (f"{_EXTRACT}.pdf", "extract_pdf"),
    "image/png": (f"{_EXTRACT}.image", "extract_image"),
    "image/jpeg": (f"{_EXTRACT}.image", "extract_image"),
    "image/gif": (f"{_EXTRACT}.image", "extract_image"),
    "image/webp": (f"{_EXTRACT}.image", "extract_image"),
    "application/zip": (f"{_EXTRACT}.archive", "extract_zip"),
    "text/plain": (f"{_EXTRACT}.text", "extract_text"),
}
MAX_SIGNATURES = 20
MAX_THUMBNAIL = 256 * 1024
# Texts up to this long are read in the writer's own transaction (at most ~2 ms of regular
# expressions, measured on the trace corpus): their findings commit with them, without a
# job. Longer ones go to the queue, so no write holds the database for long.
INLINE_CHARS = 4000
TEXT_EXTRACTOR = f"{_EXTRACT}.text"


@dataclass
class Config:
    """Set by the composition root from the settings; the defaults suit a notebook."""

    limits: Limits = field(default_factory=Limits)
    caps: sandbox.Caps = field(default_factory=sandbox.Caps)
    keep_location: bool = False
    sys_path: list[str] = field(default_factory=list)  # tests add misbehaving extractors


config = Config()


def configure(
    *,
    cpu_seconds: int = 30,
    memory_mb: int = 1024,
    wall_seconds: int = 60,
    keep_location: bool = False,
) -> None:
    """Set the sandbox's limits and the location policy (from the settings)."""
    global config
    caps = sandbox.Caps(cpu_seconds=cpu_seconds, memory_mb=memory_mb, wall_seconds=wall_seconds)
    config = Config(caps=caps, keep_location=keep_location)


def run_analysis(analysis_id: int) -> str:
    """The job: analyse one pending (or outdated) analysis; returns what happened."""
    return run_recorded("analyse", lambda s: _run(s, analysis_id))


def _run(s: Session, analysis_id: int) -> str:
    analysis = s.get(Analysis, analysis_id)
    if analysis is None:
        return f"analysis {analysis_id}: gone"
    if analysis.source == Source.ATTACHMENT:
        return _run_file(s, analysis)
    return _run_text(s, analysis)


def _run_file(s: Session, analysis: Analysis) -> str:
    attachment = s.get(Attachment, analysis.attachment_id)
    if attachment is None:
        return f"analysis {analysis.id}: attachment gone"
    module, function = EXTRACTORS.get(attachment.content_type, ("", ""))
    version = _version(module)
    if _unchanged(analysis, version, attachment.sha256):
        return f"analysis {analysis.id}: unchanged"
    stored, size, analysis_id = attachment.stored_name, attachment.size, analysis.id
    _started(s, analysis)
    if not version:
        return _finish(s, analysis_id, skipped=f"No reader for {attachment.content_type} yet.")
    options = {"keep_location": config.keep_location} if module.endswith(".image") else {}
    # A bucket's file is copied to a temporary local file first (at most its recorded size):
    # the sandboxed reader only ever opens a local path. StorageUnavailable: retried.
    try:
        with files.local_copy(stored, limit=size) as path:
            outcome = sandbox.run(
                module,
                function,
                path,
                limits=config.limits,
                caps=config.caps,
                options=options,
                sys_path=config.sys_path,
            )
    except FileNotFoundError:
        return _finish(s, analysis_id, failed="The stored file is missing.", version=version)
    if outcome.extraction is None:
        return _finish(s, analysis_id, failed=outcome.error, version=version, sha=attachment.sha256)
    return _finish(
        s,
        analysis_id,
        extraction=outcome.extraction,
        version=version,
        sha=attachment.sha256,
        extractor=module.rsplit(".", 1)[-1],
        replaces=stored,
    )


def _run_text(s: Session, analysis: Analysis) -> str:
    if analysis.source == Source.DESCRIPTION:
        issue = s.get(Issue, analysis.source_id)
        text = issue.description if issue is not None else None
    else:
        comment = s.get(Comment, analysis.comment_id)
        text = comment.body if comment is not None else None
    if text is None:
        return f"analysis {analysis.id}: gone"
    sha = hashlib.sha256(text.encode()).hexdigest()
    version = _version(TEXT_EXTRACTOR)
    if _unchanged(analysis, version, sha):
        return f"analysis {analysis.id}: unchanged"
    analysis_id = analysis.id
    _started(s, analysis)
    extraction = Extraction(kind="text", text=text)
    return _finish(
        s, analysis_id, extraction=extraction, version=version, sha=sha, extractor="text"
    )


def analyse_now(s: Session, analysis: Analysis, text: str) -> None:
    """A short text (`INLINE_CHARS`), read in the transaction that wrote it: the analysis is
    done when the text commits. Tells the open pages only when crash signatures come or go."""
    had_signatures = analysis.status == AnalysisStatus.DONE and bool(analysis.findings)
    found = _post_process(Extraction(kind="text", text=text))
    analysis.version = _version(TEXT_EXTRACTOR)
    analysis.input_sha256 = hashlib.sha256(text.encode()).hexdigest()
    analysis.started_at = analysis.finished_at = utcnow()
    analysis.attempts += 1
    analysis.extractor = "text"
    if had_signatures:
        s.execute(delete(CrashSignature).where(CrashSignature.analysis_id == analysis.id))
    if found.traces and analysis.id is None:
        s.flush()  # the signatures refer to it
    _apply(s, analysis, found, {}, None)
    if found.traces or had_signatures:
        issue = s.get(Issue, analysis.issue_id)
        reporter = issue.reporter_id if issue is not None else None
        emit(s, ChangeEvent("analysis", "updated", analysis.issue_id, reporter))


def _finish(
    s: Session,
    analysis_id: int,
    *,
    extraction: Extraction | None = None,
    failed: str = "",
    skipped: str = "",
    version: str = "",
    sha: str = "",
    extractor: str = "",
    replaces: str | None = None,
) -> str:
    """Store the outcome in one transaction and tell the open pages."""
    found = _post_process(extraction) if extraction is not None else None
    new_files = _store_files(extraction)
    try:
        begin_write(s)
        analysis = s.get(Analysis, analysis_id)
        if analysis is None:  # deleted while it was being read
            s.rollback()
            files.remove([n for n in new_files.values() if n])
            return f"analysis {analysis_id}: gone"
        analysis.version, analysis.input_sha256, analysis.finished_at = version, sha, utcnow()
        analysis.extractor = extractor or analysis.extractor
        s.execute(delete(CrashSignature).where(CrashSignature.analysis_id == analysis.id))
        if found is None:
            analysis.status = AnalysisStatus.FAILED if failed else AnalysisStatus.SKIPPED
            analysis.error = failed or skipped
        else:
            _apply(s, analysis, found, new_files, replaces)
        s.flush()
        issue = s.get(Issue, analysis.issue_id)
        reporter = issue.reporter_id if issue is not None else None
        emit(s, ChangeEvent("analysis", "updated", analysis.issue_id, reporter))
        status = analysis.status.value
        s.commit()
    except BaseException:
        files.remove([n for n in new_files.values() if n])
        raise
    if new_files.get("cleaned") and replaces:
        files.remove([replaces])  # the photo with its location data is gone for good
    return f"analysis {analysis_id}: {status}"


@dataclass
class Found:
    extraction: Extraction
    text: str
    secrets: int
    traces: list[dict[str, Any]]


def _post_process(extraction: Extraction) -> Found:
    """Secrets masked in the text; stack traces found in it (files, OCR text, texts)."""
    text, secrets = _mask(extraction.text)
    traces = _traces(text)
    return Found(extraction, text, secrets, traces)


def _apply(
    s: Session, analysis: Analysis, found: Found, new_files: dict[str, str], replaces: str | None
) -> None:
    extraction = found.extraction
    analysis.status = AnalysisStatus.DONE
    analysis.kind = extraction.kind
    analysis.fields = dict(extraction.fields)
    analysis.text = found.text
    analysis.findings = [*extraction.findings, *found.traces]
    analysis.notes = list(extraction.notes)
    analysis.error = ""
    analysis.secrets_masked = found.secrets
    thumbnail = extraction.thumbnail
    analysis.thumbnail = thumbnail if thumbnail and len(thumbnail) <= MAX_THUMBNAIL else None
    for trace in found.traces[:MAX_SIGNATURES]:
        s.add(
            CrashSignature(
                analysis_id=analysis.id,
                issue_id=analysis.issue_id,
                fingerprint=str(trace.get("fingerprint", ""))[:64],
                language=str(trace.get("language", ""))[:20],
                exception=str(trace.get("exception", ""))[:300],
                message=str(trace.get("message", ""))[:2000],
                top_frame=str(trace.get("top_frame", ""))[:500],
            )
        )
    cleaned = new_files.get("cleaned")
    if cleaned and replaces and analysis.attachment_id is not None:
        attachment = s.get(Attachment, analysis.attachment_id)
        if attachment is not None and attachment.stored_name == replaces:
            data = extraction.cleaned or b""
            attachment.stored_name, attachment.size = cleaned, len(data)
            attachment.sha256 = hashlib.sha256(data).hexdigest()
            analysis.input_sha256 = attachment.sha256  # what is stored now was analysed


def _store_files(extraction: Extraction | None) -> dict[str, str]:
    if extraction is None:
        return {}
    return {"cleaned": files.store_blob(extraction.cleaned)} if extraction.cleaned else {}


def _started(s: Session, analysis: Analysis) -> None:
    begin_write(s)
    analysis.status = AnalysisStatus.PENDING
    analysis.started_at = utcnow()
    analysis.attempts += 1
    s.commit()


def _unchanged(analysis: Analysis, version: str, sha: str) -> bool:
    return (
        analysis.status != AnalysisStatus.PENDING
        and analysis.version == version
        and analysis.input_sha256 == sha
    )


def _version(module: str) -> str:
    """The extractor's version joined with the text finders' (a change in any re-reads);
    "" when there is no such extractor."""
    if not module:
        return ""
    parts = []
    for name in (module, f"{_EXTRACT}.traces", f"{_EXTRACT}.secrets_scan"):
        try:
            version = importlib.import_module(name).VERSION
        except ImportError:
            if name == module:
                return ""
            continue
        parts.append(f"{name.rsplit('.', 1)[-1][:8]}{version}")
    return "+".join(parts)[:40]


def _mask(text: str) -> tuple[str, int]:
    masked, hits = secrets_scan.mask(text)
    return masked, len(hits)


def _traces(text: str) -> list[dict[str, Any]]:
    return [t.as_finding() for t in traces.find_traces(text)]
