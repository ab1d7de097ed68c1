"""Full-text search: what the list's `q` matches, and how fast.

Each issue has one row in `issue_texts`: its title, and a body of everything a person may
want to find it by (title, description, comments, and the text read from its files, which
`services.intake` adds through `hooks.on_texts`). Both are folded to lower case here, in
Python, so the two databases compare the same characters. The row is rebuilt in the
transaction that changes one of those texts (`touch`, or the session events below), so a
search never disagrees with what was committed.

`q` is split into terms (a "quoted phrase" is one term); an issue matches when every term
is part of its body, in any of those texts. Terms of three characters or more are looked up
in a trigram index (PostgreSQL: `pg_trgm` GIN indexes; SQLite: an FTS5 table with the
trigram tokenizer, migration 0014); shorter ones are checked on the rows the longer ones
found, or on every row when a query has no longer term.

Relevance (`sort=relevance`, the default when `q` is given): the issue whose number `q`
is first, then the issues with every term in their title, then the rest; most recently
updated first within each. Each tier is its own ordered, limited query, so a word found in
half of a million issues costs about as little as a rare one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    column,
    delete,
    event,
    insert,
    inspect,
    not_,
    select,
    table,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.types import Boolean

from . import hooks
from .models import Comment, Issue, IssueText

MAX_TERMS = 10
INDEXED = 3  # the trigram indexes find terms of at least this many characters
MAX_BODY = 1_000_000  # characters of an issue's searchable text; the rest is not searched
FTS = "issue_texts_fts"  # SQLite's FTS5 table over issue_texts (migration 0014)
_FTS = table(FTS, column("rowid"), column("title"), column("body"))
_TOUCHED = "fulltext_touched"
_INSERTED = "fulltext_inserted"  # ids of the issues this transaction inserted
_MORE = "fulltext_more"  # issue ids that got a comment or a file in this transaction
_TERM = re.compile(r'"([^"]*)"|(\S+)')


def terms(q: str) -> list[str]:
    """The terms of a search, lower case, once each: words, or "quoted phrases"."""
    found: list[str] = []
    for phrase, word in _TERM.findall(q):
        term = " ".join((phrase or word).split()).lower()
        if term and term not in found:
            found.append(term)
    return found[:MAX_TERMS]


def document(title: str, texts: Iterable[str]) -> tuple[str, str]:
    """The searchable title and body of an issue, folded as `terms` folds a search."""
    body = "\n".join([title, *texts])
    return title.lower(), body[:MAX_BODY].lower()


def not_in_models(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's `include_object`: False for what migration 0014 adds beside the models
    (SQLite's FTS5 table and its shadow tables, PostgreSQL's trigram indexes)."""
    extra = bool(name) and (str(name).startswith(FTS) or str(name).endswith("_trgm"))
    return not (reflected and compare_to is None and extra)


# --- the filter, compiled for each database ------------------------------------------------


class Matching(ColumnElement[bool]):
    """`issues.id` is that of an issue whose `where` ("body", "title": every term in it;
    "body_only": every term in the body but not all of them in the title) holds."""

    type = Boolean()
    inherit_cache = False  # compiled per search: the terms are part of the SQL on SQLite

    def __init__(self, found: list[str], where: str = "body") -> None:
        self.found = found
        self.where = where


def matching(found: list[str], where: str = "body") -> ColumnElement[bool]:
    return Matching(found, where)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(term: str) -> str:
    return f"%{escape_like(term)}%"


def _all_in(column: Any, found: list[str]) -> ColumnElement[bool]:
    return and_(*(column.like(_like(t), escape="\\") for t in found))


@compiles(Matching)
def _compile_postgresql(element: Matching, compiler: Any, **kw: Any) -> str:
    t = IssueText.__table__.c
    if element.where == "title":
        condition = _all_in(t.title, element.found)
    else:
        condition = _all_in(t.body, element.found)
        if element.where == "body_only":
            condition = and_(condition, not_(_all_in(t.title, element.found)))
    ids = select(t.issue_id).where(condition)
    return str(compiler.process(Issue.id.in_(ids), **kw))


def _fts_ids(column: str, found: list[str]) -> Any:
    """Ids of the FTS rows with every term in `column`: a trigram MATCH for the long terms,
    LIKE (on the rows the MATCH left, or a scan) for the short ones."""
    long = [t for t in found if len(t) >= INDEXED]
    clauses: list[Any] = []  # a MATCH (text) and LIKEs
    if long:
        phrases = " AND ".join('"' + t.replace('"', '""') + '"' for t in long)
        value = f"{column} : ({phrases})"
        clauses.append(text(f"{FTS} MATCH :m").bindparams(bindparam("m", value, unique=True)))
    for term in (t for t in found if len(t) < INDEXED):
        clauses.append(_FTS.c[column].like(_like(term), escape="\\"))
    return select(_FTS.c.rowid).where(and_(*clauses))


