"""Sign-up, administration, passwords, lockout, login sessions and API tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

import services
from services import AuthenticationFailed, Conflict, InvalidInput, PermissionDenied, Role, security
from services.auth import LOCKOUT_THRESHOLD
from services.models import LoginSession, User, utcnow
from tests.factories import PASSWORD, make_user


def _login(email, password, **kw):
    with services.session() as s:
        return services.auth.login(s, email, password, **kw)


def _as(actor, call, *args, **kw):
    with services.session() as s:
        return call(s, actor, *args, **kw)


def test_sign_up_creates_a_reporter_and_refuses_a_role(db, sent):
    with services.session() as s:
        user = services.users.register(s, {"email": "New@Example.com", "password": PASSWORD})
    assert (user.email, user.role) == ("new@example.com", Role.REPORTER)
    assert [(e.kind, e.op, e.user_id) for e in sent] == [("user", "created", user.id)]
    with services.session() as s, pytest.raises(InvalidInput) as err:
        services.users.register(
            s, {"email": "x@example.com", "password": PASSWORD, "role": "ADMIN"}
        )
    assert "role" in err.value.errors
    with services.session() as s, pytest.raises(PermissionDenied):
        services.users.register(
            s, {"email": "y@example.com", "password": PASSWORD}, allow_signup=False
        )
    with services.session() as s:
        assert (
            s.scalar(select(User.id).where(User.email.in_(["x@example.com", "y@example.com"])))
            is None
        )


def test_emails_are_unique_whatever_their_case(db):
    make_user(email="ana@example.com")
    with services.session() as s, pytest.raises(Conflict):
        services.users.register(s, {"email": "ANA@example.com", "password": PASSWORD})


@pytest.mark.parametrize("password", ["short", "password123", "qwertyuiop"])
def test_weak_passwords_are_refused_with_a_reason(db, password):
    with services.session() as s, pytest.raises(InvalidInput) as err:
        services.users.register(s, {"email": "w@example.com", "password": password})
    assert "password" in err.value.errors and "assword" in err.value.message


@pytest.mark.parametrize(
    "password", ["ü" * 40 + "tail-A", "x" * 100 + "🔑 long one", "Zwölf Boxkämpfer jagen"]
)
def test_long_and_non_ascii_passwords_work_untruncated(db, password):
    user = make_user(password=password)
    assert _login(user.email, password)[1].id == user.id
    with pytest.raises(AuthenticationFailed):
        _login(user.email, password[:-1] + "B")


def test_wrong_password_and_unknown_email_look_the_same(db):
    user = make_user()
    with pytest.raises(AuthenticationFailed) as wrong:
        _login(user.email, "not the password")
    with pytest.raises(AuthenticationFailed) as unknown:
        _login("nobody@example.com", "not the password")
    assert str(wrong.value) == str(unknown.value)


def test_ten_failures_lock_the_account_until_an_admin_unlocks(db):
    user, admin = make_user(), make_user("ADMIN")
    for _ in range(LOCKOUT_THRESHOLD):
        with pytest.raises(AuthenticationFailed):
            _login(user.email, "wrong password!")
    with pytest.raises(AuthenticationFailed):  # even the right password, while locked
        _login(user.email, PASSWORD)
    _as(admin, services.users.unlock_user, user.id)
    assert _login(user.email, PASSWORD)[1].id == user.id


def test_a_lock_expires_by_itself(db):
    user = make_user()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with services.session() as s:
        s.execute(
            update(User).where(User.id == user.id).values(failed_logins=10, locked_until=past)
        )
        s.commit()
    assert _login(user.email, PASSWORD)[1].id == user.id


def test_login_sessions_rotate_expire_and_end(db):
    user = make_user()
    planted, _ = _login(user.email, PASSWORD)
    token, actor = _login(user.email, PASSWORD, previous_token=planted)
    with services.session() as s:
        assert services.auth.resolve_session(s, planted) is None  # rotated at login
        assert services.auth.resolve_session(s, token).id == actor.id
        assert services.auth.resolve_session(s, "forged") is None
        services.auth.logout(s, token)
    with services.session() as s:
        assert services.auth.resolve_session(s, token) is None


def test_password_change_ends_every_session_and_token(db):
    user = make_user()
    token, _ = _login(user.email, PASSWORD)
    with services.session() as s:
        api = services.auth.issue_api_token(s, user)
    with services.session() as s, pytest.raises(InvalidInput):
        services.users.change_password(s, user, "wrong current", "a brand new passphrase")
    _as(user, services.users.change_password, PASSWORD, "a brand new passphrase")
    with services.session() as s:
        assert services.auth.resolve_session(s, token) is None
        with pytest.raises(AuthenticationFailed):
            services.auth.actor_from_api_token(s, api)
    assert _login(user.email, "a brand new passphrase")[1].id == user.id


@pytest.mark.parametrize(
    "change", [{"role": "MAINTAINER"}, {"is_active": False}, {"password": "reset by the admin 42"}]
)
def test_admin_changes_revoke_credentials(db, change):
    user, admin = make_user(), make_user("ADMIN")
    token, _ = _login(user.email, PASSWORD)
    with services.session() as s:
        api = services.auth.issue_api_token(s, user)
        assert services.auth.actor_from_api_token(s, api).id == user.id
    _as(admin, services.users.update_user, user.id, change)
    with services.session() as s:
        assert services.auth.resolve_session(s, token) is None
        with pytest.raises(AuthenticationFailed):
            services.auth.actor_from_api_token(s, api)


def test_a_name_change_keeps_credentials(db):
    user, admin = make_user(), make_user("ADMIN")
    token, _ = _login(user.email, PASSWORD)
    view = _as(admin, services.users.update_user, user.id, {"full_name": "Renamed"})
    assert view.full_name == "Renamed"
    with services.session() as s:
        assert services.auth.resolve_session(s, token).full_name == "Renamed"


def test_tampered_and_self_revoked_tokens_fail(db):
    user = make_user()
    with services.session() as s:
        api = services.auth.issue_api_token(s, user, ttl_seconds=600)
        with pytest.raises(AuthenticationFailed):
            services.auth.actor_from_api_token(
                s, api[:-2] + ("A" if api[-2] != "A" else "B") + api[-1]
            )
    _as(user, services.auth.revoke_api_tokens)
    with services.session() as s, pytest.raises(AuthenticationFailed):
        services.auth.actor_from_api_token(s, api)


@pytest.mark.parametrize("role", ["REPORTER", "MAINTAINER"])
def test_only_admins_manage_users(db, role):
    actor, target = make_user(role), make_user()
    calls = [
        lambda s: services.users.create_user(
            s, actor, {"email": "n@example.com", "password": PASSWORD}
        ),
        lambda s: services.users.update_user(s, actor, target.id, {"role": "ADMIN"}),
        lambda s: services.users.unlock_user(s, actor, target.id),
        lambda s: services.users.list_users(s, actor),
    ]
    for call in calls:
        with services.session() as s, pytest.raises(PermissionDenied):
            call(s)
    with services.session() as s:
        assert s.get(User, target.id).role == Role.REPORTER
        assert services.users.get_user(s, actor, actor.id).id == actor.id
        with pytest.raises(services.NotFound):
            services.users.get_user(s, actor, target.id)


def test_admins_create_any_role_and_find_users(db):
    admin = make_user("ADMIN", email="boss@example.com")
    for role in Role:
        view = _as(
            admin,
            services.users.create_user,
            {"email": f"{role.lower()}@example.com", "password": PASSWORD, "role": role},
        )
        assert view.role == role
    page = _as(admin, services.users.list_users, q="MAINT")
    assert [u.email for u in page.items] == ["maintainer@example.com"]
    assert _as(admin, services.users.list_users, role="ADMIN").total == 2
    staff = _as(admin, services.users.list_staff)
    assert {u.role for u in staff} == {Role.ADMIN, Role.MAINTAINER}


def test_staff_are_listed_by_the_name_a_picker_shows(db):
    """Without a full name, the picker shows the email: it sorts by what it shows."""
    admin = make_user("ADMIN", email="zed@example.com", full_name="Zed Admin")
    make_user("MAINTAINER", email="bob@example.com", full_name="")
    make_user("MAINTAINER", email="amy@example.com", full_name="amy Lowercase")
    make_user("MAINTAINER", email="carl@example.com", full_name="Carl")
    make_user("REPORTER", email="aaron@example.com", full_name="Aaron Reporter")
    shown = [u.full_name or u.email for u in _as(admin, services.users.list_staff)]
    assert shown == ["amy Lowercase", "bob@example.com", "Carl", "Zed Admin"]


def test_nobody_demotes_or_deactivates_themselves(db):
    """One click on your own row would lock you out: refused, whoever else is an admin."""
    admin, second = make_user("ADMIN"), make_user("ADMIN")
    for change in ({"role": "REPORTER"}, {"role": "MAINTAINER"}, {"is_active": False}):
        with services.session() as s, pytest.raises(services.PermissionDenied):
            services.users.update_user(s, admin, admin.id, change)
    with services.session() as s:
        me = services.users.get_user(s, admin, admin.id)
    assert (me.role, me.is_active) == ("ADMIN", True)
    # Renaming yourself is fine; another admin may demote you.
    assert _as(admin, services.users.update_user, admin.id, {"full_name": "A"}).full_name == "A"
    assert (
        _as(second, services.users.update_user, admin.id, {"role": "MAINTAINER"}).role
        == "MAINTAINER"
    )


def test_a_deactivated_account_with_the_right_password_is_told_so(db):
    user, admin = make_user(email="gone@example.com"), make_user("ADMIN")
    _as(admin, services.users.update_user, user.id, {"is_active": False})
    with pytest.raises(AuthenticationFailed) as right:
        _login("gone@example.com", PASSWORD)
    assert right.value.message == services.auth.DEACTIVATED
    with pytest.raises(AuthenticationFailed) as wrong:  # a guesser learns nothing
        _login("gone@example.com", "not the password at all")
    assert wrong.value.message == services.auth.LOGIN_FAILED


def test_actor_for_finds_active_users_only(db):
    user, admin = make_user(email="nb@example.com"), make_user("ADMIN")
    with services.session() as s:
        assert services.users.actor_for(s, email=" NB@example.com ").id == user.id
        assert services.users.actor_for(s, user_id=user.id).email == "nb@example.com"
        with pytest.raises(services.NotFound):
            services.users.actor_for(s, email="ghost@example.com")
    _as(admin, services.users.update_user, user.id, {"is_active": False})
    with services.session() as s, pytest.raises(AuthenticationFailed):
        services.users.actor_for(s, email="nb@example.com")
    with pytest.raises(AuthenticationFailed):
        _login("nb@example.com", PASSWORD)


def _age_session(token: str, **ago: float) -> None:
    with services.session() as s:
        s.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == security.hash_secret(token))
            .values(last_seen_at=utcnow() - dt.timedelta(**ago))
        )
        s.commit()


def _last_seen(token: str) -> dt.datetime:
    with services.session() as s:
        return s.scalar(
            select(LoginSession.last_seen_at).where(
                LoginSession.token_hash == security.hash_secret(token)
            )
        )


def test_a_session_left_idle_ends(db) -> None:
    me = make_user(email="idle@example.com")
    token, _ = _login(me.email, PASSWORD)
    _age_session(token, hours=23, minutes=59)
    with services.session() as s:
        assert services.auth.resolve_session(s, token).id == me.id  # acting restarts the clock
    assert utcnow() - _last_seen(token) < dt.timedelta(minutes=1)
    _age_session(token, hours=24, seconds=1)
    with services.session() as s:
        assert services.auth.resolve_session(s, token) is None


def test_last_seen_is_written_at_most_once_a_minute_and_not_by_rechecks(db) -> None:
    me = make_user(email="seen@example.com")
    token, _ = _login(me.email, PASSWORD)
    _age_session(token, seconds=30)
    before = _last_seen(token)
    with services.session() as s:
        services.auth.resolve_session(s, token)
    assert _last_seen(token) == before  # no write per request
    _age_session(token, hours=2)
    before = _last_seen(token)
    with services.session() as s:  # a page merely left open re-checks: not activity
        assert services.auth.resolve_session(s, token, touch=False).id == me.id
    assert _last_seen(token) == before
