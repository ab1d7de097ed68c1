"""Duplicate links and the "affected" count: an original affects its own reporter and the
reporters of its duplicates (and of theirs), each person once. The count is stored on the
issue so the list can sort by it; it changes with a plain UPDATE, so a merge elsewhere
never bumps the original's version under someone editing it."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .activity import record
from .enums import Verb
from .events import ChangeEvent, emit
from .models import Issue

MAX_DEPTH = 8  # links point at originals; chains stay short (see duplicates.mark_duplicate)


def recount_from(s: Session, issue_id: int | None) -> None:
    """Recount `issue_id` and every original above it; each changed one emits
    issue/updated after commit."""
    seen: set[int] = set()
    while issue_id is not None and issue_id not in seen and len(seen) < MAX_DEPTH:
        seen.add(issue_id)
        row = s.execute(
            select(Issue.affected, Issue.reporter_id, Issue.duplicate_of).where(
                Issue.id == issue_id
            )
        ).one_or_none()
        if row is None:
            return
        count = _reporters_under(s, issue_id)
        if count != row.affected:
            s.execute(update(Issue).where(Issue.id == issue_id).values(affected=count))
            emit(s, ChangeEvent("issue", "updated", issue_id, row.reporter_id))
        issue_id = row.duplicate_of


def unlink(s: Session, issue: Issue, actor_id: int) -> None:
    """The issue is no longer a duplicate (it was reopened): recorded, the original
    recounted."""
    original = issue.duplicate_of
    if original is None:
        return
    record(s, issue, actor_id, Verb.EDITED, "duplicate_of", str(original), None)
    issue.duplicate_of = None
    s.flush()
    recount_from(s, original)


def detach_duplicates(s: Session, issue_id: int) -> None:
    """Before an original is deleted: its duplicates stay closed, linked to nothing."""
    s.execute(update(Issue).where(Issue.duplicate_of == issue_id).values(duplicate_of=None))


def duplicates_under(s: Session, root: int) -> list[tuple[int, int]]:
    """(issue id, reporter id) of every duplicate of `root`, and of theirs, nearest first."""
    out: list[tuple[int, int]] = []
    frontier, seen = [root], {root}
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        rows = s.execute(
            select(Issue.id, Issue.reporter_id)
            .where(Issue.duplicate_of.in_(frontier))
            .order_by(Issue.id)
        ).all()
        found = [(r.id, r.reporter_id) for r in rows if r.id not in seen]
        seen.update(issue_id for issue_id, _ in found)
        frontier = [issue_id for issue_id, _ in found]
        out += found
    return out


def _reporters_under(s: Session, root: int) -> int:
    reporters = {s.scalar(select(Issue.reporter_id).where(Issue.id == root))}
    reporters.update(reporter for _, reporter in duplicates_under(s, root))
    return len(reporters)
