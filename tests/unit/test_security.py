"""Password hashing and policy, and signed API tokens (services/security.py)."""

from __future__ import annotations

import importlib.metadata
import time
from types import SimpleNamespace

import itsdangerous.timed
import passlib
import pytest
from packaging.version import Version

from services import security
from services.errors import AuthenticationFailed, InvalidInput

SECRET = "a-test-secret-key-that-is-long-enough-0123456789"


# --- hashing -------------------------------------------------------------------------------


def test_hash_verifies_the_right_password_only():
    hashed = security.hash_password("tangerine viaduct")
    assert hashed.startswith("$bcrypt-sha256$")
    assert "tangerine" not in hashed
    assert security.verify_password("tangerine viaduct", hashed)
    assert not security.verify_password("tangerine viaduct ", hashed)
    assert not security.verify_password("Tangerine viaduct", hashed)


def test_same_password_hashes_differently_each_time():
    first, second = security.hash_password("same-password"), security.hash_password("same-password")
    assert first != second
    assert security.verify_password("same-password", first)
    assert security.verify_password("same-password", second)


@pytest.mark.parametrize("shared", [72, 100, 500])
def test_long_passwords_are_not_truncated_at_72_bytes(shared):
    prefix = "x" * shared
    hashed = security.hash_password(prefix + "A")
    assert security.verify_password(prefix + "A", hashed)
    assert not security.verify_password(prefix + "B", hashed)
    assert not security.verify_password(prefix, hashed)


def test_multibyte_passwords_longer_than_72_bytes_are_not_truncated():
    prefix = "é" * 40  # 80 bytes in UTF-8
    hashed = security.hash_password(prefix + "1")
    assert security.verify_password(prefix + "1", hashed)
    assert not security.verify_password(prefix + "2", hashed)


def test_non_ascii_passwords_work():
    password = "pässwörd-日本語-🔐"
    hashed = security.hash_password(password)
    assert security.verify_password(password, hashed)
    assert not security.verify_password("passwort-日本語-🔐", hashed)
    assert not security.verify_password(password.replace("ä", "a"), hashed)


def test_verify_without_a_hash_says_no():
    assert security.verify_password("anything at all", None) is False
    assert security.verify_password("", None) is False


def test_installed_passlib_is_the_maintained_libpass_fork():
    assert importlib.metadata.distribution("libpass") is not None
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("passlib")
    assert Version(passlib.__version__) >= Version("1.9")


# --- password policy -----------------------------------------------------------------------


@pytest.mark.parametrize("password", ["", "a", "Ab3$xyz"])
def test_policy_refuses_short_passwords(password):
    with pytest.raises(InvalidInput) as info:
        security.check_password_policy(password)
    assert str(security.MIN_PASSWORD_LENGTH) in info.value.message
    assert "password" in info.value.errors


def test_policy_refuses_overlong_passwords():
    with pytest.raises(InvalidInput) as info:
        security.check_password_policy("k" * (security.MAX_PASSWORD_LENGTH + 1))
    assert str(security.MAX_PASSWORD_LENGTH) in info.value.message
    security.check_password_policy("k" * security.MAX_PASSWORD_LENGTH)


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "Password123", "QWERTYUIOP"])
def test_policy_refuses_common_passwords(password):
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    assert password.lower() in FREQUENCY_LISTS["passwords"]
    with pytest.raises(InvalidInput) as info:
        security.check_password_policy(password)
    assert "common" in info.value.message
    assert "password" in info.value.errors


@pytest.mark.parametrize("password", ["zebracorn42", "ZebraCorn42"])
def test_policy_refuses_the_email_local_part(password):
    with pytest.raises(InvalidInput) as info:
        security.check_password_policy(password, email="zebracorn42@example.com")
    assert "guess" in info.value.message
    # The same password is fine for someone with another address.
    security.check_password_policy(password, email="someone@example.com")


def test_policy_accepts_a_good_long_password():
    security.check_password_policy("tangerine-viaduct-omelette-47", email="ann@example.com")
    security.check_password_policy("correct horse battery staple")


# --- API tokens ----------------------------------------------------------------------------


def _sign_at(monkeypatch, when: float, **kw) -> str:
    """Sign a token as if the clock showed `when` (itsdangerous reads time.time())."""
    args = {"secret_key": SECRET, "user_id": 7, "token_version": 3, "ttl_seconds": 3600, **kw}
    with monkeypatch.context() as m:
        m.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: when))
        return security.sign_api_token(**args)


def test_token_round_trip():
    token = security.sign_api_token(SECRET, 42, 5, 3600)
    assert security.read_api_token(SECRET, token) == (42, 5)


def test_tokens_differ_per_user_and_version():
    a = security.sign_api_token(SECRET, 1, 1, 3600)
    b = security.sign_api_token(SECRET, 2, 1, 3600)
    c = security.sign_api_token(SECRET, 1, 2, 3600)
    assert len({a, b, c}) == 3
    assert security.read_api_token(SECRET, c) == (1, 2)


def test_tampered_token_is_refused():
    token = security.sign_api_token(SECRET, 42, 5, 3600)
    payload, rest = token.split(".", 1)
    forged = security.sign_api_token(SECRET, 1, 5, 3600).split(".", 1)[0]
    for bad in (payload + "x." + rest, forged + "." + rest, token[:-2], ""):
        with pytest.raises(AuthenticationFailed) as info:
            security.read_api_token(SECRET, bad)
        assert "not valid" in info.value.message


def test_token_signed_with_another_secret_is_refused():
    token = security.sign_api_token("another-secret-key-entirely-0123456789", 42, 5, 3600)
    with pytest.raises(AuthenticationFailed):
        security.read_api_token(SECRET, token)


def test_token_older_than_its_ttl_is_expired(monkeypatch):
    token = _sign_at(monkeypatch, time.time() - 2 * 3600, ttl_seconds=3600)
    with pytest.raises(AuthenticationFailed) as info:
        security.read_api_token(SECRET, token)
    assert "expired" in info.value.message


def test_token_within_its_ttl_is_accepted(monkeypatch):
    token = _sign_at(monkeypatch, time.time() - 1800, ttl_seconds=3600)
    assert security.read_api_token(SECRET, token) == (7, 3)


def test_token_older_than_a_year_is_expired_whatever_its_ttl(monkeypatch):
    long_ago = time.time() - security.API_TOKEN_MAX_AGE - 86400
    token = _sign_at(monkeypatch, long_ago, ttl_seconds=10 * security.API_TOKEN_MAX_AGE)
    with pytest.raises(AuthenticationFailed) as info:
        security.read_api_token(SECRET, token)
    assert "expired" in info.value.message


def test_session_secrets_are_random_and_hashed():
    first, second = security.new_session_secret(), security.new_session_secret()
    assert first != second and len(first) >= 32
    assert security.hash_secret(first) == security.hash_secret(first)
    assert security.hash_secret(first) != security.hash_secret(second)
    assert first not in security.hash_secret(first)
