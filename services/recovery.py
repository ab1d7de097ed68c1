"""Forgotten passwords: a reset link by mail, when mail is configured (without mail, an
admin resets the password on /admin/users). The link is signed, works for an hour and only
once: it carries a fingerprint of the password it replaces, so any change of that password
(the reset itself included) ends it. Asking never tells whether an account exists."""

from __future__ import annotations

import datetime as dt
import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import users
from .db import begin_write, runtime
from .errors import InvalidInput
from .models import User, utcnow
from .notify import compose
from .notify import config as mail
from .notify.models import MailOutbox
from .notify.outbox import queue_mail

SALT = "tracker-password-reset"
VALID = dt.timedelta(hours=1)
MAILS_PER_HOUR = 3  # per account: nobody floods a mailbox through the form
KIND = "reset"
PATH = "/reset"
NO_MAIL = (
    "Password reset by email is not set up on this tracker. Ask an administrator to set a "
    "new password for you."
)
DEAD_LINK = "This reset link has expired or was already used. Ask for a new one."


def by_mail() -> bool:
    """Whether reset links can be mailed (TRACKER_SMTP_URL and TRACKER_MAIL_FROM are set)."""
    return mail.config.enabled


def request_reset(s: Session, email: str) -> None:
    """Mail a reset link to the active account with this address, if there is one (at most
    MAILS_PER_HOUR per account). Returns the same way whether or not there is one."""
    if not by_mail():
        raise InvalidInput(NO_MAIL)
    address = email.strip().lower()
    if not address or len(address) > 320:
        raise InvalidInput("Enter the email address you sign in with.", {"email": "required"})
    begin_write(s)
    user = s.scalar(select(User).where(User.email == address))
    if user is None or not user.is_active or _recent_mails(s, address) >= MAILS_PER_HOUR:
        s.rollback()
        return
    token = _signer().dumps({"u": user.id, "f": _fingerprint(user)})
    link = mail.config.link(f"{PATH}?token={token}")
    text = (
        f"Someone, hopefully you, asked to reset the password of your account ({address}) "
        f"on the tracker at {mail.config.base_url}.\n\n"
        f"To choose a new password, open this link within an hour:\n{link}\n\n"
        "If it was not you, ignore this mail: your password stays as it is."
    )
    queue_mail(s, KIND, address, compose.plain("Reset your password", text))
    s.commit()


def account_for(s: Session, token: str) -> str:
    """The email address a reset link is for; InvalidInput when it is not valid (any more)."""
    return _user_for(s, token).email


def reset_password(s: Session, token: str, new_password: str) -> str:
    """Set the new password of the link's account; returns its email. The link's check and
    the change are one write, so a link works once even when used twice at the same time."""
    email = account_for(s, token)
    password_hash = users.hash_new_password(new_password, email)  # slow: before the lock
    begin_write(s)
    user = _user_for(s, token)
    users.replace_password(s, user, password_hash)
    return email


def _user_for(s: Session, token: str) -> User:
    try:
        data = _signer().loads(token, max_age=int(VALID.total_seconds()))
    except (SignatureExpired, BadSignature):
        raise InvalidInput(DEAD_LINK) from None
    user = s.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        raise InvalidInput(DEAD_LINK)
    return user


def _fingerprint(user: User) -> str:
    """Changes whenever the password does, or the user's tokens are revoked."""
    material = f"{user.password_hash}:{user.token_version}".encode()
    return hashlib.sha256(material).hexdigest()[:24]


def _signer() -> URLSafeTimedSerializer:
    key = runtime().secret_key
    if not key:
        raise RuntimeError("Reset links need a secret: services.connect(..., secret_key=...)")
    return URLSafeTimedSerializer(key, salt=SALT)


def _recent_mails(s: Session, address: str) -> int:
    since = utcnow() - dt.timedelta(hours=1)
    query = select(func.count()).where(
        MailOutbox.kind == KIND, MailOutbox.to_addr == address, MailOutbox.created_at >= since
    )
    return s.scalar(query) or 0
