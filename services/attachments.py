"""Attachments: files on an issue, streamed to disk, typed by magic bytes, hashed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import files, hooks, queries
from .activity import record, touch
from .db import begin_write, runtime
from .enums import Verb
from .errors import InvalidInput, NotFound, TooLarge, UnsupportedType
from .events import ChangeEvent, emit
from .models import Attachment, User, utcnow
from .permissions import access_issue, load_actor
from .schemas import Actor, AttachmentView


@dataclass(frozen=True)
class AttachmentFile:
    """An attachment the actor may download, and where its bytes are."""

    view: AttachmentView
    path: Path

    @property
    def is_image(self) -> bool:
        return self.view.content_type in files.IMAGE_TYPES


def save_attachment(
    s: Session,
    actor: Actor,
    issue_id: int,
    *,
    filename: str,
    content: BinaryIO | bytes | Iterable[bytes],
) -> AttachmentView:
    """Attach a file to an issue the actor may see. Size is capped (TooLarge), the type is
    checked by magic bytes (UnsupportedType); on any error no row and no file remain.
    Emits attachment/created."""
    access_issue(s, load_actor(s, actor), issue_id)
    s.rollback()  # end the read: do not hold a transaction while the file streams in
    staged = files.stage(content, runtime().max_upload_bytes)
    stored: str | None = None
    try:
        begin_write(s)
        user = load_actor(s, actor)
        issue = access_issue(s, user, issue_id)
        stored = files.place(staged)
        row = Attachment(
            issue_id=issue.id,
            filename=files.clean_filename(filename),
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
        hooks.written(s, "attachment", issue.id, row.id)
        view = queries.attachment_view(row, user)
        emit(s, ChangeEvent("attachment", "created", issue.id, issue.reporter_id))
        s.commit()
        return view
    except BaseException:
        staged.path.unlink(missing_ok=True)
        if stored is not None:
            files.remove([stored])
        raise


def check_upload(head: bytes, size: int) -> str:
    """Pre-check a file before it is attached (e.g. while an issue is being written): the
    content type it would get, or TooLarge / UnsupportedType / InvalidInput. save_attachment
    checks again; this only lets a form refuse a bad file at once."""
    limit = runtime().max_upload_bytes
    if size > limit:
        raise TooLarge(f"The file is larger than the limit of {limit // (1024 * 1024)} MB.")
    if size == 0:
        raise InvalidInput("The file is empty.")
    kind = files.detect_type(head[: files.HEAD])
    if kind is None:
        raise UnsupportedType(files.UNSUPPORTED_MESSAGE)
    return kind


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
    path = files.path_of(attachment.stored_name)
    if not path.is_file():
        raise NotFound("attachment")
    return AttachmentFile(view=queries.attachment_view(attachment, uploader), path=path)
