"""An admin takes the secrets out of a stored text file: the file itself is replaced by its
masked text (the original is deleted), so a download no longer hands them out. Other kinds
(PDF, images, ZIP) cannot be rewritten safely: they are left as uploaded."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import files
from ..activity import record
from ..db import begin_write
from ..enums import Verb
from ..errors import InvalidInput, NotFound
from ..events import ChangeEvent, emit
from ..models import Attachment
from ..permissions import access_issue, can_delete_issue, load_actor, require
from ..schemas import Actor
from .analyses import AnalysisView, view
from .extract import secrets_scan
from .models import Analysis

MAX_REDACT_BYTES = 20 * 1024 * 1024


def redact_secrets(s: Session, actor: Actor, attachment_id: int) -> AnalysisView:
    """ADMIN replaces a text attachment by its text with every secret masked; recorded in
    the timeline. Emits attachment/updated."""
    user = load_actor(s, actor)
    require(can_delete_issue(user), "Only administrators can redact a stored file.")
    attachment = s.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("attachment")
    issue = access_issue(s, user, attachment.issue_id)
    if attachment.content_type != "text/plain" or attachment.size > MAX_REDACT_BYTES:
        raise InvalidInput("Only text files (up to 20 MB) can be redacted; this one stays as is.")
    old_name = attachment.stored_name
    try:
        raw = files.read_bytes(old_name, limit=MAX_REDACT_BYTES)
    except FileNotFoundError:
        raise NotFound("attachment") from None
    text = raw.decode("utf-8", errors="replace")
    masked, hits = secrets_scan.mask(text)
    if not hits:
        raise InvalidInput("No secret was found in this file; nothing to redact.")
    data = masked.encode()
    new_name = files.store_blob(data)
    try:
        begin_write(s)
        attachment = s.get(Attachment, attachment_id)
        if attachment is None or attachment.stored_name != old_name:
            raise InvalidInput("The file changed meanwhile; look at it again.")
        attachment.stored_name, attachment.size = new_name, len(data)
        attachment.sha256 = hashlib.sha256(data).hexdigest()
        row = s.scalar(select(Analysis).where(Analysis.attachment_id == attachment_id))
        what = f"{len(hits)} secret{'s' if len(hits) != 1 else ''} in {attachment.filename}"
        record(s, issue, user.id, Verb.EDITED, "redacted", None, what)
        s.flush()
        result = view(row) if row is not None else None
        emit(s, ChangeEvent("attachment", "updated", issue.id, issue.reporter_id))
        s.commit()
    except BaseException:
        files.remove([new_name])
        raise
    files.remove([old_name])
    if result is None:
        raise NotFound("analysis")
    return result
