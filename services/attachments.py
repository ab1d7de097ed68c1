"""Attachments: files on an issue, streamed to disk, typed by content, hashed, then kept in
the storage (services.storage: a directory or a bucket), held to the
upload policy (services.uploads) and the uploader's limits (services.quotas).

A form that collects files before its issue exists stages them (`stage_file`): checked and
kept on disk, not in memory, until `save_attachment` attaches them or `discard_staged`
drops them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import files, hooks, queries, quotas, uploads
from .activity import record, touch
from .db import begin_write
from .enums import Verb
from .errors import InvalidInput, NotFound, PermissionDenied
from .events import ChangeEvent, emit
from .models import Attachment, User, utcnow
from .permissions import access_issue, load_actor
from .schemas import Actor, AttachmentView

Content = BinaryIO | bytes | Iterable[bytes]


@dataclass(frozen=True)
class AttachmentFile:
    """An attachment the actor may download, and where its bytes are: `path` on a local
    disk, else `open()` streams it from the storage."""

    view: AttachmentView
    stored_name: str
    size: int
    path: Path | None = None

    @property
    def is_image(self) -> bool:
        return self.view.content_type in uploads.policy().image_types

    def open(self) -> files.Reader:
        """The bytes to stream (StorageUnavailable when the storage is down)."""
        try:
            return files.open_stored(self.stored_name)
        except FileNotFoundError:
            raise NotFound("attachment") from None

    def read_bytes(self) -> bytes:
        reader = self.open()
        try:
            return b"".join(reader.chunks())
        finally:
            reader.close()


@dataclass(frozen=True)
class StagedFile:
    """A checked file waiting on disk for the issue it will be attached to."""

    owner_id: int
    filename: str  # the name it will have: its extension agrees with its content
    size: int
    content_type: str
    staged: files.Staged


def save_attachment(
    s: Session,
    actor: Actor,
    issue_id: int,
    *,
    filename: str,
    content: Content | StagedFile,
) -> AttachmentView:
    """Attach a file to an issue the actor may see: a stream, bytes or a file staged by this
    actor. Refused: too large (TooLarge), a type not allowed whatever its name
    (UnsupportedType), one file more than an issue may have (InvalidInput), over the
    actor's files per hour or bytes per day (RateLimited). On any error no row and no file
    remain (a staged file is kept for another try). Emits attachment/created."""
    user = load_actor(s, actor)
    access_issue(s, user, issue_id)
    if isinstance(content, StagedFile):
        if content.owner_id != user.id:
            raise PermissionDenied("This file was uploaded by someone else.")
        staged = content.staged
        if not staged.path.is_file():
            raise InvalidInput("The file waited too long and was discarded; add it again.")
    else:
        _check_room(s, user.id, issue_id, size=1, besides=None)  # before reading a byte
        s.rollback()  # end the read: do not hold a transaction while the file streams in
        staged = files.stage(content, owner=user.id, policy=uploads.policy())
    stored: str | None = None
    try:
        begin_write(s)
        user = load_actor(s, actor)
        issue = access_issue(s, user, issue_id)
        _check_room(s, user.id, issue.id, size=staged.size, besides=staged.path)
        stored = files.place(staged)
        row = Attachment(
            issue_id=issue.id,
            filename=files.display_name(filename, staged.kind),
            stored_name=stored,
            content_type=staged.content_type,
            size=staged.size,
            sha256=staged.sha256,
            uploader_id=user.id,
            created_at=utcnow(),
        )
        s.add(row)
        touch(s, issue.id)
        record(s, issue, user.id, Verb.ATTACHED, "attachment", None, row.filename)
        s.flush()
        hooks.written(s, "attachment", issue.id, row.id, new=True)
        view = queries.attachment_view(row, user)
        emit(s, ChangeEvent("attachment", "created", issue.id, issue.reporter_id))
        s.commit()
        return view
    except BaseException:
        if stored is not None:
            files.remove([stored])
        elif not isinstance(content, StagedFile):
            files.discard([staged])
        raise


def stage_file(s: Session, actor: Actor, *, filename: str, content: Content) -> StagedFile:
    """Check a file for an issue that does not exist yet and keep it on disk for
    `save_attachment`; the same checks as attaching, but the per-issue count (the form
    counts its files). Its bytes count towards the actor's daily limit until it is
    attached or discarded (`discard_staged`)."""
    user = load_actor(s, actor)
    quotas.check_attachment(s, user.id)
    quotas.check_upload_bytes(s, user.id, 1, files.staged_bytes(user.id))
    s.rollback()
    staged = files.stage(content, owner=user.id, policy=uploads.policy())
    try:
        staged_elsewhere = files.staged_bytes(user.id, besides=staged.path)
        quotas.check_upload_bytes(s, user.id, staged.size, staged_elsewhere)
        s.rollback()
    except BaseException:
        files.discard([staged])
        raise
    return StagedFile(
        owner_id=user.id,
        filename=files.display_name(filename, staged.kind),
        size=staged.size,
        content_type=staged.content_type,
        staged=staged,
    )


def discard_staged(staged: Iterable[StagedFile]) -> None:
    """Drop staged files that will not be attached (removed from the form, page closed)."""
    files.discard(f.staged for f in staged)


def sweep_staged() -> int:
    """Delete staged files left behind for hours (a crash, a page that never closed)."""
    return files.sweep()


def _check_room(
    s: Session, user_id: int, issue_id: int, *, size: int, besides: Path | None
) -> None:
    """The issue's file count, and the user's files per hour and bytes per day."""
    limit = uploads.policy().max_files_per_issue
    count = s.scalar(select(func.count()).where(Attachment.issue_id == issue_id)) or 0
    if count >= limit:
        raise InvalidInput(
            f"This issue has {quotas.many(count, 'file')} already, the most allowed per issue "
            f"({limit}).",
            {"file": "too many files"},
        )
    quotas.check_attachment(s, user_id)
    quotas.check_upload_bytes(s, user_id, size, files.staged_bytes(user_id, besides=besides))


def list_attachments(s: Session, actor: Actor, issue_id: int) -> list[AttachmentView]:
    """The attachments of an issue the actor may see."""
    access_issue(s, load_actor(s, actor), issue_id)
    return queries.attachment_views(s, issue_id)


def open_attachment(s: Session, actor: Actor, attachment_id: int) -> AttachmentFile:
    """An attachment for download; NotFound if missing or on an issue the actor cannot see."""
    user = load_actor(s, actor)
    row = s.execute(
        select(Attachment, User)
        .join(User, User.id == Attachment.uploader_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if row is None:
        raise NotFound("attachment")
    attachment, uploader = row
    try:
        access_issue(s, user, attachment.issue_id)
    except NotFound:
        raise NotFound("attachment") from None
    found = files.storage().stat(attachment.stored_name)  # StorageUnavailable: 503
    if found is None:
        raise NotFound("attachment")
    return AttachmentFile(
        view=queries.attachment_view(attachment, uploader),
        stored_name=attachment.stored_name,
        size=found.size,
        path=files.path_of(attachment.stored_name),
    )
