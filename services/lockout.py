"""Account lockout that neither leaks nor traps.

Wrong passwords count per account, atomically in the database (an `UPDATE ... SET n = n + 1`
that returns the new count), so a parallel burst counts every guess. Ten in a row lock the
account for 15 minutes; a lock that has expired starts a fresh count.

A lock alone would let an attacker keep the owner out for good by guessing forever, so
browsers that signed in before carry a device cookie (the OWASP "device cookie" approach):
such a trusted browser is not held by the account lock, and its own wrong passwords count
against that device only (ten lock the device, not the account). Only the SHA-256 of a device
cookie is stored.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, case, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from . import security
from .models import TrustedDevice, User, utcnow

log = logging.getLogger("tracker.auth")

THRESHOLD = 10
LOCK_MINUTES = 15
DEVICE_DAYS = 365


def is_locked(until: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    return until is not None and until > (now or utcnow())


def count_account_failure(s: Session, user_id: int) -> tuple[int, dt.datetime | None]:
    """Count one wrong password for an account (in the caller's write transaction); returns
    the new (count, locked_until). While locked nothing changes; after the lock expired the
    count starts again at one."""
    count, until = _count(s, User, user_id, User.failed_logins, User.locked_until)
    if count == THRESHOLD and until is not None:
        log.warning("account %s locked after %d failed logins", user_id, count)
    return count, until


def count_device_failure(s: Session, device_id: int) -> tuple[int, dt.datetime | None]:
    """Count one wrong password from a trusted browser against that browser only."""
    count, until = _count(
        s, TrustedDevice, device_id, TrustedDevice.failures, TrustedDevice.locked_until
    )
    if count == THRESHOLD and until is not None:
        log.warning("device %s locked after %d failed logins", device_id, count)
    return count, until


def trusted_device(s: Session, user_id: int, token: str | None) -> TrustedDevice | None:
    """The unlocked trusted-browser record of this user that `token` proves, else None."""
    if not token or len(token) > 200:
        return None
    device = s.scalar(
        select(TrustedDevice).where(
            TrustedDevice.token_hash == security.hash_secret(token),
            TrustedDevice.user_id == user_id,
        )
    )
    now = utcnow()
    if device is None or device.expires_at <= now or is_locked(device.locked_until, now):
        return None
    return device


def remember_device(s: Session, user_id: int, device: TrustedDevice | None) -> str:
    """After a successful sign-in in a browser: a fresh device cookie value (the old record,
    if any, is replaced, so a cookie is never reused after it was shown again)."""
    if device is not None:
        s.delete(device)
    token = security.new_session_secret()
    now = utcnow()
    s.add(
        TrustedDevice(
            user_id=user_id,
            token_hash=security.hash_secret(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=DEVICE_DAYS),
        )
    )
    return token


def clear(user: User) -> None:
    user.failed_logins, user.locked_until = 0, None


def _count(
    s: Session,
    model: type[User] | type[TrustedDevice],
    row_id: int,
    n: InstrumentedAttribute[int],
    until: InstrumentedAttribute[dt.datetime | None],
) -> tuple[int, dt.datetime | None]:
    now = utcnow()
    locked = and_(until.is_not(None), until > now)
    expired = and_(until.is_not(None), until <= now)
    counted = case((expired, 1), else_=n + 1)
    row = s.execute(
        update(model)
        .where(model.id == row_id)
        .values(
            {
                n: case((locked, n), else_=counted),
                until: case(
                    (locked, until),
                    (counted >= THRESHOLD, now + dt.timedelta(minutes=LOCK_MINUTES)),
                    else_=None,
                ),
            }
        )
        .returning(n, until)
        .execution_options(synchronize_session=False)
    ).one()
    return int(row[0]), row[1]
