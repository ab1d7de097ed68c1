"""Tokens, sign-up, the current user, and user administration (ADMIN)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

import services
from pages.requests import client_address
from services import Actor, Page, Role, UserCreate, UserUpdate, UserView

from .deps import Id, Who
from .models import RegisterRequest, TokenRequest, TokenResponse

router = APIRouter(tags=["users"])
TOKEN_SECONDS = 3600
TOO_MANY = "Too many attempts from your network; wait a few minutes."
allow_signup = True  # TRACKER_ALLOW_SIGNUP, set by `configure`


def configure(*, signup: bool) -> None:
    global allow_signup
    allow_signup = signup


@router.post("/auth/token", response_model=TokenResponse, tags=["auth"])
def token(body: TokenRequest, request: Request) -> TokenResponse:
    """Exchange email and password for a bearer token (valid one hour). Failed attempts
    count towards the account lockout; attempts are limited per address."""
    if not services.throttle.SIGN_IN.hit(client_address(request)):
        raise HTTPException(429, TOO_MANY, headers={"Retry-After": "60"})
    with services.session() as s:
        actor = services.auth.authenticate(s, body.email, body.password)
        issued = services.auth.issue_api_token(s, actor, ttl_seconds=TOKEN_SECONDS)
    return TokenResponse(access_token=issued, expires_in=TOKEN_SECONDS)


@router.post("/auth/register", response_model=Actor, status_code=201, tags=["auth"])
def register(body: RegisterRequest, request: Request) -> Actor:
    """Sign up as a REPORTER (only when sign-up is enabled; a `role` field is refused)."""
    if not services.throttle.SIGN_UP.hit(client_address(request)):
        raise HTTPException(429, TOO_MANY, headers={"Retry-After": "600"})
    with services.session() as s:
        user = services.users.register(s, body.model_dump(), allow_signup=allow_signup)
    return _actor(user)


@router.get("/me", response_model=Actor)
def me(who: Who) -> Actor:
    """Who the token or session belongs to."""
    with services.session() as s:
        return who.actor(s)


@router.get("/users", response_model=Page[UserView])
def list_users(
    who: Who,
    q: str | None = None,
    role: Role | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> Page[UserView]:
    """ADMIN: users, found by part of email or name, and by role."""
    with services.session() as s:
        actor = who.actor(s)
        return services.users.list_users(s, actor, q=q, role=role, page=page, page_size=page_size)


@router.post("/users", response_model=UserView, status_code=201)
def create_user(who: Who, body: UserCreate) -> UserView:
    """ADMIN: create a user with any role."""
    with services.session() as s:
        actor = who.actor(s)
        return services.users.create_user(s, actor, body)


@router.patch("/users/{user_id}", response_model=UserView)
def update_user(who: Who, user_id: Id, body: UserUpdate) -> UserView:
    """ADMIN: change name, role, active flag or password. Role, password and deactivation
    end the user's sessions and tokens. Changing your own password needs
    `current_password` too; your own role and active flag cannot be changed."""
    with services.session() as s:
        actor = who.actor(s)
        return services.users.update_user(s, actor, user_id, body)


def _actor(user: UserView) -> Actor:
    return Actor(**user.model_dump(include=set(Actor.model_fields)))
