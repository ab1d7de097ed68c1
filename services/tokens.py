"""Named personal API tokens: a user creates one for a script or a tool, sees its value
once, finds it again by name (and its last characters) in a list with when it was last
used, and revokes it alone. Only its SHA-256 is stored. A password, role or active change,
or "revoke all", ends every one of them (services.users, services.auth)."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import security
from .db import begin_write
from .errors import AuthenticationFailed, InvalidInput, NotFound
from .models import ApiToken, User, utcnow
from .permissions import hold_actor, load_actor
from .schemas import Actor, View

PREFIX = "trk_"  # tells these from the short-lived signed tokens of POST /auth/token
DAYS = (7, 30, 90, 365)
MAX_NAME = 60
MAX_PER_USER = 50
TOUCH_EVERY = dt.timedelta(minutes=5)  # "last used" is kept to this, not written per call


class TokenView(View):
    id: int
    name: str
    hint: str  # its last characters
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None = None


class NewToken(View):
    token: str  # the value: shown once, never stored
    info: TokenView


def create_token(s: Session, actor: Actor, name: str, *, days: int = 90) -> NewToken:
    """A new token for the actor, valid `days` (one of DAYS); names are unique per user."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(
            "Give the token a name, such as the script that uses it.", {"name": "required"}
        )
    if len(name) > MAX_NAME:
        raise InvalidInput(f"Name must be at most {MAX_NAME} characters.", {"name": "too long"})
    if days not in DAYS:
        allowed = ", ".join(map(str, DAYS))
        raise InvalidInput(f"A token is valid for {allowed} days.", {"days": allowed})
    begin_write(s)
    user = load_actor(s, actor)
    _forget_expired(s, user.id)
    mine = select(ApiToken.name).where(ApiToken.user_id == user.id)
    names = {n.casefold() for n in s.scalars(mine)}
    if name.casefold() in names:
        raise InvalidInput(f"You already have a token named {name!r}.", {"name": "in use"})
    if len(names) >= MAX_PER_USER:
        raise InvalidInput(f"At most {MAX_PER_USER} tokens; revoke one you no longer use.")
    value = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=security.hash_secret(value),
        hint=value[-4:],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    s.add(row)
    s.flush()
    info = TokenView.model_validate(row)
    s.commit()
    return NewToken(token=value, info=info)


def list_tokens(s: Session, actor: Actor) -> list[TokenView]:
    """The actor's tokens that still work, newest first."""
    user = load_actor(s, actor)
    rows = s.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.expires_at > utcnow())
        .order_by(ApiToken.id.desc())
    )
    return [TokenView.model_validate(r) for r in rows]


def revoke_token(s: Session, actor: Actor, token_id: int) -> None:
    """Revoke one of the actor's tokens (someone else's is not found)."""
    begin_write(s)
    user = load_actor(s, actor)
    row = s.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if row is None:
        raise NotFound("token")
    s.delete(row)
    s.commit()


def revoke_all(s: Session, user_id: int) -> None:
    """Flush-only: every token of the user ends (part of revoking their credentials)."""
    s.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


def actor_for(s: Session, value: str) -> Actor:
    """The active user a token belongs to; AuthenticationFailed when it is unknown,
    revoked or expired. Notes its use at most every TOUCH_EVERY."""
    row = s.scalar(select(ApiToken).where(ApiToken.token_hash == security.hash_secret(value)))
    now = utcnow()
    if row is None or row.expires_at <= now:
        raise AuthenticationFailed("The token is unknown, revoked or expired; create a new one.")
    user = s.get(User, row.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("The token's account is not active.")
    actor = Actor.model_validate(user)
    hold_actor(s, user)
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        token_id = row.id
        s.rollback()  # end the read; this small write must not wait behind it
        begin_write(s)
        s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        s.commit()
    return actor


def _forget_expired(s: Session, user_id: int) -> None:
    s.execute(delete(ApiToken).where(ApiToken.user_id == user_id, ApiToken.expires_at <= utcnow()))
