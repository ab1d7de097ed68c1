"""Password hashing, login-session secrets and signed API tokens (no database access here)."""

from __future__ import annotations

import hashlib
import secrets
import time
from functools import cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from passlib.context import CryptContext

from .errors import AuthenticationFailed, InvalidInput

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # bcrypt_sha256 pre-hashes, so length only bounds the work
DEFAULT_ROUNDS = 12
API_TOKEN_MAX_AGE = 365 * 24 * 3600
_TOKEN_SALT = "tracker.api-token.v1"  # noqa: S105 (a salt, not a secret)

# bcrypt_sha256 pre-hashes with SHA-256, so passwords are not truncated at 72 bytes.
_context = CryptContext(schemes=["bcrypt_sha256"], bcrypt_sha256__rounds=DEFAULT_ROUNDS)
_dummy_hash: str | None = None


def configure_hashing(rounds: int) -> None:
    """Set the bcrypt cost (tests lower it; production keeps the default 12)."""
    global _dummy_hash
    _context.update(bcrypt_sha256__rounds=rounds)
    _dummy_hash = None


def hash_password(password: str) -> str:
    return str(_context.hash(password))


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash (unknown user) burn the same time and say no."""
    global _dummy_hash
    if password_hash is None:
        if _dummy_hash is None:
            _dummy_hash = hash_password(secrets.token_urlsafe(16))
        _context.verify(password, _dummy_hash)
        return False
    return bool(_context.verify(password, password_hash))


def check_password_policy(password: str, *, email: str = "") -> None:
    """Refuse short, overlong and common passwords with a message that says why."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters.",
            {"password": "too short"},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Password must be at most {MAX_PASSWORD_LENGTH} characters.",
            {"password": "too long"},
        )
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if lowered in _common_passwords() or (len(local_part) >= 4 and lowered == local_part):
        raise InvalidInput(
            "This password is too common or too easy to guess; choose another.",
            {"password": "too common"},
        )


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def new_session_secret() -> str:
    """A random login-session value for the cookie; only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def sign_api_token(secret_key: str, user_id: int, token_version: int, ttl_seconds: int) -> str:
    serializer = URLSafeTimedSerializer(secret_key, salt=_TOKEN_SALT)
    return serializer.dumps({"uid": user_id, "tv": token_version, "ttl": ttl_seconds})


def read_api_token(secret_key: str, token: str) -> tuple[int, int]:
    """Return (user_id, token_version) of a valid, unexpired token, else AuthenticationFailed."""
    serializer = URLSafeTimedSerializer(secret_key, salt=_TOKEN_SALT)
    try:
        data, signed_at = serializer.loads(token, max_age=API_TOKEN_MAX_AGE, return_timestamp=True)
        if time.time() - signed_at.timestamp() > int(data["ttl"]):
            raise SignatureExpired("token expired")
        return int(data["uid"]), int(data["tv"])
    except SignatureExpired as e:
        raise AuthenticationFailed("The token has expired; request a new one.") from e
    except (BadSignature, KeyError, TypeError, ValueError) as e:
        raise AuthenticationFailed("The token is not valid.") from e
