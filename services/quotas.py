"""Per-user write limits, counted from the database so that every process agrees.

Uploaded bytes per 24 hours (the user's attachments, plus the files still waiting on their
unsaved forms). A write over its limit raises RateLimited carrying the seconds until it
would fit. The check runs inside the write's transaction, with the user's writes serialised
(SQLite: the write lock; PostgreSQL: an advisory lock per user), so two requests at once, in
two processes, cannot both take the last room.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .db import runtime
from .enums import Verb
from .errors import RateLimited
from .models import Activity, Attachment, utcnow
from .uploads import size_text

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
_LOCK_SPACE = 0x7472  # first key of the PostgreSQL advisory lock taken per user


def check_upload_bytes(s: Session, user_id: int, size: int, staged: int) -> None:
    """Room for a file of `size` bytes within the user's bytes per 24 hours, counting what
    they attached in that time and `staged` bytes still waiting on their unsaved forms."""
    limit = runtime().uploads.max_bytes_per_day
    _serialise(s, user_id)
    since = utcnow() - DAY
    # The user's attachments of the last day, found through the activity rows of that day
    # (indexed by time): the attachments table has no index on uploader or time.
    issues = select(Activity.issue_id).where(
        Activity.created_at >= since, Activity.actor_id == user_id, Activity.verb == Verb.ATTACHED
    )
    rows = s.execute(
        select(Attachment.created_at, Attachment.size)
        .where(
            Attachment.issue_id.in_(issues),
            Attachment.uploader_id == user_id,
            Attachment.created_at >= since,
        )
        .order_by(Attachment.created_at)
    ).all()
    used = sum(size for _, size in rows)
    if used + staged + size <= limit:
        return
    need, freed, retry = used + staged + size - limit, 0, HOUR  # staged files go within hours
    for created, attached in rows:
        freed += attached
        if freed >= need:
            retry = created + DAY - utcnow()
            break
    waiting = f" and have {size_text(staged)} waiting on unsaved forms" if staged else ""
    raise RateLimited(
        f"You have uploaded {size_text(used)} in the last 24 hours{waiting}; this file "
        f"({size_text(size)}) would go over your limit of {size_text(limit)} per day. "
        f"Try again in {wait_text(retry)}.",
        retry_after=math.ceil(retry.total_seconds()),
    )


def _serialise(s: Session, user_id: int) -> None:
    """Let one write of this user at a time count and insert, until its transaction ends.
    SQLite needs nothing: begin_write holds the database's only write lock already."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(_LOCK_SPACE, user_id)))


def many(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def wait_text(wait: dt.timedelta) -> str:
    """ "40 seconds", "12 minutes", "3 hours": rounded up, so trying then works."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 90:
        return many(seconds, "second")
    if seconds < 90 * 60:
        return many(math.ceil(seconds / 60), "minute")
    return many(math.ceil(seconds / 3600), "hour")
