"""Per-user write limits, counted from the database so that every process agrees.

Issues, comments and attached files per hour, imported issues per 24 hours (all from the
activity rows the user wrote), and uploaded bytes per 24 hours (their attachments, plus the
files still waiting on their unsaved forms). A write over its limit raises RateLimited
carrying the seconds until it would fit. The checks run inside the write's transaction, with
the user's writes serialised (SQLite: the write lock; PostgreSQL: an advisory lock per
user), so two requests at once, in two processes, cannot both take the last slot.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session

from .db import runtime
from .enums import Verb
from .errors import InvalidInput, RateLimited
from .models import Activity, Attachment, utcnow
from .uploads import size_text

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# The `field` of the CREATED activity row of an imported issue: imports are counted apart
# from issues filed one by one, so an admin's big import does not stop them filing one more.
IMPORTED = "import"
_LOCK_SPACE = 0x7472  # first key of the PostgreSQL advisory lock taken per user


@dataclass(frozen=True)
class WriteLimits:
    """Defaults no honest user meets; each is a TRACKER_* setting in the web app."""

    issues_per_hour: int = 60
    comments_per_hour: int = 300
    attachments_per_hour: int = 200
    imported_issues_per_day: int = 20_000


# The activity rows each limit counts.
COUNTED: dict[str, tuple[ColumnElement[bool], ...]] = {
    "issues_per_hour": (Activity.verb == Verb.CREATED, Activity.field != IMPORTED),
    "comments_per_hour": (Activity.verb == Verb.COMMENTED,),
    "attachments_per_hour": (Activity.verb == Verb.ATTACHED,),
    "imported_issues_per_day": (Activity.verb == Verb.CREATED, Activity.field == IMPORTED),
}


def check_issue(s: Session, user_id: int) -> None:
    """Room for one more issue filed by hand (form, API, notebook)."""
    _per_hour(s, user_id, "issues_per_hour", "filed", "issue")


def check_comment(s: Session, user_id: int) -> None:
    _per_hour(s, user_id, "comments_per_hour", "written", "comment")


def check_attachment(s: Session, user_id: int) -> None:
    _per_hour(s, user_id, "attachments_per_hour", "attached", "file")


def _per_hour(s: Session, user_id: int, limit_name: str, did: str, noun: str) -> None:
    _check_rows(
        s,
        user_id,
        limit_name,
        limit=getattr(runtime().limits, limit_name),
        window=HOUR,
        message=lambda n, limit: (
            f"You have {did} {many(n, noun)} in the last hour; the limit is {limit}"
        ),
    )


def check_import(s: Session, user_id: int, rows: int) -> None:
    """Room for `rows` more imported issues in the last 24 hours."""
    limit = runtime().limits.imported_issues_per_day
    if rows > limit:
        raise InvalidInput(
            f"At most {limit} issues can be imported per 24 hours; this file has {rows} rows. "
            "Split it, or ask an administrator to raise TRACKER_MAX_IMPORTED_ISSUES_PER_DAY.",
            {"file": "too many rows"},
        )
    _check_rows(
        s,
        user_id,
        "imported_issues_per_day",
        limit=limit,
        window=DAY,
        amount=rows,
        message=lambda n, limit: (
            f"You have imported {many(n, 'issue')} in the last 24 hours; {rows} more would go over "
            f"the limit of {limit}"
        ),
    )


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
    used = sum(attached for _, attached in rows)
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


def _check_rows(
    s: Session,
    user_id: int,
    counted: str,
    *,
    limit: int,
    window: dt.timedelta,
    message: Callable[[int, int], str],
    amount: int = 1,
) -> None:
    """Refuse when the user's activity rows that limit `counted` counts (`COUNTED`) in the
    window, plus `amount` new ones, would be more than `limit`."""
    _serialise(s, user_id)
    since = utcnow() - window
    # Counting stops at the first row over the limit: a user under it costs a few rows.
    room = max(0, limit - amount + 1)
    used = s.scalar(_used_query(counted), {"actor": user_id, "since": since, "room": room}) or 0
    if used + amount <= limit:
        return
    rows = (Activity.actor_id == user_id, Activity.created_at >= since, *COUNTED[counted])
    used = s.scalar(select(func.count()).select_from(Activity).where(*rows)) or 0
    # The row whose leaving the window makes room for `amount` more.
    making_room = s.scalar(
        select(Activity.created_at)
        .where(*rows)
        .order_by(Activity.created_at, Activity.id)
        .offset(max(0, used + amount - limit - 1))
        .limit(1)
    )
    wait = (making_room + window - utcnow()) if making_room is not None else window
    raise RateLimited(
        f"{message(used, limit)}. Try again in {wait_text(wait)}.",
        retry_after=math.ceil(wait.total_seconds()),
    )


@functools.cache
def _used_query(counted: str) -> Select[int]:
    """The first check of every write, built once per limit (building it cost more than
    running it): the user's rows that limit counts since a time, counting at most `room`."""
    rows = (
        Activity.actor_id == bindparam("actor"),
        Activity.created_at >= bindparam("since"),
        *COUNTED[counted],
    )
    return select(func.count()).select_from(
        select(Activity.id).where(*rows).limit(bindparam("room")).subquery()
    )


def _serialise(s: Session, user_id: int) -> None:
    """Let one write of this user at a time count and insert, until its transaction ends.
    SQLite needs nothing: begin_write holds the database's only write lock already."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(_LOCK_SPACE, user_id)))


def many(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def wait_text(wait: dt.timedelta) -> str:
    """The wait in words ("40 seconds", "12 minutes", "3 hours"), rounded up so that trying
    again then works."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 90:
        return many(seconds, "second")
    if seconds < 90 * 60:
        return many(math.ceil(seconds / 60), "minute")
    return many(math.ceil(seconds / 3600), "hour")
