"""Saved views: a user's named issue lists (the list URL's filters and sort), their own and
those an admin shared with everyone."""

from __future__ import annotations

from fastapi import APIRouter, Response

import services
from services.views import ViewCreate, ViewInfo, ViewUpdate

from .deps import Id, Who

router = APIRouter(tags=["views"])


@router.get("/views", response_model=list[ViewInfo])
def list_views(who: Who) -> list[ViewInfo]:
    """Your views and the shared ones (`shared: true`), by name. Open one at its `url` (the
    issue list with its `query`); what it lists follows your own rights, so a reporter
    opening a shared view sees only their own issues."""
    with services.session() as s:
        return services.views.list_views(s, who.actor(s))


@router.post("/views", response_model=ViewInfo, status_code=201)
def save_view(who: Who, body: ViewCreate) -> ViewInfo:
    """Save `{name, query, shared?, replace?}`. `query` is the issue list's URL query
    (`status=OPEN&sort=-severity`; a leading `?` is fine): only its filters and sort are
    kept, paging and unknown parameters are dropped, and a bad value is a 422 naming it.
    Names are 1 to 60 characters on one line, trimmed, and yours once whatever their case: a
    name you already use is a 409, unless `replace` is true, which gives that view this
    query. `shared` (everyone sees the view) is for administrators."""
    with services.session() as s:
        return services.views.save_view(s, who.actor(s), body)


@router.patch("/views/{view_id}", response_model=ViewInfo)
def update_view(who: Who, view_id: Id, body: ViewUpdate) -> ViewInfo:
    """Rename a view, give it another `query`, or (administrators) share it or stop sharing
    it. Your own views are yours to change; a shared one, also any administrator's."""
    with services.session() as s:
        return services.views.update_view(s, who.actor(s), view_id, body)


@router.delete("/views/{view_id}", status_code=204)
def delete_view(who: Who, view_id: Id) -> Response:
    """Delete one of your views, or (administrators) a shared one. Someone else's private
    view is a 404, like one that does not exist."""
    with services.session() as s:
        services.views.delete_view(s, who.actor(s), view_id)
    return Response(status_code=204)
