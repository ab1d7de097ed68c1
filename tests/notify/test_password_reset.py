"""Forgotten passwords: a reset link mailed through a real SMTP server, good for an hour and
once; asking tells nothing about who has an account; without mail, the admin's way."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer

import services
from services import InvalidInput, recovery
from services.notify import dispatch
from tests.factories import PASSWORD, make_issue, make_user

NEW = "a brand new passphrase 31"


def _ask(email: str) -> None:
    with services.session() as s:
        services.recovery.request_reset(s, email)


def _link(mail_on) -> str:
    dispatch.wait_idle()
    [msg] = mail_on.wait_for(1)
    text = msg.get_body(preferencelist=("plain",)).get_content()
    [link] = [w for w in text.split() if w.startswith("http://tracker.test/reset?token=")]
    return link


def _reset(token: str, password: str = NEW) -> str:
    with services.session() as s:
        return services.recovery.reset_password(s, token, password)


def _sign_in(email: str, password: str) -> None:
    with services.session() as s:
        services.auth.login(s, email, password)


def test_the_link_sets_a_new_password_once_and_ends_other_sessions(mail_on):
    user = make_user(email="Rita@Example.com")
    with services.session() as s:
        old_session, _ = services.auth.login(s, user.email, PASSWORD)
    _ask("  RITA@example.com ")
    link = _link(mail_on)
    [msg] = mail_on.messages()
    assert msg["To"] == "rita@example.com" and msg["Subject"] == "Reset your password"
    token = link.split("token=", 1)[1]
    with services.session() as s:
        assert services.recovery.account_for(s, token) == "rita@example.com"
    assert _reset(token) == "rita@example.com"
    _sign_in("rita@example.com", NEW)
    with pytest.raises(services.AuthenticationFailed):
        _sign_in("rita@example.com", PASSWORD)
    with services.session() as s:
        assert services.auth.resolve_session(s, old_session) is None
    with pytest.raises(InvalidInput, match="expired or was already used"):
        _reset(token, "yet another passphrase 77")


def test_asking_says_nothing_and_sends_nothing_for_unknown_or_inactive(mail_on):
    admin = make_user("ADMIN")
    gone = make_user(email="gone@example.com")
    with services.session() as s:
        services.users.update_user(s, admin, gone.id, {"is_active": False})
    _ask("nobody@example.com")  # no error: the form's answer is the same for everyone
    _ask("gone@example.com")
    dispatch.wait_idle()
    assert mail_on.messages() == []


def test_at_most_three_mails_per_account_per_hour(mail_on):
    make_user(email="flood@example.com")
    for _ in range(5):
        _ask("flood@example.com")
    dispatch.wait_idle()
    assert len(mail_on.wait_for(3)) == 3
    assert len(mail_on.messages()) == 3


def test_a_forged_an_expired_or_an_old_link_is_refused(mail_on, monkeypatch):
    user = make_user(email="vic@example.com")
    _ask(user.email)
    token = _link(mail_on).split("token=", 1)[1]
    forged = URLSafeTimedSerializer("not the secret", salt=recovery.SALT).dumps({"u": user.id})
    for bad in (forged, token[:-2] + "xx", ""):
        with pytest.raises(InvalidInput, match="expired or was already used"):
            _reset(bad)
    with services.session() as s:  # the password changed meanwhile: the link is dead
        services.users.change_password(s, user, PASSWORD, "changed passphrase 12")
    with pytest.raises(InvalidInput, match="expired or was already used"):
        _reset(token)
    monkeypatch.setattr(recovery, "VALID", recovery.VALID * 0 - recovery.VALID)
    _ask(user.email)
    with pytest.raises(InvalidInput, match="expired"):
        _reset(_newest_token(mail_on))


def test_a_weak_new_password_is_refused_and_the_link_still_works(mail_on):
    user = make_user(email="wes@example.com")
    make_issue(user)
    _ask(user.email)
    token = _link(mail_on).split("token=", 1)[1]
    with pytest.raises(InvalidInput):
        _reset(token, "short")
    assert _reset(token) == "wes@example.com"


def test_without_mail_the_form_says_to_ask_an_admin(db):
    assert not recovery.by_mail()
    with pytest.raises(InvalidInput, match="Ask an administrator"):
        _ask("anyone@example.com")


def _newest_token(mail_on) -> str:
    dispatch.wait_idle()
    msg = mail_on.wait_for(2)[-1]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    return next(w for w in text.split() if "token=" in w).split("token=", 1)[1]
