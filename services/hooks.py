"""Extension points: work that a later part of `services` adds to a core write, inside the
write's own transaction, without the core knowing that part. The intake registers here, so
an attachment, a description or a comment and the need to analyse it commit together (and
nothing is lost if the process dies right after the commit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Written:
    what: str  # "attachment" | "description" | "comment" | "issue" (its title or text)
    issue_id: int
    source_id: int  # the attachment's, the issue's or the comment's id
    new: bool = False  # its row was inserted by this transaction: nothing refers to it yet


Hook = Callable[[Session, Written], None]
_hooks: list[Hook] = []


def on_write(hook: Hook) -> None:
    """Call `hook(session, written)` in every transaction that writes one of these."""
    if hook not in _hooks:
        _hooks.append(hook)


def written(s: Session, what: str, issue_id: int, source_id: int, *, new: bool = False) -> None:
    """Called by the core writes after their row is flushed (`new`: inserted just now)."""
    for hook in list(_hooks):
        hook(s, Written(what, issue_id, source_id, new))


# Every activity row as it is recorded, with its issue: a later part (notifications) reacts
# inside the same transaction, so the change and what it causes commit together.
ActivityHook = Callable[[Session, Any, Any], None]  # (session, issue, activity row)
_activity_hooks: list[ActivityHook] = []


def on_activity(hook: ActivityHook) -> None:
    """Call `hook(session, issue, row)` for every activity row recorded."""
    if hook not in _activity_hooks:
        _activity_hooks.append(hook)


def recorded(s: Session, issue: Any, row: Any) -> None:
    """Called by `activity.record` once the row is added to the session."""
    for hook in list(_activity_hooks):
        hook(s, issue, row)


# Issue filters a later part answers: name -> (value -> a SELECT of matching issue ids).
# "signature": issues with a crash signature (the list's `signature=`).
IssueIds = Callable[[str], Any]
_issue_filters: dict[str, IssueIds] = {}


def on_issue_filter(name: str, ids: IssueIds) -> None:
    _issue_filters[name] = ids


def issue_ids(name: str, value: str) -> Any | None:
    """The SELECT of issue ids a registered filter gives for `value` (None: none is)."""
    ids = _issue_filters.get(name)
    return ids(value) if ids is not None else None


# The crash signatures (fingerprints) of issues, for their views: issue ids -> a SELECT of
# (issue id, fingerprint) rows, so the views read them in the query that reads the tags.
Signatures = Callable[[Sequence[int] | BindParameter[Any]], "Select[int, str]"]
_signatures: list[Signatures] = []


def on_signatures(finder: Signatures) -> None:
    if finder not in _signatures:
        _signatures.append(finder)


def signature_selects(issue_ids: Sequence[int] | BindParameter[Any]) -> list[Select[int, str]]:
    """The finders' selects of (issue id, fingerprint) for these issues: a list of ids, or an
    expanding bind parameter for a statement built once and run with many lists."""
    return [finder(issue_ids) for finder in _signatures]


def signature_finders() -> tuple[Signatures, ...]:
    return tuple(_signatures)


def signatures_of(s: Session, issue_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for select_ in signature_selects(issue_ids) if issue_ids else []:
        for issue_id, fingerprint in s.execute(select_):
            out.setdefault(issue_id, []).append(fingerprint)
    return {issue_id: sorted(found) for issue_id, found in out.items()}


# Crash signatures (fingerprints) of the stack traces in a text not stored yet (a draft).
_text_signatures: list[Callable[[str], list[str]]] = []


def on_signatures_in(finder: Callable[[str], list[str]]) -> None:
    if finder not in _text_signatures:
        _text_signatures.append(finder)


def signatures_in(text: str) -> list[str]:
    return [fp for finder in _text_signatures for fp in finder(text)]


# Text leaving the tracker (exports, mail) with secrets masked; unchanged when no part of
# services registered a masker.
_maskers: list[Callable[[str], str]] = []


def on_mask(masker: Callable[[str], str]) -> None:
    if masker not in _maskers:
        _maskers.append(masker)


def masked(text: str) -> str:
    for masker in _maskers:
        text = masker(text)
    return text


# More columns for the CSV export: their names, and their cells for a batch of issue ids.
ExportCells = Callable[[Session, list[int]], dict[int, list[str]]]
_export: dict[tuple[str, ...], ExportCells] = {}


def on_export(columns: tuple[str, ...], cells: ExportCells) -> None:
    _export[columns] = cells


def export_columns() -> list[str]:
    return [name for columns in _export for name in columns]


def export_cells(s: Session, issue_ids: list[int]) -> dict[int, list[str]]:
    """Per issue id, the registered columns' cells (empty where there is nothing)."""
    out: dict[int, list[str]] = {i: [] for i in issue_ids}
    for columns, cells in _export.items():
        found = cells(s, issue_ids)
        for i in issue_ids:
            out[i].extend(found.get(i) or [""] * len(columns))
    return out


# More searchable text of issues (services.fulltext): (connection, issue ids) -> id -> texts.
Texts = Callable[[Any, list[int]], dict[int, list[str]]]
_texts: list[Texts] = []


def on_texts(provider: Texts) -> None:
    if provider not in _texts:
        _texts.append(provider)


def texts_of(conn: Any, issue_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for provider in list(_texts):
        for issue_id, texts in provider(conn, issue_ids).items():
            out.setdefault(issue_id, []).extend(texts)
    return out
