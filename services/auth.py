"""Authentication: password login with lockout, DB-backed login sessions, API tokens."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import lockout, security, tokens
from .db import begin_write, runtime
from .errors import AuthenticationFailed, InvalidInput
from .models import LoginSession, TrustedDevice, User, utcnow
from .permissions import hold_actor
from .schemas import Actor

log = logging.getLogger("tracker.auth")

LOCKOUT_THRESHOLD = lockout.THRESHOLD
LOCKOUT_MINUTES = lockout.LOCK_MINUTES
SESSION_DAYS = 14
TOUCH_SECONDS = 60  # last_seen_at moves at most once a minute: no write per request
API_TOKEN_DEFAULT_TTL = 3600
# One message for unknown email, wrong password, locked or inactive account.
LOGIN_FAILED = "Email or password is incorrect, or the account is locked for a few minutes."
DEACTIVATED = "This account is deactivated; ask an administrator to reactivate it."


@dataclass(frozen=True)
class SignIn:
    """A new browser login: the session cookie, who it is, and the device cookie that lets
    this browser in even while guessers have the account locked."""

    token: str
    actor: Actor
    device: str


def authenticate(
    s: Session, email: str, password: str, *, device: str | None = None, address: str = ""
) -> Actor:
    """Check credentials; wrong passwords count towards the lockout (services.lockout).
    A browser proving a trusted `device` is not held by the account lock. Commits, then
    raises AuthenticationFailed on failure. The password hash is checked before the write
    starts, so sign-ins never hold the database's write lock while hashing."""
    actor, _ = _authenticate(s, email, password, device, address)
    s.commit()
    return actor


def sign_in(
    s: Session,
    email: str,
    password: str,
    *,
    user_agent: str = "",
    previous_token: str | None = None,
    device: str | None = None,
    address: str = "",
) -> SignIn:
    """Authenticate and open a new login session; the previous one (if any) is dropped, so a
    session id planted before login is useless. The browser's device cookie is renewed."""
    actor, trusted = _authenticate(s, email, password, device, address)
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
    device_token = lockout.remember_device(s, actor.id, trusted)
    s.commit()
    return SignIn(token=token, actor=actor, device=device_token)


def login(
    s: Session,
    email: str,
    password: str,
    *,
    user_agent: str = "",
    previous_token: str | None = None,
) -> tuple[str, Actor]:
    """`sign_in` for callers without a browser to remember: (session cookie, actor)."""
    done = sign_in(s, email, password, user_agent=user_agent, previous_token=previous_token)
    return done.token, done.actor


def check_password(s: Session, user: User, password: str) -> None:
    """For a signed-in user confirming their password (account page, API): a wrong one
    counts towards the same lockout, and a locked account is refused. The caller holds the
    write lock (begin_write) only after this returns."""
    ok = security.verify_password(password, user.password_hash)
    if ok and not lockout.is_locked(user.locked_until):
        return
    begin_write(s)
    if not ok:
        lockout.count_account_failure(s, user.id)
        log.info("wrong current password for account %s", user.id)
    s.commit()
    raise InvalidInput(
        "The current password is not correct, or there were too many wrong attempts; "
        "wait a few minutes.",
        {"current_password": "wrong"},
    )


def _authenticate(
    s: Session, email: str, password: str, device: str | None, address: str
) -> tuple[Actor, TrustedDevice | None]:
    """Returns the actor and the trusted device used, with the write lock held (the
    caller commits); on failure counts it, commits and raises."""
    email = email.strip().lower()
    # No stored email holds a NUL (and PostgreSQL refuses one in a query): unknown user.
    user = None if "\x00" in email else s.scalar(select(User).where(User.email == email))
    # Unknown users still cost one hash, so timing does not reveal which emails exist.
    ok = security.verify_password(password, user.password_hash if user else None)
    if user is None:
        s.rollback()
        log.info("failed sign-in: unknown account, from %s", address or "?")
        raise AuthenticationFailed(LOGIN_FAILED)
    trusted = lockout.trusted_device(s, user.id, device)
    locked = trusted is None and lockout.is_locked(user.locked_until)
    begin_write(s)
    if ok and not locked:
        if not user.is_active:
            s.commit()  # only someone who knows the password learns why
            log.info("sign-in refused: account %s is deactivated, from %s", user.id, address)
            raise AuthenticationFailed(DEACTIVATED)
        if trusted is None:
            lockout.clear(user)
        user.last_login_at = utcnow()
        s.flush()
        return Actor.model_validate(user), trusted
    if not ok and trusted is not None:
        lockout.count_device_failure(s, trusted.id)
    elif not ok:
        lockout.count_account_failure(s, user.id)
    s.commit()
    why = "account locked" if ok else "wrong password"
    log.info("failed sign-in for account %s (%s), from %s", user.id, why, address or "?")
    raise AuthenticationFailed(LOGIN_FAILED)


def resolve_session(s: Session, token: str | None, *, touch: bool = True) -> Actor | None:
    """The actor of a live login session, or None (unknown, expired, idle too long, user
    inactive). `touch`: this is the user acting (not a background re-check), so the idle
    clock restarts; last_seen_at is written at most once a minute."""
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
    now = utcnow()
    idle = login_session.last_seen_at + runtime().session_idle <= now
    if login_session.expires_at <= now or idle or not user.is_active:
        return None
    actor = Actor.model_validate(user)
    hold_actor(s, user)
    if touch and (now - login_session.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        begin_write(s)
        s.execute(
            update(LoginSession)
            .where(LoginSession.id == login_session.id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        s.commit()
    return actor


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
    """The actor of a valid bearer token (a named one of services.tokens, or a signed one),
    else AuthenticationFailed."""
    if token.startswith(tokens.PREFIX):
        return tokens.actor_for(s, token)
    user_id, version = security.read_api_token(_secret(), token)
    user = s.get(User, user_id)
    if user is None or not user.is_active or user.token_version != version:
        raise AuthenticationFailed("The token has been revoked; request a new one.")
    hold_actor(s, user)
    return Actor.model_validate(user)


def revoke_api_tokens(s: Session, actor: Actor) -> None:
    """Invalidate every API token of the acting user, named or not (login sessions stay)."""
    begin_write(s)
    user = s.get(User, actor.id)
    if user is None:
        raise AuthenticationFailed("Your account is not active; sign in again.")
    user.token_version += 1
    tokens.revoke_all(s, user.id)
    s.commit()


def _secret() -> str:
    key = runtime().secret_key
    if not key:
        raise RuntimeError("API tokens need a secret: services.connect(..., secret_key=...)")
    return key
