"""Saved views: a user names the issue list's filters and sort (the list URL's query) and
finds it again in the navigation; an admin may share one with everyone. A view is only a
URL: what it lists is decided when it is opened, by the opener's own rights (a reporter
opening a shared view sees only their own issues).

`list_views`, `save_view`, `update_view` (rename, another query, share or stop sharing) and
`delete_view`. Every change emits a `view` event, for the owner alone while the view is
private and for everyone when it is or was shared (pages.live).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import begin_write
from .errors import Conflict, InvalidInput, NotFound
from .events import ChangeEvent, emit
from .filters import query_from_url, url_of
from .models import SavedView, User, utcnow
from .permissions import can_change_view, can_share_views, load_actor, require, sees_view
from .schemas import Actor, Input, View, ViewName, parse

KIND = "view"  # the events' kind
LIST_PATH = "/"  # the issue list, where a view's query applies
MAX_VIEWS = 50  # per owner: the navigation lists them all
MAX_QUERY = 2000

Query = Annotated[str, Field(max_length=MAX_QUERY)]


class ViewCreate(Input):
    name: ViewName
    query: Query = ""  # the list URL's query string; paging and unknown parameters dropped
    shared: bool = False  # admins only
    replace: bool = False  # an own view of the same name gets this query (else: Conflict)


class ViewUpdate(Input):
    name: ViewName | None = None
    query: Query | None = None
    shared: bool | None = None  # admins only


class ViewInfo(View):
    id: int
    name: str
    query: str  # canonical: see filters.url_of
    url: str  # the issue list showing it
    shared: bool
    owner_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


def list_views(s: Session, actor: Actor) -> list[ViewInfo]:
    """The actor's own views and every shared one, by name."""
    me = load_actor(s, actor)
    rows = s.scalars(
        select(SavedView)
        .where(or_(SavedView.owner_id == me.id, SavedView.shared.is_(True)))
        .order_by(SavedView.name_key, SavedView.id)
    )
    return [_info(row) for row in rows]


def save_view(s: Session, actor: Actor, data: ViewCreate | Mapping[str, Any]) -> ViewInfo:
    """Save a list's query under a name. A name the actor already uses (in any case) is a
    Conflict, unless `replace`: then that view gets the new query."""
    data = parse(ViewCreate, data)
    query = _canonical(data.query)
    begin_write(s)
    me = load_actor(s, actor)
    if data.shared:
        require(can_share_views(me), "Only administrators can share a view with everyone.")
    row = _named(s, me.id, data.name)
    if row is not None and not data.replace:
        raise Conflict(f"You already have a view named “{row.name}”.")
    op, was_shared = ("updated", row.shared) if row is not None else ("created", False)
    now = utcnow()
    if row is None:
        _check_room(s, me)
        row = SavedView(owner_id=me.id, name_key=_key(data.name), shared=False, created_at=now)
        s.add(row)
    row.name = data.name
    row.query = query
    row.shared = row.shared or data.shared
    row.updated_at = now
    return _commit(s, row, op, was_shared)


def update_view(
    s: Session, actor: Actor, view_id: int, data: ViewUpdate | Mapping[str, Any]
) -> ViewInfo:
    """Rename a view, give it another query, share it or stop sharing it (admins)."""
    data = parse(ViewUpdate, data)
    query = None if data.query is None else _canonical(data.query)
    begin_write(s)
    me = load_actor(s, actor)
    row = _visible(s, me, view_id)
    was_shared = row.shared
    if data.name is not None or query is not None:
        _check_change(me, row)
    if data.shared is not None and data.shared != row.shared:
        require(can_share_views(me), "Only administrators can share a view or stop sharing it.")
        row.shared = data.shared
    if data.name is not None:
        other = _named(s, row.owner_id, data.name)
        if other is not None and other.id != row.id:
            whose = "You already have" if row.owner_id == me.id else "Its owner already has"
            raise Conflict(f"{whose} a view named “{other.name}”.")
        row.name, row.name_key = data.name, _key(data.name)
    if query is not None:
        row.query = query
    row.updated_at = utcnow()
    return _commit(s, row, "updated", was_shared)


def delete_view(s: Session, actor: Actor, view_id: int) -> None:
    """Delete a view: its owner, or an admin when it is shared."""
    begin_write(s)
    me = load_actor(s, actor)
    row = _visible(s, me, view_id)
    _check_change(me, row)
    emit(s, _event("deleted", row, row.shared))
    s.delete(row)
    s.commit()


def _key(name: str) -> str:
    """What makes two names the same: "Triage" and "TRIAGE" are one name."""
    return name.casefold()


def _canonical(text: str) -> str:
    try:
        query = url_of(query_from_url(text))
    except InvalidInput as e:
        message = f"The view's query is not valid: {e.message}"
        raise InvalidInput(message, {"query": e.message}) from None
    if len(query) > MAX_QUERY:
        raise InvalidInput(
            "The view's query is too long.", {"query": f"at most {MAX_QUERY} characters"}
        )
    return query


def _named(s: Session, owner_id: int, name: str) -> SavedView | None:
    return s.scalar(
        select(SavedView).where(SavedView.owner_id == owner_id, SavedView.name_key == _key(name))
    )


def _visible(s: Session, me: User, view_id: int) -> SavedView:
    """The view if `me` may see it; someone else's private view does not exist for them."""
    row = s.get(SavedView, view_id)
    if row is None or not sees_view(me, row.owner_id, row.shared):
        raise NotFound("view")
    return row


def _check_change(me: User, row: SavedView) -> None:
    require(
        can_change_view(me, row.owner_id, row.shared),
        "Only its owner or an administrator can change a shared view.",
    )


def _check_room(s: Session, me: User) -> None:
    mine = select(func.count()).select_from(SavedView).where(SavedView.owner_id == me.id)
    count = s.scalar(mine) or 0
    if count >= MAX_VIEWS:
        raise InvalidInput(
            f"You have {MAX_VIEWS} saved views, the most allowed; delete one first.",
            {"name": f"at most {MAX_VIEWS} views"},
        )


def _commit(s: Session, row: SavedView, op: str, was_shared: bool) -> ViewInfo:
    try:
        s.flush()
    except IntegrityError:  # a concurrent save of the same name won the race
        raise Conflict(f"You already have a view named “{row.name}”.") from None
    info = _info(row)
    emit(s, _event(op, row, was_shared))
    s.commit()
    return info


def _event(op: str, row: SavedView, was_shared: bool) -> ChangeEvent:
    """Everyone's navigation lists a shared view (or one that stops being shared)."""
    audience = None if was_shared or row.shared else row.owner_id
    return ChangeEvent(KIND, op, user_id=audience)


def _info(row: SavedView) -> ViewInfo:
    return ViewInfo(
        id=row.id,
        name=row.name,
        query=row.query,
        url=LIST_PATH + (f"?{row.query}" if row.query else ""),
        shared=row.shared,
        owner_id=row.owner_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
