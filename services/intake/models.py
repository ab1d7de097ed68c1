"""The intake's tables: one analysis per analysed thing (an attachment, an issue's
description, a comment), and the crash signatures found in them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, UTCDateTime, _enum, utcnow


class AnalysisStatus(StrEnum):
    PENDING = "pending"  # waiting for, or in, the background job ("analysing...")
    DONE = "done"
    FAILED = "failed"  # the file broke a limit or could not be read: `error` says why
    SKIPPED = "skipped"  # nothing to read in it (e.g. an empty text), or a part missing


class Source(StrEnum):
    ATTACHMENT = "attachment"
    DESCRIPTION = "description"
    COMMENT = "comment"


class Analysis(Base):
    __tablename__ = "analyses"
    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        Index("ix_analyses_issue_id", "issue_id"),
        Index("ix_analyses_status_created_at", "status", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    source: Mapped[Source] = mapped_column(_enum(Source, "analysis_source"))
    source_id: Mapped[int] = mapped_column(Integer)
    # Set for attachments and comments, so their deletion takes the analysis with it.
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AnalysisStatus] = mapped_column(
        _enum(AnalysisStatus, "analysis_status"), default=AnalysisStatus.PENDING
    )
    extractor: Mapped[str] = mapped_column(String(40), default="")
    version: Mapped[str] = mapped_column(String(40), default="")
    input_sha256: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(20), default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Staff corrections: they win over `fields` and survive every reprocess.
    corrections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    secrets_masked: Mapped[int] = mapped_column(Integer, default=0)
    # A small JPEG or PNG (at most MAX_THUMBNAIL bytes): kept here, so it goes with the row.
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CrashSignature(Base):
    """A stack trace found in an analysed thing, by its fingerprint (the same crash)."""

    __tablename__ = "crash_signatures"
    __table_args__ = (
        Index("ix_crash_signatures_fingerprint_issue_id", "fingerprint", "issue_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analyses.id", ondelete="CASCADE"), index=True
    )
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(20), default="")
    exception: Mapped[str] = mapped_column(String(300), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    top_frame: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