@compiles(Matching, "sqlite")
def _compile_sqlite(element: Matching, compiler: Any, **kw: Any) -> str:
    condition: ColumnElement[bool]
    if element.where == "title":
        condition = Issue.id.in_(_fts_ids("title", element.found))
    else:
        condition = Issue.id.in_(_fts_ids("body", element.found))
        if element.where == "body_only":
            condition = and_(condition, Issue.id.not_in(_fts_ids("title", element.found)))
    return str(compiler.process(condition, **kw))


# --- keeping issue_texts in step ----------------------------------------------------------


def touch(s: Session, issue_id: int) -> None:
    """Rebuild this issue's searchable text before the transaction commits."""
    s.info.setdefault(_TOUCHED, set()).add(issue_id)
    s.info.setdefault(_MORE, set()).add(issue_id)


def refresh(conn: Session | Connection, issue_ids: Iterable[int]) -> None:
    """Rebuild the searchable text of these issues from their sources (now). The issues'
    rows are locked first, so two transactions adding to the same issue build in turn."""
    ids = sorted(set(issue_ids))
    for start in range(0, len(ids), 500):
        _refresh_chunk(conn, ids[start : start + 500])


def _refresh_chunk(conn: Session | Connection, ids: list[int]) -> None:
    lock = select(Issue.id, Issue.title, Issue.description).where(Issue.id.in_(ids))
    if _dialect(conn) == "postgresql":
        lock = lock.order_by(Issue.id).with_for_update()
    issues = {i: (title, description) for i, title, description in conn.execute(lock)}
    texts: dict[int, list[str]] = {i: [d] for i, (_, d) in issues.items()}
    rows = conn.execute(
        select(Comment.issue_id, Comment.body)
        .where(Comment.issue_id.in_(issues))
        .order_by(Comment.id)
    )
    for issue_id, body in rows:
        texts[issue_id].append(body)
    for issue_id, more in hooks.texts_of(conn, list(issues)).items():
        texts[issue_id] += more
    conn.execute(delete(IssueText).where(IssueText.issue_id.in_(ids)))
    if issues:
        values = []
        for issue_id, (title, _) in issues.items():
            t, body = document(title, texts[issue_id])
            values.append({"issue_id": issue_id, "title": t, "body": body})
        conn.execute(insert(IssueText), values)


def _dialect(conn: Session | Connection) -> str:
    return conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name


def rebuild(conn: Session | Connection, batch: int = 2000) -> int:
    """Rebuild every issue's searchable text (`tracker search-index`, migration 0014, the
    data generator); returns how many issues."""
    done, last = 0, 0
    while True:
        ids = list(
            conn.scalars(select(Issue.id).where(Issue.id > last).order_by(Issue.id).limit(batch))
        )
        if not ids:
            return done
        refresh(conn, ids)
        done, last = done + len(ids), ids[-1]


def _note_changes(s: Session, flush_context: Any) -> None:
    """After a flush: the issues whose title or description changed, or that got a comment
    (the session still shows what the flush wrote)."""
    touched = s.info.setdefault(_TOUCHED, set())
    for obj in s.new:
        if isinstance(obj, Issue):
            touched.add(obj.id)
            s.info.setdefault(_INSERTED, set()).add(obj.id)
        elif isinstance(obj, Comment):
            touched.add(obj.issue_id)
            s.info.setdefault(_MORE, set()).add(obj.issue_id)
    for obj in s.dirty:
        if isinstance(obj, Issue) and _text_changed(obj):
            touched.add(obj.id)


def _text_changed(issue: Issue) -> bool:
    attrs = inspect(issue).attrs
    return attrs.title.history.has_changes() or attrs.description.history.has_changes()


def _before_commit(s: Session) -> None:
    if not s.info.get(_TOUCHED) and not (s.new or s.dirty):
        return
    s.flush()
    ids = s.info.pop(_TOUCHED, None)
    inserted, more = s.info.pop(_INSERTED, set()), s.info.pop(_MORE, set())
    if not ids:
        return
    # An issue inserted by this transaction, with nothing added to it since (no comment, no
    # file: `touch`), has only its own title and description: its row is written from them
    # (the session still holds it; one it let go of is read back like the others).
    fresh = [
        issue
        for i in ids & (inserted - more)
        if (issue := s.identity_map.get(_issue_key(i))) is not None
        and not inspect(issue).was_deleted
    ]
    if fresh:
        values = []
        for issue in fresh:
            title, body = document(issue.title, [issue.description])
            values.append({"issue_id": issue.id, "title": title, "body": body})
        s.connection().execute(_INSERT_TEXT, values)
    if rest := ids - {issue.id for issue in fresh}:
        refresh(s, rest)


_INSERT_TEXT = insert(IssueText)  # run on the connection: plain rows; every create writes one


def _issue_key(issue_id: int) -> Any:
    return inspect(Issue).identity_key_from_primary_key((issue_id,))


def _forget(s: Session) -> None:
    for key in (_TOUCHED, _INSERTED, _MORE):
        s.info.pop(key, None)


def listen() -> None:
    event.listen(Session, "after_flush", _note_changes)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _forget)


listen()
