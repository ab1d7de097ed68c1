"""Extension points: work that a later part of `services` adds to a core write, inside the
write's own transaction, without the core knowing that part. The intake registers here, so
an attachment, a description or a comment and the need to analyse it commit together (and
nothing is lost if the process dies right after the commit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Written:
    what: str  # "attachment" | "description" | "comment"
    issue_id: int
    source_id: int  # the attachment's, the issue's or the comment's id


Hook = Callable[[Session, Written], None]
_hooks: list[Hook] = []


def on_write(hook: Hook) -> None:
    """Call `hook(session, written)` in every transaction that writes one of these."""
    if hook not in _hooks:
        _hooks.append(hook)


def written(s: Session, what: str, issue_id: int, source_id: int) -> None:
    """Called by the core writes after their row is flushed."""
    for hook in list(_hooks):
        hook(s, Written(what, issue_id, source_id))


# Issue filters a later part answers: name -> (value -> a SELECT of matching issue ids).
# "text": issues whose other text matches a LIKE pattern (the list's `q` searches it too);
# "signature": issues with a crash signature (the list's `signature=`).
IssueIds = Callable[[str], Any]
_issue_filters: dict[str, IssueIds] = {}


def on_issue_filter(name: str, ids: IssueIds) -> None:
    _issue_filters[name] = ids


def issue_ids(name: str, value: str) -> Any | None:
    """The SELECT of issue ids a registered filter gives for `value` (None: none is)."""
    ids = _issue_filters.get(name)
    return ids(value) if ids is not None else None
