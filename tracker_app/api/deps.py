"""Who is calling: a bearer token, or the browser's session cookie for same-origin calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

import services
from pages.session import COOKIE
from services import Actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = HTTPBearer(
    auto_error=False,
    description="A token from `POST /api/v1/auth/token` or the account page: "
    "`Authorization: Bearer <token>`.",
)


def caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Actor:
    """The authenticated actor, or 401. Tokens in the query string are refused (they end up
    in logs and browser history); cookie-authenticated writes must come from this site."""
    if {"access_token", "token", "api_key"} & set(request.query_params):
        raise HTTPException(401, "Send the token in the Authorization header, not the URL.")
    with services.session() as s:
        if credentials is not None:
            return services.auth.actor_from_api_token(s, credentials.credentials)
        actor = services.auth.resolve_session(s, request.cookies.get(COOKIE))
    if actor is None:
        raise HTTPException(401, "Not signed in.", headers={"WWW-Authenticate": "Bearer"})
    if request.method not in SAFE_METHODS and not same_site(request):
        raise HTTPException(403, "Cross-site request refused.")
    return actor


def same_site(request: Request) -> bool:
    """Origin (or Sec-Fetch-Site) says the request comes from a page of this site."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    if not origin:
        return False
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="a positive id")]
