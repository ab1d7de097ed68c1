"""Account lockout that neither leaks nor traps: every wrong password counts, even in a
parallel burst; an expired lock starts a fresh count; a browser that signed in before gets
past a lock that guessers caused; confirming your password counts too; operators can unlock."""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update

import services
from services import AuthenticationFailed, InvalidInput
from services.auth import LOCKOUT_THRESHOLD
from services.models import User, utcnow
from tests.factories import PASSWORD, make_user

WRONG = "not the password at all"


def _sign_in(email: str, password: str, device: str | None = None) -> services.auth.SignIn:
    with services.session() as s:
        return services.auth.sign_in(s, email, password, device=device)


def _refused(email: str, password: str, device: str | None = None) -> None:
    with pytest.raises(AuthenticationFailed) as refused:
        _sign_in(email, password, device)
    assert refused.value.message == services.auth.LOGIN_FAILED


def _state(user_id: int) -> tuple[int, dt.datetime | None]:
    with services.session() as s:
        user = s.get(User, user_id)
        assert user is not None
        return user.failed_logins, user.locked_until


def test_a_parallel_burst_counts_every_guess(db) -> None:
    victim = make_user(email="v@example.com")
    burst = LOCKOUT_THRESHOLD - 1
    with ThreadPoolExecutor(max_workers=burst) as pool:
        list(pool.map(lambda _: _refused(victim.email, WRONG), range(burst)))
    assert _state(victim.id) == (burst, None)
    _refused(victim.email, WRONG)  # the tenth locks
    count, until = _state(victim.id)
    assert count == LOCKOUT_THRESHOLD and until is not None and until > utcnow()
    _refused(victim.email, PASSWORD)  # even the right password, from a browser never seen


def test_an_expired_lock_starts_a_fresh_count(db) -> None:
    victim = make_user(email="v@example.com")
    with services.session() as s:
        s.execute(
            update(User)
            .where(User.id == victim.id)
            .values(
                failed_logins=LOCKOUT_THRESHOLD, locked_until=utcnow() - dt.timedelta(seconds=1)
            )
        )
        s.commit()
    _refused(victim.email, WRONG)
    assert _state(victim.id) == (1, None)  # not locked again by one more guess
    assert _sign_in(victim.email, PASSWORD).actor.id == victim.id
    assert _state(victim.id) == (0, None)


def test_a_browser_that_signed_in_before_gets_past_the_guessers_lock(db) -> None:
    owner = make_user(email="o@example.com")
    device = _sign_in(owner.email, PASSWORD).device
    for _ in range(LOCKOUT_THRESHOLD):
        _refused(owner.email, WRONG)  # an attacker, without the owner's device cookie
    _refused(owner.email, PASSWORD)
    assert _state(owner.id)[1] is not None

    back_in = _sign_in(owner.email, PASSWORD, device)
    assert back_in.actor.id == owner.id and back_in.device != device  # renewed
    assert _state(owner.id)[1] is not None  # the lock still holds for everyone else
    _refused(owner.email, PASSWORD, device)  # the old device cookie was replaced

    # Guesses with the device cookie count against that browser only, then lock it too.
    device = back_in.device
    for _ in range(LOCKOUT_THRESHOLD):
        _refused(owner.email, WRONG, device)
    _refused(owner.email, PASSWORD, device)
    assert _state(owner.id)[0] == LOCKOUT_THRESHOLD  # unchanged by the device's guesses


def test_a_device_cookie_of_another_account_is_no_help(db) -> None:
    mine, theirs = make_user(email="m@example.com"), make_user(email="t@example.com")
    device = _sign_in(mine.email, PASSWORD).device
    for _ in range(LOCKOUT_THRESHOLD):
        _refused(theirs.email, WRONG)
    _refused(theirs.email, PASSWORD, device)


def test_confirming_the_current_password_counts_towards_the_same_limit(db) -> None:
    me = make_user(email="me@example.com")
    for _ in range(LOCKOUT_THRESHOLD):
        with services.session() as s, pytest.raises(InvalidInput):
            services.users.change_password(s, me, WRONG, "a brand new passphrase 1")
    assert _state(me.id)[1] is not None
    with services.session() as s, pytest.raises(InvalidInput):  # locked: refused even so
        services.users.change_password(s, me, PASSWORD, "a brand new passphrase 1")
    _refused(me.email, PASSWORD)


def test_admins_give_their_current_password_to_change_their_own(db) -> None:
    admin = make_user("ADMIN", email="a@example.com")
    other = make_user(email="o@example.com")
    new = {"password": "an admin's new passphrase"}
    for current in (None, WRONG):
        with services.session() as s, pytest.raises(InvalidInput):
            services.users.update_user(s, admin, admin.id, {**new, "current_password": current})
    assert _state(admin.id)[0] == 2
    with services.session() as s:
        services.users.update_user(s, admin, admin.id, {**new, "current_password": PASSWORD})
    assert _sign_in(admin.email, new["password"]).actor.id == admin.id
    with services.session() as s:  # someone else's: a reset, no current password needed
        services.users.update_user(s, admin, other.id, {"password": "reset by the admin 42"})


def test_an_operator_unlocks_the_last_admin(db) -> None:
    admin = make_user("ADMIN", email="root@example.com")
    device = _sign_in(admin.email, PASSWORD).device
    for _ in range(LOCKOUT_THRESHOLD):
        _refused(admin.email, WRONG)
        _refused(admin.email, WRONG, device)
    _refused(admin.email, PASSWORD, device)
    with services.session() as s:
        services.users.unlock_account(s, " ROOT@example.com ")
    assert _state(admin.id) == (0, None)
    assert _sign_in(admin.email, PASSWORD, device).actor.id == admin.id
    with services.session() as s, pytest.raises(services.NotFound):
        services.users.unlock_account(s, "nobody@example.com")


def test_each_failed_sign_in_is_logged_without_the_password(db, caplog) -> None:
    victim = make_user(email="v@example.com")
    caplog.set_level(logging.INFO, logger="tracker.auth")
    with services.session() as s, pytest.raises(AuthenticationFailed):
        services.auth.sign_in(s, victim.email, "hunter2 secret guess", address="203.0.113.5")
    with services.session() as s, pytest.raises(AuthenticationFailed):
        services.auth.sign_in(s, "ghost@example.com", "another secret", address="203.0.113.6")
    lines = [r.getMessage() for r in caplog.records if r.name == "tracker.auth"]
    assert f"failed sign-in for account {victim.id} (wrong password), from 203.0.113.5" in lines
    assert "failed sign-in: unknown account, from 203.0.113.6" in lines
    assert not any("secret" in line or "ghost" in line for line in lines)
