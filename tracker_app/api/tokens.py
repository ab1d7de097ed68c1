"""Named personal API tokens: list, create (the value is in this one answer), revoke."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import Field

import services
from services.tokens import DAYS, MAX_NAME, NewToken, TokenView

from .deps import Id, Who
from .models import Body

router = APIRouter(tags=["auth"])


class TokenBody(Body):
    name: str = Field(max_length=MAX_NAME, examples=["nightly export script"])
    days: int = Field(default=90, examples=[90], description=f"valid for one of {list(DAYS)}")


@router.get("/tokens", response_model=list[TokenView])
def list_tokens(who: Who) -> list[TokenView]:
    """Your named tokens that still work, newest first: name, last characters (`hint`),
    created, expires, last used (to within five minutes). Never their values."""
    with services.session() as s:
        return services.tokens.list_tokens(s, who.actor(s))


@router.post("/tokens", response_model=NewToken, status_code=201)
def create_token(who: Who, body: TokenBody) -> NewToken:
    """A new named token; `token` is its value, in this answer only (only its SHA-256 is
    kept). Send it as `Authorization: Bearer <token>`."""
    with services.session() as s:
        return services.tokens.create_token(s, who.actor(s), body.name, days=body.days)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(who: Who, token_id: Id) -> Response:
    """Revoke one of your tokens (it stops working at once)."""
    with services.session() as s:
        services.tokens.revoke_token(s, who.actor(s), token_id)
    return Response(status_code=204)
