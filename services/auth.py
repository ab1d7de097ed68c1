"""Authentication: password login with lockout, DB-backed login sessions, API tokens."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import security
from .db import begin_write, runtime
from .errors import AuthenticationFailed
from .models import LoginSession, User, utcnow
from .schemas import Actor

log = logging.getLogger("tracker.auth")

LOCKOUT_THRESHOLD = 10
LOCKOUT_MINUTES = 15
SESSION_DAYS = 14
API_TOKEN_DEFAULT_TTL = 3600
# One message for unknown email, wrong password, locked or inactive account.
LOGIN_FAILED = "Email or password is incorrect, or the account is locked for a few minutes."
DEACTIVATED = "This account is deactivated; ask an administrator to reactivate it."


def authenticate(s: Session, email: str, password: str) -> Actor:
    """Check credentials; counts failures and locks the account after 10 in a row.
    Always commits (the failure counter), then raises AuthenticationFailed on failure."""
    begin_write(s)
    email = email.strip().lower()
    # No stored email holds a NUL (and PostgreSQL refuses one in a query): unknown user.
    user = None if "\x00" in email else s.scalar(select(User).where(User.email == email))
    # Unknown users still cost one hash, so timing does not reveal which emails exist.
    ok = security.verify_password(password, user.password_hash if user else None)
    now = utcnow()
    if user is None:
        s.commit()
        raise AuthenticationFailed(LOGIN_FAILED)
    locked = user.locked_until is not None and user.locked_until > now
    if ok and not locked and not user.is_active:
        s.commit()  # only someone who knows the password learns why
        raise AuthenticationFailed(DEACTIVATED)
    if not ok or locked:
        if not ok:
            user.failed_logins += 1
            if user.failed_logins >= LOCKOUT_THRESHOLD and not locked:
                user.locked_until = now + dt.timedelta(minutes=LOCKOUT_MINUTES)
                log.warning("account %s locked after %d failed logins", user.id, user.failed_logins)
        s.commit()
        raise AuthenticationFailed(LOGIN_FAILED)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    actor = Actor.model_validate(user)
    s.commit()
    return actor


def login(
    s: Session,
    email: str,
    password: str,
    *,
    user_agent: str = "",
    previous_token: str | None = None,
) -> tuple[str, Actor]:
    """Authenticate and open a new login session; the previous one (if any) is dropped, so a
    session id planted before login is useless. Returns (cookie value, actor)."""
    actor = authenticate(s, email, password)
    begin_write(s)
    if previous_token:
        s.execute(
            delete(LoginSession).where(
                LoginSession.token_hash == security.hash_secret(previous_token)
            )
        )
    token = security.new_session_secret()
    now = utcnow()
    s.add(
        LoginSession(
            token_hash=security.hash_secret(token),
            user_id=actor.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + dt.timedelta(days=SESSION_DAYS),
            user_agent=user_agent[:300],
        )
    )
    s.commit()
    return token, actor


def resolve_session(s: Session, token: str | None) -> Actor | None:
    """The actor of a live login session, or None (unknown, expired, user inactive)."""
    if not token:
        return None
    row = s.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == security.hash_secret(token))
    ).first()
    if row is None:
        return None
    login_session, user = row
    if login_session.expires_at <= utcnow() or not user.is_active:
        return None
    return Actor.model_validate(user)


def logout(s: Session, token: str | None) -> None:
    """End a login session (idempotent)."""
    if not token:
        return
    begin_write(s)
    s.execute(delete(LoginSession).where(LoginSession.token_hash == security.hash_secret(token)))
    s.commit()


def issue_api_token(s: Session, actor: Actor, *, ttl_seconds: int = API_TOKEN_DEFAULT_TTL) -> str:
    """A signed bearer token for `actor`, valid for `ttl_seconds` or until the user's password,
    role or active flag changes (or `revoke_api_tokens`)."""
    if not 60 <= ttl_seconds <= security.API_TOKEN_MAX_AGE:
        raise ValueError("ttl_seconds must be between one minute and one year")
    user = s.get(User, actor.id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("Your account is not active; sign in again.")
    return security.sign_api_token(_secret(), user.id, user.token_version, ttl_seconds)


def actor_from_api_token(s: Session, token: str) -> Actor:
    """The actor of a valid bearer token, else AuthenticationFailed."""
    user_id, version = security.read_api_token(_secret(), token)
    user = s.get(User, user_id)
    if user is None or not user.is_active or user.token_version != version:
        raise AuthenticationFailed("The token has been revoked; request a new one.")
    return Actor.model_validate(user)


def revoke_api_tokens(s: Session, actor: Actor) -> None:
    """Invalidate every API token of the acting user (login sessions stay)."""
    begin_write(s)
    user = s.get(User, actor.id)
    if user is None:
        raise AuthenticationFailed("Your account is not active; sign in again.")
    user.token_version += 1
    s.commit()


def _secret() -> str:
    key = runtime().secret_key
    if not key:
        raise RuntimeError("API tokens need a secret: services.connect(..., secret_key=...)")
    return key
