"""Who is calling: a bearer token, or the browser's session cookie for same-origin calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

import services
from pages import cookies
from pages.requests import same_site
from services import Actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = HTTPBearer(
    auto_error=False,
    description="A token from `POST /api/v1/auth/token` or the account page: "
    "`Authorization: Bearer <token>`.",
)


@dataclass(frozen=True)
class Credentials:
    """What a request carries to prove who it is; checked against the database by `actor`,
    inside the endpoint's own session (one session and one thread per request)."""

    token: str | None
    cookie: str | None
    same_site: bool
    state: Any = None  # the request's state: the request log reads `user_id` from it

    def actor(self, s: Session) -> Actor:
        """The authenticated actor, or 401; a cookie-authenticated write from another site
        gets 403."""
        if self.token is not None:
            actor: Actor | None = services.auth.actor_from_api_token(s, self.token)
        else:
            actor = services.auth.resolve_session(s, self.cookie)
        if actor is None:
            raise HTTPException(401, "Not signed in.", headers={"WWW-Authenticate": "Bearer"})
        if self.token is None and not self.same_site:
            raise HTTPException(403, "Cross-site request refused.")
        if self.state is not None:
            self.state.user_id = actor.id
        return actor


async def credentials(
    request: Request, bearer_token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Credentials:
    """Read the credentials (no I/O, so on the event loop). Tokens in the query string are
    refused: they end up in logs and browser history."""
    if {"access_token", "token", "api_key"} & set(request.query_params):
        raise HTTPException(401, "Send the token in the Authorization header, not the URL.")
    cookie = cookies.session_token(request)
    if bearer_token is None and not cookie:
        raise HTTPException(401, "Not signed in.", headers={"WWW-Authenticate": "Bearer"})
    return Credentials(
        token=bearer_token.credentials if bearer_token else None,
        cookie=cookie,
        same_site=request.method in SAFE_METHODS or same_site(request),
        state=request.state,
    )


Who = Annotated[Credentials, Depends(credentials)]


MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="a positive id")]
