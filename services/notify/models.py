"""The notification tables: what each person was told, how they want to be told, and the
mail waiting to go out (or sent: the record)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, UTCDateTime, _enum, utcnow


class EmailMode(StrEnum):
    IMMEDIATE = "immediate"  # one mail per burst of changes on an issue
    DIGEST = "digest"  # one mail a day
    OFF = "off"


class NewIssues(StrEnum):
    """Staff only: which new issues they hear about."""

    NONE = "none"
    ALL = "all"
    HIGH = "high"  # HIGH and CRITICAL


class MailState(StrEnum):
    """A notification's way into a mail."""

    NONE = "none"  # not to be mailed (mail off, or not configured)
    PENDING = "pending"  # waits for its burst's mail
    DIGEST = "digest"  # waits for the daily digest
    SENT = "sent"  # in a mail (or dropped: no longer visible to its recipient)


class OutboxStatus(StrEnum):
    PENDING = "pending"  # a burst being collected until not_before
    READY = "ready"  # rendered; being sent (retried until MAX_ATTEMPTS)
    SENT = "sent"
    FAILED = "failed"  # gave up; `error` says why
    SKIPPED = "skipped"  # nothing left to say (issue gone or no longer visible, mail off)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        Index("ix_notifications_issue_id", "issue_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "created" | "status" | "commented" | "assigned" | "edited" | "tags" | "attached" |
    # "mention" | "duplicate" | "original" (a change to the original of the recipient's
    # duplicate: issue_id is the duplicate, actor_id is left empty)
    kind: Mapped[str] = mapped_column(String(20))
    # What changed, in words built from ids and enum values only (never user text: the
    # issue's title is read when shown, by someone who may still see it).
    summary: Mapped[str] = mapped_column(String(300), default="")
    mail: Mapped[MailState] = mapped_column(_enum(MailState, "mail_state"), default=MailState.NONE)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class NotificationPrefs(Base):
    """One row per user who changed the defaults (no row: the defaults)."""

    __tablename__ = "notification_prefs"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    my_issues: Mapped[bool] = mapped_column(Boolean, default=True)
    assigned: Mapped[bool] = mapped_column(Boolean, default=True)
    mentions: Mapped[bool] = mapped_column(Boolean, default=True)
    new_issues: Mapped[NewIssues] = mapped_column(
        _enum(NewIssues, "new_issues"), default=NewIssues.NONE
    )
    email: Mapped[EmailMode] = mapped_column(
        _enum(EmailMode, "email_mode"), default=EmailMode.IMMEDIATE
    )
    last_digest_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MailOutbox(Base):
    """One mail: collected, rendered, sent, retried; kept as the record of what went out."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index("ix_mail_outbox_status_not_before", "status", "not_before"),
        Index("ix_mail_outbox_user_id_issue_id", "user_id", "issue_id"),
        Index("ix_mail_outbox_to_addr_created_at", "to_addr", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "notify" (a burst on one issue) | "digest" | "reply" (mail-in refusal) | "confirm"
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    issue_id: Mapped[int | None] = mapped_column(Integer)  # no key: the record outlives it
    to_addr: Mapped[str] = mapped_column(String(320), default="")
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "outbox_status"))
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    unsubscribe_url: Mapped[str] = mapped_column(Text, default="")
    in_reply_to: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
