"""One-click unsubscribe (RFC 8058): a signed link per user that turns their mail off. It
can do nothing else, and only by a POST (a mail client's one-click, or the button on the
page the link opens): a GET never changes anything."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ..db import begin_write, runtime
from ..errors import InvalidInput
from ..models import User
from . import config
from .models import EmailMode, NotificationPrefs

SALT = "tracker-unsubscribe"
MAX_AGE = 365 * 86400  # links in old mails keep working for a year
PATH = "/mail/unsubscribe"


def link(user_id: int) -> str:
    """The absolute unsubscribe URL for this user."""
    return config.config.link(f"{PATH}?t={token(user_id)}")


def token(user_id: int) -> str:
    return _signer().dumps(user_id)


def read(value: str) -> int:
    """The user id a token stands for; InvalidInput when forged, damaged or too old."""
    try:
        user_id = _signer().loads(value, max_age=MAX_AGE)
    except BadSignature:
        raise InvalidInput("This unsubscribe link is not valid (or too old).") from None
    if not isinstance(user_id, int):
        raise InvalidInput("This unsubscribe link is not valid (or too old).")
    return user_id


def unsubscribe(s: Session, value: str) -> str:
    """Turn off mail for the token's user (no sign-in: the signed link is the proof);
    returns their address. Idempotent."""
    user_id = read(value)
    begin_write(s)
    user = s.get(User, user_id)
    if user is None:
        raise InvalidInput("This unsubscribe link is not valid (or too old).")
    prefs = s.get(NotificationPrefs, user_id)
    if prefs is None:
        from .rules import prefs_of

        prefs = prefs_of(s, user_id)
        s.add(prefs)
    prefs.email = EmailMode.OFF
    email = user.email
    s.commit()
    return email


def _signer() -> URLSafeTimedSerializer:
    secret = runtime().secret_key
    if not secret:
        raise RuntimeError("services.connect(..., secret_key=...) is needed for mail links")
    return URLSafeTimedSerializer(secret, salt=SALT)
